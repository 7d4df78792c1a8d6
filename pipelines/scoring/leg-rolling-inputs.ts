import type { Knex } from 'knex';
import { getOnlineFeatures } from '../../features/online-features';
import type { FeatureVector } from '../../features/feature-vector';
import type { EntityRef } from '../../features/entity';
import type { OnlineFeatureCache } from '../../features/online-feature-cache';
import type { ShipmentLeg } from '../../features/shipment-leg';
import { legEntities, legRoles, type LegRole } from '../../models/leg-entities';

export interface LegInputs {
  rolling: Record<string, number | null>;
  /** Per input, the newest event counted (epoch ms, null if none) and how old the value is. */
  freshness: Record<string, { asOf: number; lastEventAt: number | null }>;
}

/**
 * The rolling inputs of several legs of one tenant as of `at`, read in one online-store call
 * (through `cache` when given): the features of each leg's origin, destination, lane and the
 * network, named `<role>:<feature>`. Without `withFreshness` the freshness maps stay empty, and
 * legs whose four feature vectors are the same objects (a cache answering) share one `rolling`
 * record, named once: treat it as read-only.
 */
export async function legRollingInputs(db: Knex, tenant: string, legs: ShipmentLeg[], at: number, cache?: OnlineFeatureCache, withFreshness = true): Promise<LegInputs[]> {
  const entities = new Map<string, EntityRef>();
  const roles = legs.map((leg) => legEntities(leg));
  for (const r of roles) for (const e of Object.values(r)) entities.set(`${e.type}:${e.id}`, e);
  const list = [...entities.values()];
  const byEntity = cache
    ? await cache.get(tenant, list, at)
    : new Map<string, FeatureVector>((await getOnlineFeatures(db, { tenant, entities: list, at })).map((v) => [`${v.entity.type}:${v.entity.id}`, v]));
  const vectorOf = (e: EntityRef) => byEntity.get(`${e.type}:${e.id}`);
  if (!withFreshness) {
    return roles.map((r) => ({ rolling: combined(legRoles.map((role) => vectorOf(r[role]))), freshness: {} }));
  }
  return roles.map((r) => legInputsOf(legRoles.map((role) => vectorOf(r[role]))));
}

/** A leg's rolling inputs and their freshness from its vectors in legRoles order (origin, destination, lane, network). */
export function legInputsOf(vectors: (FeatureVector | undefined)[]): LegInputs {
  const out: LegInputs = { rolling: {}, freshness: {} };
  legRoles.forEach((role, r) => {
    const v = vectors[r];
    if (!v) return;
    const names = inputNames[r] as Map<string, string>;
    for (const name in v.values) {
      let input = names.get(name);
      if (input === undefined) names.set(name, (input = `${role}:${name}`));
      out.rolling[input] = v.values[name] as number | null;
      const f = v.freshness[name];
      if (f) out.freshness[input] = f;
    }
  });
  return out;
}

/** Per role (legRoles order), feature name → input name (`<role>:<feature>`), made once. */
const inputNames = legRoles.map(() => new Map<string, string>());

type Rolling = Record<string, number | null>;

// Memos on the vectors themselves: they live as long as the feature cache keeps the vectors.
const namedInRole = new WeakMap<FeatureVector, Partial<Record<LegRole, Rolling>>>();
const combinedOf = new WeakMap<FeatureVector, { parts: (FeatureVector | undefined)[]; rolling: Rolling }>();

/** The vectors' values named `<role>:<feature>` in role order, in one record; the same record again for the same vectors. */
function combined(parts: (FeatureVector | undefined)[]): Rolling {
  const key = parts[legRoles.indexOf('lane')];
  const memo = key ? combinedOf.get(key) : undefined;
  if (memo && memo.parts.every((p, i) => p === parts[i])) return memo.rolling;
  const rolling: Rolling = {};
  parts.forEach((v, i) => {
    if (v) Object.assign(rolling, named(v, legRoles[i] as LegRole));
  });
  if (key) combinedOf.set(key, { parts, rolling });
  return rolling;
}

function named(v: FeatureVector, role: LegRole): Rolling {
  let byRole = namedInRole.get(v);
  if (!byRole) namedInRole.set(v, (byRole = {}));
  let out = byRole[role];
  if (!out) {
    out = {};
    for (const [name, value] of Object.entries(v.values)) out[`${role}:${name}`] = value;
    byRole[role] = out;
  }
  return out;
}
