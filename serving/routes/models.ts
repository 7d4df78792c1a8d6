import express, { type Router } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../../core/db';
import { promoteChampion, rollbackChampion } from '../../models/champion-change';
import { listVersions } from '../../models/registry/model-registry';
import type { RetrainQueue } from '../../training/retrain-queue';
import { getTrainingRun, listTrainingRuns, type RetrainParameters } from '../../training/store/training-runs';
import type { Auth } from '../auth';
import { validate } from '../validate';

export interface ModelsRouteDeps {
  db: Db;
  auth: Auth;
  logger: Logger;
  retrain: Pick<RetrainQueue, 'request'>;
  /** Announces champion changes to serving processes. */
  redis: Pick<Redis, 'publish'>;
  /** Tenant whose history retrains learn from (RETRAIN_TENANT). */
  tenant: string;
}

const name = z.strictObject({ name: z.enum(['delay']) });
const runPath = z.strictObject({ name: z.enum(['delay']), id: z.coerce.number().int().positive() });
const retrainBody = z.strictObject({
  sample: z.number().int().positive().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  epochs: z.number().int().min(1).max(200).optional(),
  batchSize: z.number().int().min(16).max(65_536).optional(),
  reason: z.string().min(1).max(500).optional(),
});
const promoteBody = z.strictObject({ version: z.number().int().positive(), reason: z.string().min(1).max(500).optional() });
const rollbackBody = z.strictObject({ reason: z.string().min(1).max(500).optional() });

/**
 * Models for data scientists: retrain (admin) and follow a run's progress, list versions,
 * promote and roll back (admin; announced so serving picks the champion up at once).
 */
export function modelsRouter(d: ModelsRouteDeps): Router {
  const router = express.Router();
  const json = express.json({ limit: '64kb' });
  router.post('/v1/models/:name/retrain', d.auth.requireScope('admin'), json, async (req, res) => {
    const { name: model } = validate(name, req.params, 'path');
    const b = validate(retrainBody, req.body ?? {}, 'body');
    const { run, deduplicated } = await d.retrain.request(d.db, {
      model, tenant: d.tenant, trigger: 'api', reason: b.reason ?? 'requested through the API', parameters: parametersOf(b),
    });
    res.status(202).location(`/v1/models/${model}/runs/${run.id}`).json({ run, deduplicated });
  });
  router.get('/v1/models/:name/runs', d.auth.requireScope('read'), async (req, res) => {
    const { name: model } = validate(name, req.params, 'path');
    res.json({ runs: await listTrainingRuns(d.db, model) });
  });
  router.get('/v1/models/:name/runs/:id', d.auth.requireScope('read'), async (req, res) => {
    const { name: model, id } = validate(runPath, req.params, 'path');
    res.json(await getTrainingRun(d.db, model, id));
  });
  router.get('/v1/models/:name/versions', d.auth.requireScope('read'), async (req, res) => {
    const { name: model } = validate(name, req.params, 'path');
    res.json({ versions: await listVersions(d.db, model) });
  });
  router.post('/v1/models/:name/promote', d.auth.requireScope('admin'), json, async (req, res) => {
    const { name: model } = validate(name, req.params, 'path');
    const b = validate(promoteBody, req.body ?? {}, 'body');
    res.json({ champion: await promoteChampion(d, model, b.version, b.reason ?? 'promoted through the API') });
  });
  router.post('/v1/models/:name/rollback', d.auth.requireScope('admin'), json, async (req, res) => {
    const { name: model } = validate(name, req.params, 'path');
    const b = validate(rollbackBody, req.body ?? {}, 'body');
    res.json(await rollbackChampion(d, model, b.reason ?? 'rolled back through the API'));
  });
  return router;
}

function parametersOf(b: z.infer<typeof retrainBody>): RetrainParameters {
  const hyperparameters = { ...(b.epochs ? { epochs: b.epochs } : {}), ...(b.batchSize ? { batchSize: b.batchSize } : {}) };
  return {
    ...(b.sample ? { sample: b.sample } : {}),
    ...(b.from ? { from: Date.parse(b.from) } : {}),
    ...(b.to ? { to: Date.parse(b.to) } : {}),
    ...(Object.keys(hyperparameters).length ? { hyperparameters } : {}),
  };
}
