/** The kinds of traffic a simulated fleet mixes. */
export const mixKinds = ['trucks', 'sorters', 'drones', 'flights'] as const;
export type MixKind = (typeof mixKinds)[number];
export type FleetMix = Record<MixKind, number>;

export const defaultMix: FleetMix = { trucks: 0.6, sorters: 0.1, drones: 0.1, flights: 0.2 };

/**
 * Parses `trucks=0.6,sorters=0.1,drones=0.1,flights=0.2`: each kind's share of the reports per
 * second; kinds left out get 0; shares are normalised to sum to 1.
 */
export function parseMix(text: string): FleetMix {
  const mix: FleetMix = { trucks: 0, sorters: 0, drones: 0, flights: 0 };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!(mixKinds as readonly string[]).includes(name ?? '')) throw new Error(`--mix: unknown kind "${name}" (expected ${mixKinds.join(', ')})`);
    const share = Number(value);
    if (!Number.isFinite(share) || share < 0) throw new Error(`--mix: share of ${name} must be a number ≥ 0, got "${value}"`);
    mix[name as MixKind] = share;
  }
  const total = mixKinds.reduce((sum, k) => sum + mix[k], 0);
  if (total <= 0) throw new Error('--mix: at least one kind needs a share above 0');
  for (const k of mixKinds) mix[k] /= total;
  return mix;
}
