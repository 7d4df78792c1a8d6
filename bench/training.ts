import os from 'node:os';
import knex from 'knex';
import { loadConfig } from '../core/config';
import { createDb } from '../core/db';
import { createLogger } from '../core/logger';
import { migrateToLatest } from '../core/migrate';
import { createArtifactStore } from '../models/registry/create-artifact-store';
import { loadTensorflow } from '../models/tf-backend';
import { importFlights } from '../training/flights/import-flights';
import { vegaDataFile } from '../training/flights/vega-data';
import { registerDelayRun } from '../training/register-delay-run';
import { metricsTable } from '../training/report/metrics-table';
import { trainDelay } from '../training/train-delay';
import type { Benchmark, BenchmarkOptions } from './run';

const databaseName = 'flowcast_bench_training';

/** The benchmark's own database, kept between runs: the import of the 3M flights resumes or is skipped when done. */
async function benchDatabase(adminUrl: string): Promise<string> {
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  const exists = (await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [databaseName])).rows.length > 0;
  if (!exists) await admin.raw('CREATE DATABASE ??', [databaseName]);
  await admin.destroy();
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * `npm run bench -- training [--sample N] [--epochs N]`: imports vega-datasets' 3M flights
 * (once), then trains and evaluates the delay model on all of them with the temporal split,
 * and records the version. trainSeconds is the fitting of the model with rolling features;
 * the point-in-time dataset and the ablation are timed separately.
 */
export const benchmark: Benchmark = {
  name: 'training',
  description: 'delay model on the 3M flights of vega-datasets: import (once), point-in-time features, training, test metrics',
  async run(options: BenchmarkOptions) {
    const config = loadConfig();
    const logger = createLogger({ level: 'warn', name: 'bench-training' });
    const db = createDb({ url: await benchDatabase(config.DATABASE_URL), poolMax: 4 });
    try {
      await migrateToLatest(db);
      const load = os.loadavg();
      const imported = await importFlights({
        db, logger, tenant: 'flights', parquetPath: vegaDataFile('flights-3m.parquet'), airportsCsv: vegaDataFile('airports.csv'),
        allowedLatenessMs: config.FEATURE_ALLOWED_LATENESS_MS, onProgress: (d, t) => d % 20 === 0 && process.stderr.write(`import: ${d}/${t} days\n`),
      });
      const runtime = await loadTensorflow(logger);
      const started = Date.now();
      let lastPhase = '';
      const run = await trainDelay({
        db, logger, runtime, tenant: 'flights', lateThresholdMin: config.LATE_THRESHOLD_MIN, sample: num(options.sample),
        hyperparameters: num(options.epochs) ? { epochs: num(options.epochs) as number } : {},
        onProgress: (phase, done, total) => {
          if (phase !== lastPhase || done === total) process.stderr.write(`${phase}: ${done}/${total}\n`);
          lastPhase = phase;
        },
      });
      const totalSeconds = (Date.now() - started) / 1000;
      const registered = await registerDelayRun(db, createArtifactStore(config), run);
      process.stderr.write(`${metricsTable(run.report)}\nreport: ${registered.reportHtmlUri}\n`);
      const r = run.report;
      return {
        rows: r.rows.total, trainRows: r.rows.fit, validRows: r.rows.valid, testRows: r.rows.test,
        trainSeconds: r.model.trainSeconds, backend: r.backend,
        auc: r.model.auc, prAuc: r.model.prAuc, brier: r.model.brier, mae: r.model.mae, pinball90: r.model.pinball90,
        baselineLaneAuc: r.baselines.laneRate.auc, baselineLaneBrier: r.baselines.laneRate.brier, baselineConstantBrier: r.baselines.constantRate.brier,
        aucWithoutRolling: r.withoutRolling?.auc ?? null, brierWithoutRolling: r.withoutRolling?.brier ?? null,
        trainSecondsWithoutRolling: r.withoutRolling?.trainSeconds ?? null,
        datasetSeconds: r.datasetSeconds, pipelineSeconds: totalSeconds, bestEpoch: r.model.bestEpoch, epochsRun: r.model.epochsRun,
        testLateRate: r.testLateRate, importSeconds: imported.seconds, importedDays: imported.daysImported,
        version: registered.version.version, loadAverageAtStart: load.map((x) => Math.round(x * 100) / 100),
      };
    } finally {
      await db.destroy();
    }
  },
};
