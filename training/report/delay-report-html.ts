import type { ReliabilityBin } from '../metrics/reliability';
import type { DelayTrainingReport } from '../train-delay';
import { barChart, escapeHtml as esc, unitLineChart, type Series } from './svg-chart';

const colors = { model: '#d1495b', without: '#edae49', lane: '#00798c', constant: '#888' };

const reliabilityPoints = (bins: ReliabilityBin[]) =>
  bins.filter((b) => b.count > 0 && b.meanPredicted !== null && b.observedRate !== null).map((b) => ({ x: b.meanPredicted as number, y: b.observedRate as number }));

const fmt = (v: number | undefined, digits = 4): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits));

/** The whole training report as one HTML page with inline SVG charts: opens offline in any browser. */
export function delayReportHtml(r: DelayTrainingReport, title: string): string {
  const variants: [string, { auc: number; prAuc: number; brier: number; mae?: number; pinball90?: number; coverage90?: number }][] = [
    ['delay model', r.model],
    ...(r.withoutRolling ? [['same model without rolling features', r.withoutRolling] as [string, DelayTrainingReport['model']]] : []),
    ['baseline: historical late rate of the lane', r.baselines.laneRate],
    [`baseline: constant rate (${fmt(r.baselines.constantRate.rate, 3)})`, r.baselines.constantRate],
  ];
  const table = `<table><tr><th></th><th>ROC AUC</th><th>PR AUC</th><th>Brier</th><th>MAE p50 (min)</th><th>pinball p90 (min)</th><th>p90 coverage</th></tr>${variants
    .map(([name, m]) => `<tr><td>${esc(name)}</td><td>${fmt(m.auc)}</td><td>${fmt(m.prAuc)}</td><td>${fmt(m.brier)}</td><td>${fmt(m.mae, 2)}</td><td>${fmt(m.pinball90, 2)}</td><td>${fmt(m.coverage90, 3)}</td></tr>`)
    .join('')}</table>`;
  const roc: Series[] = [
    { label: `model (AUC ${fmt(r.model.auc, 3)})`, color: colors.model, points: r.model.roc },
    ...(r.withoutRolling ? [{ label: `without rolling (AUC ${fmt(r.withoutRolling.auc, 3)})`, color: colors.without, points: r.withoutRolling.roc }] : []),
    { label: `lane late rate (AUC ${fmt(r.baselines.laneRate.auc, 3)})`, color: colors.lane, points: r.baselines.laneRate.roc, dashed: true },
  ];
  const reliability: Series[] = [
    { label: 'model', color: colors.model, points: reliabilityPoints(r.model.reliability), markers: true },
    ...(r.withoutRolling ? [{ label: 'without rolling', color: colors.without, points: reliabilityPoints(r.withoutRolling.reliability), markers: true }] : []),
    { label: 'lane late rate', color: colors.lane, points: reliabilityPoints(r.baselines.laneRate.reliability), markers: true, dashed: true },
  ];
  const bins = `<table><tr><th>predicted</th><th>legs</th><th>mean predicted</th><th>observed late rate</th></tr>${r.model.reliability
    .map((b) => `<tr><td>${b.lo.toFixed(1)}–${b.hi.toFixed(1)}</td><td>${b.count}</td><td>${fmt(b.meanPredicted ?? undefined, 3)}</td><td>${fmt(b.observedRate ?? undefined, 3)}</td></tr>`)
    .join('')}</table>`;
  const history = `<table><tr><th>epoch</th><th>training loss</th><th>validation loss</th></tr>${r.model.history
    .map((h) => `<tr><td>${h.epoch}${h.epoch === r.model.bestEpoch ? ' (kept)' : ''}</td><td>${fmt(h.trainLoss)}</td><td>${fmt(h.validLoss)}</td></tr>`).join('')}</table>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
figure{display:inline-block;margin:8px 16px 8px 0;vertical-align:top}figcaption{font-weight:600;margin-bottom:4px}.note{color:#555}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="note">Tenant <b>${esc(r.tenant)}</b>; legs planned to depart ${esc(r.dataFrom)} – ${esc(r.dataTo)}. Temporal split: training until ${esc(r.validFrom)}, validation (tuning, early stopping) until ${esc(r.testFrom)}, test after (used once, for this report).
Rows: ${r.rows.fit} training, ${r.rows.valid} validation, ${r.rows.test} test. Late = more than ${r.lateThresholdMin} min after plan; test late rate ${fmt(r.testLateRate, 3)}.
Backend ${esc(r.backend)}; training ${fmt(r.model.trainSeconds, 0)} s (best epoch ${r.model.bestEpoch} of ${r.model.epochsRun}); point-in-time features ${fmt(r.datasetSeconds, 0)} s.</p>
<h2>Test metrics</h2>${table}
<h2>Curves</h2>${unitLineChart('ROC curve (test)', 'false positive rate', 'true positive rate', roc)}${unitLineChart('Reliability (test, 10 bins)', 'mean predicted P(late)', 'observed late rate', reliability)}
<h3>Reliability bins of the model</h3>${bins}
<h2>Permutation feature importance (validation part)</h2>${barChart('ROC AUC lost when the feature is shuffled', r.importance.slice(0, 25).map((i) => ({ label: i.feature, value: i.aucDrop })), 'AUC drop')}
<h2>Training</h2>${history}
<h2>Hyperparameters</h2><pre>${esc(JSON.stringify(r.hyperparameters, null, 2))}</pre>
</body></html>
`;
}
