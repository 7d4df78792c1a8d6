import type { Knex } from 'knex';
import { getOnlineFeatures } from '../../features/online-features';
import type { FeatureVector } from '../../features/feature-vector';
import type { EntityRef } from '../../features/entity';
import type { ShipmentLeg } from '../../features/shipment-leg';
import { legEntities, legRoles } from '../../models/leg-entities';

export interface LegInputs {
  rolling: Record<string, number | null>;
  /** Per input, the newest event counted (epoch ms, null if none) and how old the value is. */
  freshness: Record<string, { asOf: number; lastEventAt: number | null }>;
}

/**
 * The rolling inputs of several legs of one tenant as of `at`, read in one online-store call:
 * the features of each leg's origin, destination, lane and the network, named `<role>:<feature>`.
 */
export async function legRollingInputs(db: Knex, tenant: string, legs: ShipmentLeg[], at: number): Promise<LegInputs[]> {
  const entities = new Map<string, EntityRef>();
  for (const leg of legs) for (const e of Object.values(legEntities(leg))) entities.set(`${e.type}:${e.id}`, e);
  const vectors = await getOnlineFeatures(db, { tenant, entities: [...entities.values()], at });
  const byEntity = new Map<string, FeatureVector>(vectors.map((v) => [`${v.entity.type}:${v.entity.id}`, v]));
  return legs.map((leg) => {
    const out: LegInputs = { rolling: {}, freshness: {} };
    const roles = legEntities(leg);
    for (const role of legRoles) {
      const v = byEntity.get(`${roles[role].type}:${roles[role].id}`);
      if (!v) continue;
      for (const [name, value] of Object.entries(v.values)) {
        out.rolling[`${role}:${name}`] = value;
        const f = v.freshness[name];
        if (f) out.freshness[`${role}:${name}`] = f;
      }
    }
    return out;
  });
}
