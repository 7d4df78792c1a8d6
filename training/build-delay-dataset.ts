import type { Knex } from 'knex';
import { getHistoricalFeatures, type FeatureCatalog, type HistoricalRow } from '../features';
import { legEntities, legRoles } from '../models/leg-entities';
import { rollingInputNames, rollingInputs } from '../models/rolling-inputs';
import type { DelayDataset } from './delay-dataset';
import { mulberry32, shuffled } from './seeded-random';
import { loadLabelledLegs, type LabelledLegs } from './store/load-labelled-legs';

export interface BuildDatasetOptions {
  db: Knex;
  tenant: string;
  catalog: FeatureCatalog;
  /** Planned departures in [from, to), epoch ms. */
  from: number;
  to: number;
  limit?: number;
  /** Keep a uniform random sample of this many legs (seeded), still in time order. */
  sample?: number;
  seed?: number;
  /** Most legs and longest span of planned departures per point-in-time request: each request loads its entities' tiles over its span. */
  legsPerRequest?: number;
  spanPerRequestMs?: number;
  onProgress?: (doneLegs: number, totalLegs: number) => void;
}

/**
 * The training table: every labelled leg with the rolling features of its hubs, lane and the
 * network as of its planned departure, read point-in-time by getHistoricalFeatures (only
 * events before the departure count), exactly what an online read then would have returned.
 */
export async function buildDelayDataset(o: BuildDatasetOptions): Promise<DelayDataset> {
  const all = await loadLabelledLegs(o.db, o.tenant, o.from, o.to, o.limit);
  const legs = o.sample !== undefined && o.sample < all.plannedDeparture.length ? sampleLegs(all, o.sample, o.seed ?? 1) : all;
  const size = legs.plannedDeparture.length;
  const rollingNames = rollingInputNames(o.catalog);
  const width = rollingNames.length;
  const rolling = new Float32Array(size * width).fill(Number.NaN);
  const step = o.legsPerRequest ?? 100_000;
  const span = o.spanPerRequestMs ?? 86_400_000;
  let start = 0;
  while (start < size) {
    let end = start + 1;
    while (end < size && end - start < step && (legs.plannedDeparture[end] as number) - (legs.plannedDeparture[start] as number) < span) end++;
    const rows: HistoricalRow[] = [];
    for (let i = start; i < end; i++) {
      const entities = legEntities({ from: legs.from[i] as string, to: legs.to[i] as string });
      for (const role of legRoles) rows.push({ entity: entities[role], at: legs.plannedDeparture[i] as number });
    }
    const vectors = await getHistoricalFeatures(o.db, { tenant: o.tenant, rows, catalog: o.catalog });
    for (let i = start; i < end; i++) {
      const k = (i - start) * legRoles.length;
      const values = rollingInputs({ from: legs.from[i] as string, to: legs.to[i] as string }, vectors.slice(k, k + legRoles.length));
      rollingNames.forEach((name, j) => {
        const v = values[name];
        if (v !== null && v !== undefined) rolling[i * width + j] = v;
      });
    }
    o.onProgress?.(end, size);
    start = end;
  }
  return { size, ...legs, rollingNames, rolling };
}

function sampleLegs(legs: LabelledLegs, n: number, seed: number): LabelledLegs {
  const rows = shuffled(legs.plannedDeparture.length, mulberry32(seed)).subarray(0, n).sort();
  const pick = <T>(a: ArrayLike<T>) => Array.from(rows, (i) => a[i] as T);
  return {
    from: pick(legs.from), to: pick(legs.to), mode: pick(legs.mode),
    plannedDeparture: Float64Array.from(rows, (i) => legs.plannedDeparture[i] as number),
    plannedArrival: Float64Array.from(rows, (i) => legs.plannedArrival[i] as number),
    delayMin: Float32Array.from(rows, (i) => legs.delayMin[i] as number),
  };
}
