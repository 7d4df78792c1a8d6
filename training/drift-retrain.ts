import type { Knex } from 'knex';
import { checkDrift, type DriftResult, type DriftThresholds } from './drift-check';
import type { RetrainQueue } from './retrain-queue';
import { recordDriftCheck } from './store/record-drift-check';

/** A drift check that, past a threshold, enqueues a retrain whose reason lists what drifted; the check is kept either way. */
export async function checkDriftAndRetrain(
  db: Knex, queue: Pick<RetrainQueue, 'request'>, o: { model: string; tenant: string; thresholds: DriftThresholds; now?: Date },
): Promise<{ check: DriftResult; checkId: number; runId: number | null }> {
  const check = await checkDrift(db, o.model, o.thresholds, o.now);
  let runId: number | null = null;
  if (check.drifted) {
    const { run } = await queue.request(db, {
      model: o.model, tenant: o.tenant, trigger: 'drift', reason: `drift of version ${check.version}: ${check.reasons.join('; ')}`,
    });
    runId = run.id;
  }
  return { check, checkId: await recordDriftCheck(db, check, runId), runId };
}
