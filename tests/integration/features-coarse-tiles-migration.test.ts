import * as m0033 from '../../core/migrations/0033-feature-coarse-tiles';
import { getHistoricalFeatureColumns } from '../../features/historical-features';
import { getOnlineFeatures } from '../../features/online-features';
import { slotWidth } from '../../features/signal-slots';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { seededRandom } from '../../pipelines/sample-reports';
import { featureIngest, randomBatches } from './support/feature-ingest';
import { featureStream } from './support/feature-stream';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const tenant = 'acme';
const hour = 3_600_000;
const coarse = `(entity_type IN ('hub', 'lane') AND tile_ms = ${hour}) OR (entity_type = 'network' AND tile_ms = 900000)`;

type Row = { entity_type: string; entity_id: string; tile_ms: string; tile_start: string; v: string[] };

/**
 * History stored before migration 0033 has no hour (network: quarter-hour) tiles. The migration
 * builds them from the finer tiles: the same integers ingest writes, but for the EWMA sums (moved
 * to the coarse start, one rounding more), so every value but the EWMA is what it was.
 */
describe('migration 0033: coarse tiles built from the fine ones', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('fc_feat_coarse');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('equal the tiles ingest writes, and reads give the same values', async () => {
    const stream = featureStream(41, 2000, 30 * hour, 10 * 60_000);
    await upsertShipmentLegs(t.db, tenant, stream.legs);
    const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: 15 * 60_000 });
    for (const batch of randomBatches(stream.reports, 100, seededRandom(4))) await ingest.deliver(batch);

    const rowsOf = async (): Promise<Row[]> => t.db('feature_entity_tiles').whereRaw(coarse).orderBy(['entity_type', 'entity_id', 'tile_ms', 'tile_start']);
    const entities = stream.entities.filter((e) => e.type !== 'device' && e.type !== 'shipment');
    const times = [6, 13.5, 25.25, 30.2].map((h) => stream.startMs + h * hour + 7_123);
    const read = async () => ({
      online: await Promise.all(times.map((at) => getOnlineFeatures(t.db, { tenant, entities, at }))),
      columns: await getHistoricalFeatureColumns(t.db, { tenant, rows: times.flatMap((at) => entities.map((entity) => ({ entity, at }))) }),
    });
    const written = await rowsOf();
    const before = await read();
    expect(written.map((r) => r.entity_type)).toEqual(expect.arrayContaining(['hub', 'lane', 'network']));

    await m0033.down(t.db);
    expect(await rowsOf()).toEqual([]);
    await m0033.up(t.db);
    const built = await rowsOf();

    expect(built.map(({ v, ...key }) => ({ ...key, length: v.length }))).toEqual(written.map(({ v, ...key }) => ({ ...key, length: v.length })));
    built.forEach((row, i) => {
      const ingested = (written[i] as Row).v;
      row.v.forEach((x, k) => {
        const ew = k % slotWidth >= 6;
        // EWMA sums: within the rounding of the fine tiles' sums (half a unit each) moved to the coarse start.
        if (ew) expect(Math.abs(Number(x) - Number(ingested[k])) / Math.max(1, Math.abs(Number(ingested[k])))).toBeLessThan(1e-6);
        else expect({ row: i, k, x }).toEqual({ row: i, k, x: ingested[k] });
      });
    });

    const after = await read();
    let nonEmpty = 0;
    for (const [name, column] of before.columns) {
      const now = after.columns.get(name) as Float64Array;
      column.forEach((x, i) => {
        const y = now[i] as number;
        if (name.includes('ewma') && !Number.isNaN(x)) expect(Math.abs(y - x)).toBeLessThan(1e-6 * Math.max(1, Math.abs(x)));
        else expect({ name, i, y }).toEqual({ name, i, y: x });
        if (!Number.isNaN(x) && x !== 0) nonEmpty++;
      });
    }
    expect(nonEmpty).toBeGreaterThan(50);
    after.online.forEach((vectors, i) =>
      vectors.forEach((v, j) => {
        for (const [name, x] of Object.entries(before.online[i]![j]!.values)) {
          const y = v.values[name] ?? null;
          if (name.includes('ewma') && x !== null && y !== null) expect(Math.abs(y - x)).toBeLessThan(1e-6 * Math.max(1, Math.abs(x)));
          else expect({ name, y }).toEqual({ name, y: x });
        }
      }),
    );
  });
});
