import type { Knex } from 'knex';
import { NotFoundError } from '../../core/errors';

export type RunStatus = 'queued' | 'running' | 'promoted' | 'kept-candidate' | 'failed';
export type RunTrigger = 'cli' | 'api' | 'schedule' | 'drift';

/** What a data scientist may choose for one retrain; everything else comes from the settings. */
export interface RetrainParameters {
  /** Train on a seeded uniform sample of this many legs (still in time order). */
  sample?: number;
  /** Planned departures in [from, to), epoch ms; default: every labelled leg. */
  from?: number;
  to?: number;
  hyperparameters?: Record<string, unknown>;
}

export interface TrainingRun {
  id: number;
  model: string;
  tenant: string;
  status: RunStatus;
  trigger: RunTrigger;
  reason: string;
  parameters: RetrainParameters;
  dataFrom: string | null;
  dataTo: string | null;
  holdoutFrom: string | null;
  progress: { percent: number; phase: string };
  version: number | null;
  championBefore: number | null;
  championAfter: number | null;
  challengerMetrics: Record<string, unknown> | null;
  championMetrics: Record<string, unknown> | null;
  decision: string | null;
  error: string | null;
  attempts: number;
  worker: string | null;
  jobId: string | null;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

interface RunRow {
  id: number; model_name: string; tenant: string; status: RunStatus; trigger: RunTrigger; reason: string; parameters: RetrainParameters;
  data_from: Date | null; data_to: Date | null; holdout_from: Date | null; progress_percent: number; phase: string;
  version: number | null; champion_before: number | null; champion_after: number | null;
  challenger_metrics: Record<string, unknown> | null; champion_metrics: Record<string, unknown> | null;
  decision: string | null; error: string | null; attempts: number; worker: string | null; job_id: string | null;
  requested_at: Date; started_at: Date | null; finished_at: Date | null; duration_ms: number | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const toRun = (r: RunRow): TrainingRun => ({
  id: r.id, model: r.model_name, tenant: r.tenant, status: r.status, trigger: r.trigger, reason: r.reason, parameters: r.parameters,
  dataFrom: iso(r.data_from), dataTo: iso(r.data_to), holdoutFrom: iso(r.holdout_from),
  progress: { percent: r.progress_percent, phase: r.phase },
  version: r.version, championBefore: r.champion_before, championAfter: r.champion_after,
  challengerMetrics: r.challenger_metrics, championMetrics: r.champion_metrics, decision: r.decision, error: r.error,
  attempts: r.attempts, worker: r.worker, jobId: r.job_id,
  requestedAt: r.requested_at.toISOString(), startedAt: iso(r.started_at), finishedAt: iso(r.finished_at), durationMs: r.duration_ms,
});

export const finishedStatuses: readonly RunStatus[] = ['promoted', 'kept-candidate', 'failed'];

export async function createTrainingRun(
  db: Knex, r: { model: string; tenant: string; trigger: RunTrigger; reason: string; parameters: RetrainParameters },
): Promise<TrainingRun> {
  const [row] = (await db('training_runs')
    .insert({ model_name: r.model, tenant: r.tenant, trigger: r.trigger, reason: r.reason, parameters: JSON.stringify(r.parameters) })
    .returning('*')) as RunRow[];
  return toRun(row as RunRow);
}

export async function findTrainingRun(db: Knex, id: number): Promise<TrainingRun | undefined> {
  const row = (await db('training_runs').where({ id }).first()) as RunRow | undefined;
  return row ? toRun(row) : undefined;
}

/** The run of a model by id; a run of another model is as unknown as a missing one. */
export async function getTrainingRun(db: Knex, model: string, id: number): Promise<TrainingRun> {
  const run = await findTrainingRun(db, id);
  if (!run || run.model !== model) throw new NotFoundError(`model ${model} has no training run ${id}`);
  return run;
}

export async function listTrainingRuns(db: Knex, model: string, limit = 50): Promise<TrainingRun[]> {
  return ((await db('training_runs').where({ model_name: model }).orderBy('id', 'desc').limit(limit)) as RunRow[]).map(toRun);
}

export async function deleteTrainingRun(db: Knex, id: number): Promise<void> {
  await db('training_runs').where({ id }).delete();
}

/** A worker took the run (again, after a crash or a failed try). */
export async function markRunStarted(db: Knex, id: number, s: { worker: string; jobId: string; attempt: number }): Promise<void> {
  await db('training_runs').where({ id }).update({
    status: 'running', worker: s.worker, job_id: s.jobId, attempts: s.attempt, error: null,
    phase: 'starting', progress_percent: 0, started_at: db.fn.now(),
  });
}

export async function updateRunProgress(db: Knex, id: number, percent: number, phase: string): Promise<void> {
  await db('training_runs').where({ id, status: 'running' }).update({ progress_percent: percent, phase });
}

/** The challenger is in the registry: a retry after a crash must not train and register it again. */
export async function recordRunVersion(
  db: Knex, id: number, v: { version: number; dataFrom: string; dataTo: string; holdoutFrom: string; challengerMetrics: object; championMetrics: object | null; championBefore: number | null; reference: object },
): Promise<void> {
  await db('training_runs').where({ id }).update({
    version: v.version, data_from: v.dataFrom, data_to: v.dataTo, holdout_from: v.holdoutFrom, champion_before: v.championBefore,
    challenger_metrics: JSON.stringify(v.challengerMetrics), champion_metrics: v.championMetrics ? JSON.stringify(v.championMetrics) : null,
    reference: JSON.stringify(v.reference),
  });
}

export async function finishRun(db: Knex, id: number, f: { status: 'promoted' | 'kept-candidate'; decision: string; championAfter: number | null }): Promise<void> {
  await db('training_runs').where({ id }).update({
    status: f.status, decision: f.decision, champion_after: f.championAfter, progress_percent: 100, phase: 'done',
    finished_at: db.fn.now(), duration_ms: db.raw('(extract(epoch FROM now() - started_at) * 1000)::int'),
  });
}

/**
 * A try failed: the reason is kept either way; on the last try the run is failed for good,
 * otherwise it waits for BullMQ's next try.
 */
export async function recordRunFailure(db: Knex, id: number, reason: string, final: boolean): Promise<void> {
  await db('training_runs').whereNotIn('status', finishedStatuses as RunStatus[]).where({ id }).update(final
    ? { status: 'failed', error: reason, phase: 'failed', finished_at: db.fn.now(), duration_ms: db.raw('(extract(epoch FROM now() - coalesce(started_at, requested_at)) * 1000)::int') }
    : { status: 'queued', error: reason, phase: `waiting to retry after: ${reason.slice(0, 200)}` });
}

/** The reference distributions kept by the run that produced a version (drift compares against them). */
export async function findVersionReference(db: Knex, model: string, version: number): Promise<{ reference: unknown; challengerMetrics: Record<string, unknown> | null } | undefined> {
  const row = (await db('training_runs').where({ model_name: model, version }).whereNotNull('reference').orderBy('id', 'desc').first()) as
    { reference: unknown; challenger_metrics: Record<string, unknown> | null } | undefined;
  return row ? { reference: row.reference, challengerMetrics: row.challenger_metrics } : undefined;
}
