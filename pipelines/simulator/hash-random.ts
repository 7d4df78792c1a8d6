/**
 * A stateless seeded random number in [0, 1) from a few integers. Ticks use it instead of a
 * stateful generator so a device's reading at round r depends only on (seed, device, round),
 * never on how many numbers other devices drew before it.
 */
export function hashRandom(a: number, b: number, c = 0, d = 0): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15) ^ d, 0x165667b1);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** A seed for one device of one generator, from the run's seed. */
export function deviceSeed(runSeed: number, kindSalt: number, local: number): number {
  return Math.floor(hashRandom(runSeed, kindSalt, local, 0x5eed) * 4294967296);
}
