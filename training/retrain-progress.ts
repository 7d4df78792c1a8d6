/**
 * One percentage for a whole retrain from the phases it goes through. The weights are rough
 * shares of the time each phase takes on the real flights (the point-in-time dataset and the
 * epochs dominate); within a phase, progress is its own done/total.
 */
const bands: { match: RegExp; from: number; to: number }[] = [
  { match: /^starting/, from: 0, to: 1 },
  { match: /^features/, from: 1, to: 40 },
  { match: /epoch/, from: 40, to: 85 },
  { match: /^importance/, from: 85, to: 88 },
  { match: /^holdout/, from: 88, to: 97 },
  { match: /^registering|^deciding/, from: 97, to: 99 },
];

export function retrainPercent(phase: string, done: number, total: number): number {
  const band = bands.find((b) => b.match.test(phase));
  if (!band) return 0;
  let share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  // `model: epoch 2/6`: the epochs share their band.
  const epoch = /epoch (\d+)\/(\d+)/.exec(phase);
  if (epoch) share = (Number(epoch[1]) - 1 + share) / Number(epoch[2]);
  return Math.round((band.from + (band.to - band.from) * share) * 10) / 10;
}
