import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createDb } from '../core/db';
import { createLogger } from '../core/logger';
import { createArtifactStore, type ArtifactSettings } from '../models/registry/create-artifact-store';
import { loadTensorflow } from '../models/tf-backend';
import { trainAndEvaluate, type RetrainTrainingResult } from './retrain-training';
import type { RetrainParameters } from './store/training-runs';

/** What the retrain worker hands its training thread (plain data: it crosses threads). */
export interface RetrainThreadInput {
  databaseUrl: string;
  logLevel: string;
  artifacts: ArtifactSettings;
  tenant: string;
  lateThresholdMin: number;
  parameters: RetrainParameters;
  holdoutMaxRows: number;
  championArtifactUri?: string;
}

export type RetrainThreadMessage =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'result'; result: RetrainTrainingResult }
  | { type: 'error'; message: string };

// Progress more often than this only costs messages: the worker's records are per second at best.
const progressEveryMs = 250;

async function main(input: RetrainThreadInput): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('retrain-thread runs only as a worker thread');
  const logger = createLogger({ level: input.logLevel, name: 'retrain-thread' });
  const db = createDb({ url: input.databaseUrl, poolMax: 2 });
  let lastPhase = '';
  let lastAt = 0;
  try {
    const runtime = await loadTensorflow(logger);
    const result = await trainAndEvaluate({
      db, logger, runtime, store: createArtifactStore(input.artifacts), tenant: input.tenant, lateThresholdMin: input.lateThresholdMin,
      parameters: input.parameters, holdoutMaxRows: input.holdoutMaxRows,
      ...(input.championArtifactUri ? { championArtifactUri: input.championArtifactUri } : {}),
      onProgress: (phase, done, total) => {
        const now = Date.now();
        if (phase === lastPhase && now - lastAt < progressEveryMs && done < total) return;
        lastPhase = phase;
        lastAt = now;
        port.postMessage({ type: 'progress', phase, done, total } satisfies RetrainThreadMessage);
      },
    });
    port.postMessage({ type: 'result', result } satisfies RetrainThreadMessage);
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message } satisfies RetrainThreadMessage);
  } finally {
    await db.destroy();
    logger.flush();
  }
}

if (!isMainThread) void main(workerData as RetrainThreadInput);
