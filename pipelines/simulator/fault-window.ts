/** A planted fault of one device: what kind and when, in epoch ms, half-open [fromMs, toMs). */
export interface FaultWindow<K extends string> {
  kind: K;
  fromMs: number;
  toMs: number;
}

export interface FaultOption<K extends string> {
  kind: K;
  /** Shortest and longest duration, minutes. */
  minMinutes: number;
  maxMinutes: number;
}

/**
 * Decides whether a device gets a fault during the run and which: with probability `rate`, one
 * of `options` (equally likely), starting uniformly between the device's first report and the
 * end of the run. At most one per device, so conditions never overlap on one subject.
 */
export function planFault<K extends string>(
  random: () => number,
  options: readonly FaultOption<K>[],
  rate: number,
  firstMs: number,
  endMs: number,
): FaultWindow<K> | undefined {
  const draw = random();
  const pick = random();
  const start = random();
  const length = random();
  if (draw >= rate || options.length === 0 || endMs <= firstMs) return undefined;
  const option = options[Math.min(options.length - 1, Math.floor(pick * options.length))]!;
  // Starts after the first report, so every fault is preceded by normal behaviour.
  const fromMs = Math.round(firstMs + 1 + start * (endMs - firstMs - 1));
  const minutes = option.minMinutes + length * (option.maxMinutes - option.minMinutes);
  return { kind: option.kind, fromMs, toMs: fromMs + Math.round(minutes * 60_000) };
}

export const inWindow = (w: { fromMs: number; toMs: number } | undefined, ts: number): boolean =>
  w !== undefined && ts >= w.fromMs && ts < w.toMs;
