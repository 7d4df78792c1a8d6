import express, { type Router } from 'express';
import type { Db } from '../../core/db';
import { ValidationError } from '../../core/errors';
import { defaultCatalog, entityTypes, FeatureStatePrunedError, firstReadableAt, getOnlineFeatures, isEntityType, readPrunedBefore, type EntityType, type FeatureVector } from '../../features';
import { principalOf, type Auth } from '../auth';

export interface FeaturesRouteDeps {
  db: Db;
  auth: Auth;
}

/**
 * `GET /v1/features/:entityType/:id[?at=RFC3339]` (read scope): the entity's rolling features of
 * the caller's tenant, each with its freshness (events up to `asOf` are in it; the newest one counted).
 */
export function featuresRouter(deps: FeaturesRouteDeps): Router {
  const router = express.Router();
  router.get('/v1/features/:entityType/:id', deps.auth.requireScope('read'), async (req, res) => {
    const entityType = String(req.params.entityType);
    if (!isEntityType(entityType)) {
      throw new ValidationError(`unknown entity type "${entityType}"`, [{ path: 'entityType', message: `expected one of ${entityTypes.join(', ')}` }]);
    }
    const at = parseAt(req.query.at);
    const past = req.query.at !== undefined;
    // Checked before and after the read: a prune records its horizon before deleting anything.
    if (past) await refusePruned(deps.db, entityType, at);
    const [vector] = await getOnlineFeatures(deps.db, { tenant: principalOf(res).tenant, entities: [{ type: entityType, id: String(req.params.id) }], at });
    if (past) await refusePruned(deps.db, entityType, at);
    res.json(present(vector as FeatureVector));
  });
  return router;
}

/** A past read whose windows reach before the feature retention's horizon would answer from part of them. */
async function refusePruned(db: Db, entity: EntityType, at: number): Promise<void> {
  const prunedBefore = await readPrunedBefore(db);
  if (prunedBefore === null) return;
  const first = firstReadableAt(prunedBefore, defaultCatalog, entity);
  if (at >= first) return;
  throw new FeatureStatePrunedError(
    `at ${iso(at)} reads feature state before ${iso(prunedBefore)}, which the feature retention has deleted: ask for ${iso(first)} or later`,
    { at, firstReadableAt: first, prunedBefore },
  );
}

function parseAt(raw: unknown): number {
  if (raw === undefined) return Date.now();
  const ms = typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) throw new ValidationError('at must be an RFC 3339 time', [{ path: 'at', message: 'expected an RFC 3339 time such as 2026-01-05T10:00:00Z' }]);
  return ms;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function present(v: FeatureVector) {
  return {
    entity: v.entity,
    at: iso(v.at),
    features: Object.fromEntries(
      Object.entries(v.values).map(([name, value]) => [name, { value, asOf: iso(v.freshness[name]?.asOf ?? null), lastEventAt: iso(v.freshness[name]?.lastEventAt ?? null) }]),
    ),
  };
}
