import type { FeatureCatalog, FeatureVector } from '../features';
import { legEntities, legRoles, type LegEndpoints, type LegRole } from './leg-entities';

/** Every rolling input of a leg, `<role>:<feature>`, in a fixed order. */
export function rollingInputNames(catalog: FeatureCatalog): string[] {
  const roleEntity: Record<LegRole, 'hub' | 'lane' | 'network'> = { origin: 'hub', destination: 'hub', lane: 'lane', network: 'network' };
  return legRoles.flatMap((role) => catalog.featuresOf(roleEntity[role]).map((f) => `${role}:${f.name}`));
}

/** Merges the feature vectors of a leg's entities (any order, extra entities ignored) into its rolling inputs. */
export function rollingInputs(leg: LegEndpoints, vectors: readonly FeatureVector[]): Record<string, number | null> {
  const entities = legEntities(leg);
  const out: Record<string, number | null> = {};
  for (const role of legRoles) {
    const e = entities[role];
    const v = vectors.find((x) => x.entity.type === e.type && x.entity.id === e.id);
    if (!v) continue;
    for (const [name, value] of Object.entries(v.values)) out[`${role}:${name}`] = value;
  }
  return out;
}
