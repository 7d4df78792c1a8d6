import { laneKey } from '../models/feature-encoder';

/**
 * The baseline a planner would use: each lane's historical late rate over the training part,
 * shrunk toward the overall rate for lanes with few legs (`priorWeight` pseudo-legs).
 */
export function fitLaneRate(from: readonly string[], to: readonly string[], late: ArrayLike<number>, priorWeight = 20): (from: string, to: string) => number {
  let lateTotal = 0;
  const counts = new Map<string, [number, number]>();
  for (let i = 0; i < late.length; i++) {
    const key = laneKey(from[i] as string, to[i] as string);
    const c = counts.get(key) ?? [0, 0];
    c[0] += late[i] as number;
    c[1] += 1;
    counts.set(key, c);
    lateTotal += late[i] as number;
  }
  const overall = late.length ? lateTotal / late.length : 0;
  return (f, t) => {
    const c = counts.get(laneKey(f, t));
    return c ? (c[0] + priorWeight * overall) / (c[1] + priorWeight) : overall;
  };
}
