import type { StoredReport } from '../../core/store/insert-reports';
import * as m0015 from '../../core/migrations/0015-feature-entity-tiles';
import { defaultCatalog } from '../../features/definitions';
import { extractObservations } from '../../features/extract-observations';
import type { SeriesDefinition } from '../../features/feature-definition';
import { getOnlineFeatures } from '../../features/online-features';
import { mergeTiles, singletonTile, type Tile } from '../../features/tile';
import { bruteForceFeatures } from './support/brute-force-features';
import { featureStream } from './support/feature-stream';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const tenant = 'acme';
const hour = 3_600_000;

/** The series as feature_tiles (migrations 0006/0007) kept them: device report and battery in 5 s tiles. */
function oldSeries(): SeriesDefinition[] {
  return [...defaultCatalog.series.values()].map((s) => {
    if (s.entity !== 'device') return s;
    const tileMs = s.signal === 'speed_kph' ? 15_000 : 5_000;
    return { ...s, tileMs, name: `device.${s.signal}@${tileMs / 1000}s` };
  });
}

/**
 * Migration 0015 moves per-series rows into one row per entity and tile (device series re-tiled
 * from 5 s to 15 s): the values read afterwards equal the brute force over the same events.
 */
describe('migration 0015: feature_tiles rows move into feature_entity_tiles', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('fc_feat_mig');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('keeps every value', async () => {
    const stream = featureStream(31, 1200, 4 * hour, 0);
    const legsOf = (_t: string, id: string) => stream.legs.filter((l) => l.shipmentId === id);
    const observations = stream.reports.flatMap((report) => extractObservations({ tenant, report } as StoredReport, legsOf));
    const tiles = new Map<string, { entity: string; entityId: string; series: string; tile: Tile }>();
    for (const o of observations) {
      for (const s of oldSeries().filter((x) => x.entity === o.entity && x.signal === o.signal)) {
        const tile = singletonTile(s, o.ts, o.value);
        const key = `${o.entity}/${o.entityId}/${s.name}/${tile.tileStart}`;
        const had = tiles.get(key);
        tiles.set(key, { entity: o.entity, entityId: o.entityId, series: s.name, tile: had ? mergeTiles(had.tile, tile) : tile });
      }
    }
    await m0015.down(t.db);
    const rows = [...tiles.values()].map(({ entity, entityId, series, tile }) => ({
      tenant, entity_type: entity, entity_id: entityId, series, tile_start: tile.tileStart, count: tile.count, sum: tile.sum,
      min: tile.min, max: tile.max, last_ts: tile.lastTs, last_value: tile.lastValue, ew_sum: tile.ewSum, ew_weight: tile.ewWeight,
    }));
    for (let i = 0; i < rows.length; i += 500) await t.db('feature_tiles').insert(rows.slice(i, i + 500));
    await m0015.up(t.db);

    let nonEmpty = 0;
    for (const at of [stream.startMs + hour + 7_000, stream.startMs + 2.5 * hour, stream.endMs + 20_000]) {
      const online = await getOnlineFeatures(t.db, { tenant, entities: stream.entities, at });
      online.forEach((vector, j) => {
        const brute = bruteForceFeatures(defaultCatalog, observations, tenant, stream.entities[j]!, at);
        for (const [name, expected] of Object.entries(brute)) {
          const actual = vector.values[name] ?? null;
          const same = name.includes('ewma') && expected !== null && actual !== null ? Math.abs(actual - expected) <= 1e-3 * Math.max(1, Math.abs(expected)) : actual === expected;
          expect({ name, at, actual, same }).toEqual({ name, at, actual, same: true });
          if (actual !== null && actual !== 0) nonEmpty++;
        }
      });
    }
    expect(nonEmpty).toBeGreaterThan(50);
  });
});
