import type { DelayTrainingReport } from '../train-delay';

const f = (v: number | undefined, d = 4): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));

/** The test metrics of a run and its baselines as a plain-text table (end of `flowcast train delay`). */
export function metricsTable(r: DelayTrainingReport): string {
  const rows: [string, { auc: number; prAuc: number; brier: number; mae?: number; pinball90?: number }][] = [
    ['delay model', r.model],
    ...(r.withoutRolling ? [['without rolling features', r.withoutRolling] as [string, DelayTrainingReport['model']]] : []),
    ['baseline: lane late rate', r.baselines.laneRate],
    ['baseline: constant rate', r.baselines.constantRate],
  ];
  const header = ['', 'ROC AUC', 'PR AUC', 'Brier', 'MAE min', 'p90 pinball'];
  const body = rows.map(([name, m]) => [name, f(m.auc), f(m.prAuc), f(m.brier), f(m.mae, 2), f(m.pinball90, 2)]);
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((b) => (b[j] as string).length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j] as number) : c.padStart(widths[j] as number))).join('  ');
  return [
    `test part: ${r.rows.test} legs from ${r.testFrom} (late rate ${f(r.testLateRate, 3)}); trained on ${r.rows.fit}, validated on ${r.rows.valid}`,
    line(header), ...body.map(line),
  ].join('\n');
}
