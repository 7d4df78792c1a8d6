import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { promoteChampion } from '../models/champion-change';
import type { ArtifactStore } from '../models/registry/artifact-store';
import type { ArtifactSettings } from '../models/registry/create-artifact-store';
import { championOf, registerVersion } from '../models/registry/model-registry';
import { decidePromotion, type HoldoutScore, type PromotionMargins } from './champion-decision';
import type { RetrainJobData } from './retrain-queue';
import { retrainPercent } from './retrain-progress';
import type { RetrainTrainingResult } from './retrain-training';
import {
  findTrainingRun, finishedStatuses, finishRun, markRunStarted, recordRunVersion, updateRunProgress, type TrainingRun,
} from './store/training-runs';
import type { TrainingThread } from './train-in-thread';
import type { RetrainThreadInput } from './retrain-thread';

export interface RetrainJobDeps {
  db: Knex;
  logger: Logger;
  store: ArtifactStore;
  /** Publishes the champion notice after a promotion. */
  redis: Pick<Redis, 'publish'>;
  workerName: string;
  settings: {
    databaseUrl: string;
    logLevel: string;
    artifacts: ArtifactSettings;
    lateThresholdMin: number;
    holdoutMaxRows: number;
    margins: PromotionMargins;
  };
  /** Starts the training (a worker thread in production). */
  train: (input: RetrainThreadInput, onProgress: (phase: string, done: number, total: number) => void) => TrainingThread;
}

export interface RetrainOutcome {
  runId: number;
  version: number;
  status: 'promoted' | 'kept-candidate';
  decision: string;
}

// Progress rows more often than this are noise for a reader polling once a second.
const progressWriteEveryMs = 500;

/**
 * One try of a retrain run: train and evaluate (or, when an earlier try already registered the
 * challenger, reuse it), register the challenger, decide against the champion and promote.
 */
export async function runRetrainJob(d: RetrainJobDeps, job: Job<RetrainJobData>): Promise<RetrainOutcome | undefined> {
  const run = await findTrainingRun(d.db, job.data.runId);
  if (!run) {
    d.logger.warn({ runId: job.data.runId }, 'retrain job for a run that no longer exists: nothing to do');
    return undefined;
  }
  if (finishedStatuses.includes(run.status)) return undefined;
  await markRunStarted(d.db, run.id, { worker: d.workerName, jobId: job.id ?? '', attempt: job.attemptsStarted || job.attemptsMade + 1 });
  const progress = progressRecorder(d, job, run.id);
  const registered = run.version !== null ? await reuseRegistered(d.db, run) : await trainAndRegister(d, run, progress);
  progress('deciding', 0, 1);
  return decide(d, run, registered);
}

interface Registered {
  version: number;
  challenger: HoldoutScore;
  champion?: HoldoutScore;
  championBefore: number | null;
}

async function trainAndRegister(d: RetrainJobDeps, run: TrainingRun, progress: (phase: string, done: number, total: number) => void): Promise<Registered> {
  const champion = await championOf(d.db, run.model);
  const s = d.settings;
  const thread = d.train({
    databaseUrl: s.databaseUrl, logLevel: s.logLevel, artifacts: s.artifacts, tenant: run.tenant, lateThresholdMin: s.lateThresholdMin,
    parameters: run.parameters, holdoutMaxRows: s.holdoutMaxRows, ...(champion ? { championArtifactUri: champion.artifactUri } : {}),
  }, progress);
  const r: RetrainTrainingResult = await thread.result;
  progress('registering', 0, 1);
  const version = await registerVersion(d.db, {
    model: run.model, tenant: run.tenant, dataFrom: Date.parse(r.report.dataFrom), dataTo: Date.parse(r.report.dataTo),
    features: r.report.features,
    hyperparameters: { ...r.report.hyperparameters, sample: run.parameters.sample ?? null },
    metrics: { holdout: r.challenger, test: r.report.model, baselines: r.report.baselines, rows: r.report.rows, backend: r.report.backend, trainingRun: run.id },
    store: d.store, artifact: Buffer.from(r.artifactJson),
  });
  await recordRunVersion(d.db, run.id, {
    version: version.version, dataFrom: r.report.dataFrom, dataTo: r.report.dataTo, holdoutFrom: new Date(r.holdout.from).toISOString(),
    challengerMetrics: r.challenger, championMetrics: r.champion ?? null, championBefore: champion?.version ?? null, reference: r.reference,
  });
  return { version: version.version, challenger: r.challenger, ...(r.champion ? { champion: r.champion } : {}), championBefore: champion?.version ?? null };
}

/** An earlier try crashed after registering: its challenger and comparison stand. */
async function reuseRegistered(db: Knex, run: TrainingRun): Promise<Registered> {
  const fresh = (await findTrainingRun(db, run.id)) as TrainingRun;
  return {
    version: fresh.version as number,
    challenger: fresh.challengerMetrics as unknown as HoldoutScore,
    ...(fresh.championMetrics ? { champion: fresh.championMetrics as unknown as HoldoutScore } : {}),
    championBefore: fresh.championBefore,
  };
}

async function decide(d: RetrainJobDeps, run: TrainingRun, r: Registered): Promise<RetrainOutcome> {
  const now = (await championOf(d.db, run.model))?.version ?? null;
  let decision = decidePromotion(r.challenger, r.champion, d.settings.margins);
  // The comparison was made against the champion of the time; one promoted meanwhile was not judged.
  if (decision.promote && now !== r.championBefore) {
    decision = { promote: false, explanation: `the champion changed during training (v${r.championBefore ?? 'none'} → v${now}): kept as candidate; ${decision.explanation}` };
  }
  if (decision.promote) await promoteChampion({ db: d.db, redis: d.redis, logger: d.logger }, run.model, r.version, `retrain run ${run.id}: ${decision.explanation}`);
  const status = decision.promote ? 'promoted' : 'kept-candidate';
  await finishRun(d.db, run.id, { status, decision: decision.explanation, championAfter: decision.promote ? r.version : now });
  d.logger.info({ runId: run.id, version: r.version, status, decision: decision.explanation }, 'retrain finished');
  return { runId: run.id, version: r.version, status, decision: decision.explanation };
}

/** Progress to the run's row (read by the API and CLI) and to the BullMQ job, throttled. */
function progressRecorder(d: RetrainJobDeps, job: Job<RetrainJobData>, runId: number): (phase: string, done: number, total: number) => void {
  let last = 0;
  let lastPhase = '';
  return (phase, done, total) => {
    const now = Date.now();
    const group = phase.replace(/\d+/g, '');
    if (group === lastPhase && now - last < progressWriteEveryMs) return;
    last = now;
    lastPhase = group;
    const percent = retrainPercent(phase, done, total);
    const label = total > 1 ? `${phase} (${done}/${total})` : phase;
    void updateRunProgress(d.db, runId, percent, label).catch((err: unknown) => d.logger.warn({ err, runId }, 'progress not recorded'));
    void job.updateProgress({ percent, phase: label }).catch(() => undefined);
  };
}
