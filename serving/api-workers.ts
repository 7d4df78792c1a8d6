import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from 'pino';

/**
 * `flowcast api` as several processes (API_WORKERS) with node:cluster: the primary forks the
 * workers and supervises them; each worker is a whole API process (its own database pool, Redis
 * connections, champion, caches and micro-batcher) and all of them share the listening port
 * (the primary hands out connections round-robin). Everything shared lives in PostgreSQL and
 * Redis already (rate-limit budgets, keys, alerts), so the workers need no coordination; the
 * primary only announces when all are listening, forwards SIGTERM/SIGINT, replaces a worker that
 * dies after it started, and answers `/metrics` for the whole group.
 */
export interface ApiWorkersOptions {
  workers: number;
  logger: Logger;
  /** How long the workers get to stop after SIGTERM before they are killed. */
  shutdownTimeoutMs: number;
}

type WorkerMessage =
  | { type: 'flowcast:listening'; url: string }
  | { type: 'flowcast:metrics?'; id: number }
  | { type: 'flowcast:metrics'; id: number; text?: string; error?: string };

/** The primary: forks the workers, then supervises them until SIGTERM/SIGINT; exits the process at the end. */
export function superviseApiWorkers(o: ApiWorkersOptions): void {
  const aggregator = new AggregatorRegistry();
  const alive = new Map<number, Worker>();
  const listening = new Map<number, string>();
  let stopping = false;
  let exitCode = 0;
  let announced = false;

  const fork = (): void => {
    const worker = cluster.fork();
    alive.set(worker.id, worker);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'flowcast:listening') {
        listening.set(worker.id, m.url);
        if (!announced && listening.size === o.workers) {
          announced = true;
          o.logger.info({ url: m.url, workers: o.workers }, `API listening on ${m.url} (${o.workers} worker processes)`);
        }
      } else if (m.type === 'flowcast:metrics?') {
        aggregator.clusterMetrics().then(
          (text) => worker.send({ type: 'flowcast:metrics', id: m.id, text } satisfies WorkerMessage),
          (err: Error) => worker.send({ type: 'flowcast:metrics', id: m.id, error: err.message } satisfies WorkerMessage),
        );
      }
    });
    worker.on('exit', (code, signal) => {
      alive.delete(worker.id);
      const started = listening.delete(worker.id);
      if (!stopping && started) {
        o.logger.error({ worker: worker.id, code, signal }, 'an API worker died; starting another');
        fork();
        return;
      }
      // One that never got to listen (bad configuration, port taken): so would its replacement.
      if (!stopping) {
        o.logger.error({ worker: worker.id, code, signal }, 'an API worker exited before it listened; stopping');
        stop(1);
      }
      if (alive.size > 0) return;
      if (exitCode === 0) o.logger.info('stopped cleanly');
      o.logger.flush?.();
      process.exit(exitCode);
    });
  };

  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const timer = setTimeout(() => {
      o.logger.error({ timeoutMs: o.shutdownTimeoutMs }, 'API workers took too long to stop; killing them');
      for (const w of alive.values()) w.process.kill('SIGKILL');
      process.exit(1);
    }, o.shutdownTimeoutMs + 2_000);
    timer.unref();
    for (const w of alive.values()) w.process.kill('SIGTERM');
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      o.logger.info({ signal }, 'shutting down');
      stop(0);
    });
  }
  for (let i = 0; i < o.workers; i++) fork();
}

/** In a worker: tells the primary this worker listens; elsewhere it does nothing. */
export function announceListening(url: string): void {
  if (cluster.isWorker) process.send?.({ type: 'flowcast:listening', url } satisfies WorkerMessage);
}

/**
 * In a worker: the registry's `/metrics` text becomes the whole group's (the primary sums the
 * workers' counters and histograms); the worker's own metrics stay where they are registered.
 * Elsewhere the registry is left as it is.
 */
export function clusterWideMetrics(registry: Registry): Registry {
  if (!cluster.isWorker) return registry;
  // Answers the primary's requests for this worker's metrics (prom-client's cluster protocol).
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  process.on('message', (m: WorkerMessage) => {
    if (m.type !== 'flowcast:metrics') return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.text ?? '');
  });
  registry.metrics = () => new Promise<string>((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    process.send?.({ type: 'flowcast:metrics?', id } satisfies WorkerMessage);
  });
  return registry;
}
