import type { Knex } from 'knex';
import type { ArtifactStore } from '../models/registry/artifact-store';
import { registerVersion, type ModelVersion } from '../models/registry/model-registry';
import { delayReportHtml } from './report/delay-report-html';
import type { TrainDelayResult } from './train-delay';

export interface RegisteredRun {
  version: ModelVersion;
  reportJsonUri: string;
  reportHtmlUri: string;
}

/** The headline figures kept in the registry row (the full report lives next to the artifact). */
export function headlineMetrics(r: TrainDelayResult['report']): Record<string, unknown> {
  return {
    auc: r.model.auc, prAuc: r.model.prAuc, brier: r.model.brier, mae: r.model.mae, pinball90: r.model.pinball90, coverage90: r.model.coverage90,
    aucWithoutRolling: r.withoutRolling?.auc ?? null, baselineLaneAuc: r.baselines.laneRate.auc, baselineLaneBrier: r.baselines.laneRate.brier,
    baselineConstantBrier: r.baselines.constantRate.brier, testLateRate: r.testLateRate, rows: r.rows, trainSeconds: r.model.trainSeconds, backend: r.backend,
  };
}

/** Stores the artifact and the JSON and HTML reports, and records the version as a candidate. */
export async function registerDelayRun(db: Knex, store: ArtifactStore, run: TrainDelayResult, model = 'delay'): Promise<RegisteredRun> {
  const { companionUris, ...version } = await registerVersion(db, {
    model, tenant: run.report.tenant, dataFrom: Date.parse(run.report.dataFrom), dataTo: Date.parse(run.report.dataTo),
    features: run.report.features, hyperparameters: { ...run.report.hyperparameters }, metrics: headlineMetrics(run.report),
    store, artifact: Buffer.from(JSON.stringify(run.artifact)),
    companions: (v) => ({
      '.report.json': Buffer.from(JSON.stringify({ modelName: model, version: v, ...run.report }, null, 2)),
      '.report.html': Buffer.from(delayReportHtml(run.report, `Delay model ${model} v${v}`)),
    }),
  });
  return { version, reportJsonUri: companionUris['.report.json'] ?? '', reportHtmlUri: companionUris['.report.html'] ?? '' };
}
