import type { Knex } from 'knex';
import { getHistoricalFeatures, type FeatureCatalog, type HistoricalRow } from '../features';
import { legEntities, legRoles } from '../models/leg-entities';
import { rollingInputNames, rollingInputs } from '../models/rolling-inputs';
import type { DelayDataset } from './delay-dataset';
import { loadLabelledLegs } from './store/load-labelled-legs';

export interface BuildDatasetOptions {
  db: Knex;
  tenant: string;
  catalog: FeatureCatalog;
  /** Planned departures in [from, to), epoch ms. */
  from: number;
  to: number;
  limit?: number;
  /** Legs per point-in-time request (bounds memory: each loads its entities' tiles). */
  legsPerRequest?: number;
  onProgress?: (doneLegs: number, totalLegs: number) => void;
}

/**
 * The training table: every labelled leg with the rolling features of its hubs, lane and the
 * network as of its planned departure, read point-in-time by getHistoricalFeatures (only
 * events before the departure count), exactly what an online read then would have returned.
 */
export async function buildDelayDataset(o: BuildDatasetOptions): Promise<DelayDataset> {
  const legs = await loadLabelledLegs(o.db, o.tenant, o.from, o.to, o.limit);
  const size = legs.plannedDeparture.length;
  const rollingNames = rollingInputNames(o.catalog);
  const width = rollingNames.length;
  const rolling = new Float32Array(size * width).fill(Number.NaN);
  const step = o.legsPerRequest ?? 100_000;
  for (let start = 0; start < size; start += step) {
    const end = Math.min(size, start + step);
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
  }
  return { size, ...legs, rollingNames, rolling };
}
