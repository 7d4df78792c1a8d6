import express, { type Router } from 'express';
import type { Registry } from 'prom-client';
import type { Db } from '../../core/db';
import { NotReadyError } from '../../core/errors';

export interface HealthRouteDeps {
  db: Db;
  metricsRegistry: Registry;
  /** Longest /readyz waits for the database before calling it unreachable. */
  readyTimeoutMs?: number;
}

/** `/healthz` (the process answers), `/readyz` (its database answers) and `/metrics`. */
export function healthRouter(deps: HealthRouteDeps): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    await pingDb(deps.db, deps.readyTimeoutMs ?? 2000);
    res.json({ status: 'ready' });
  });
  router.get('/metrics', async (_req, res) => {
    const body = await deps.metricsRegistry.metrics();
    res.type(deps.metricsRegistry.contentType).send(body);
  });
  return router;
}

async function pingDb(db: Db, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([db.raw('SELECT 1'), timeout]);
  } catch (err) {
    throw new NotReadyError(`database unreachable: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
