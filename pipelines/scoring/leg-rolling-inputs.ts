import type { Knex } from 'knex';
import { getOnlineFeatures } from '../../features/online-features';
import type { FeatureVector } from '../../features/feature-vector';
import type { EntityRef } from '../../features/entity';
import type { ShipmentLeg } from '../../features/shipment-leg';
import { legEntities, legRoles, type LegRole } from '../../models/leg-entities';
import type { OnlineFeatureCache } from './online-feature-cache';

export interface LegInputs {
  rolling: Record<string, number | null>;
  /** Per input, the newest event counted (epoch ms, null if none) and how old the value is. */
  freshness: Record<string, { asOf: number; lastEventAt: number | null }>;
}

/**
 * The rolling inputs of several legs of one tenant as of `at`, read in one online-store call
 * (through `cache` when given): the features of each leg's origin, destination, lane and the
 * network, named `<role>:<feature>`. Without `withFreshness` the freshness maps stay empty.
 */
export async function legRollingInputs(db: Knex, tenant: string, legs: ShipmentLeg[], at: number, cache?: OnlineFeatureCache, withFreshness = true): Promise<LegInputs[]> {
  const entities = new Map<string, EntityRef>();
  const roles = legs.map((leg) => legEntities(leg));
  for (const r of roles) for (const e of Object.values(r)) entities.set(`${e.type}:${e.id}`, e);
  const list = [...entities.values()];
  const vectors = cache ? await cache.get(db, tenant, list, at) : await getOnlineFeatures(db, { tenant, entities: list, at });
  const byEntity = new Map<string, FeatureVector>(vectors.map((v) => [`${v.entity.type}:${v.entity.id}`, v]));
  // Each entity's inputs in a role are named once, however many legs share them.
  const named = new Map<string, LegInputs>();
  const inRole = (role: LegRole, e: EntityRef): LegInputs | undefined => {
    const key = `${role}:${e.type}:${e.id}`;
    let n = named.get(key);
    if (n) return n;
    const v = byEntity.get(`${e.type}:${e.id}`);
    if (!v) return undefined;
    n = { rolling: {}, freshness: {} };
    for (const [name, value] of Object.entries(v.values)) {
      n.rolling[`${role}:${name}`] = value;
      const f = withFreshness ? v.freshness[name] : undefined;
      if (f) n.freshness[`${role}:${name}`] = f;
    }
    named.set(key, n);
    return n;
  };
  return roles.map((r) => {
    const out: LegInputs = { rolling: {}, freshness: {} };
    for (const role of legRoles) {
      const n = inRole(role, r[role]);
      if (!n) continue;
      Object.assign(out.rolling, n.rolling);
      if (withFreshness) Object.assign(out.freshness, n.freshness);
    }
    return out;
  });
}
