import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RetrainThreadInput, RetrainThreadMessage } from './retrain-thread';
import type { RetrainTrainingResult } from './retrain-training';

export interface TrainingThread {
  result: Promise<RetrainTrainingResult>;
  /** Stops the thread (shutdown); the result then rejects. */
  terminate(): Promise<void>;
}

/**
 * Runs a retrain's training in a worker thread. TensorFlow.js keeps the thread busy for minutes
 * between awaits; on the main thread that would starve BullMQ's lock renewal (the job would be
 * taken for dead and run twice) and the progress records. A thread also gives back all of
 * TensorFlow's memory when it ends.
 */
export function trainInThread(input: RetrainThreadInput, onProgress: (phase: string, done: number, total: number) => void): TrainingThread {
  const worker = new Worker(threadScript(), { workerData: input });
  let settled = false;
  const result = new Promise<RetrainTrainingResult>((resolve, reject) => {
    worker.on('message', (m: RetrainThreadMessage) => {
      if (m.type === 'progress') onProgress(m.phase, m.done, m.total);
      else if (m.type === 'result') {
        settled = true;
        resolve(m.result);
      } else {
        settled = true;
        reject(new Error(m.message));
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`training thread exited with code ${code} before it finished`));
    });
  });
  return { result, terminate: async () => void (await worker.terminate()) };
}

/**
 * The compiled thread entry. Threads run JavaScript only: from the TypeScript sources (tests
 * under ts-jest) the built copy in dist/ is used, so run `npm run build` first.
 */
function threadScript(): string {
  const beside = path.join(__dirname, 'retrain-thread.js');
  if (existsSync(beside)) return beside;
  const built = path.join(__dirname, '..', 'dist', 'training', 'retrain-thread.js');
  if (existsSync(built)) return built;
  throw new Error(`the training thread script is not built (looked for ${beside} and ${built}): run npm run build`);
}
