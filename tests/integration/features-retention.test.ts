import { defaultCatalog } from '../../features/definitions';
import { FeatureStatePrunedError, firstReadableAt, minimumRetentionMs, pruneHorizon } from '../../features/feature-retention';
import { getHistoricalFeatures } from '../../features/historical-features';
import { getOnlineFeatures } from '../../features/online-features';
import { pruneFeatureState } from '../../features/store/prune-feature-state';
import { upsertShipmentLegs } from '../../features/store/upsert-shipment-legs';
import { seededRandom } from '../../pipelines/sample-reports';
import { featureIngest, randomBatches } from './support/feature-ingest';
import { featureStream } from './support/feature-stream';
import { runFlowcast } from './support/spawn-flowcast';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const hour = 3_600_000;
const day = 24 * hour;
const lateness = 15 * 60_000;

/**
 * Pruning deletes tile rows that end by the horizon, a batch at a time (device events are the
 * reports themselves, which it leaves alone): every value whose windows start after the horizon is
 * unchanged, and a point-in-time read reaching before it is refused instead of answered from part
 * of a window.
 */
describe('feature retention', () => {
  let t: TestDatabase;
  const tenant = 'acme';
  const stream = featureStream(41, 4000, 12 * day, 5 * 60_000);
  const keepMs = 9 * day;
  const before = pruneHorizon(stream.endMs, keepMs, defaultCatalog, lateness);
  const counts = async () => ({
    tiles: Number((await t.db.raw('SELECT count(*) AS n FROM feature_entity_tiles')).rows[0].n),
    oldTiles: Number((await t.db.raw('SELECT count(*) AS n FROM feature_entity_tiles WHERE tile_start + tile_ms <= ?', [before])).rows[0].n),
    reports: Number((await t.db.raw('SELECT count(*) AS n FROM reports')).rows[0].n),
  });

  beforeAll(async () => {
    t = await createTestDatabase('fc_feat_retention');
    await upsertShipmentLegs(t.db, tenant, stream.legs);
    const ingest = featureIngest(t.db, { tenant, allowedLatenessMs: 24 * hour });
    for (const batch of randomBatches(stream.reports, 200, seededRandom(9))) await ingest.deliver(batch);
  });
  afterAll(async () => {
    await t.drop();
  });

  it('refuses a retention shorter than the longest window, widest tile and lateness', () => {
    expect(minimumRetentionMs(defaultCatalog, lateness)).toBe(7 * day + 15 * 60_000 + lateness);
    expect(() => pruneHorizon(stream.endMs, 7 * day, defaultCatalog, lateness)).toThrow('a feature retention of 168 h is shorter than the 168.5 h that online reads and late events need');
  });

  it('deletes only what is older than the horizon and leaves every later value as it was', async () => {
    // Instants whose windows (7 days at most, for shipments) all start after the horizon.
    const instants = [before + 7 * day + hour, stream.endMs - day, stream.endMs + 60_000];
    const rows = stream.entities.flatMap((entity) => instants.map((at) => ({ entity, at })));
    const historical = await getHistoricalFeatures(t.db, { tenant, rows, withFreshness: true });
    const online = await Promise.all(instants.map((at) => getOnlineFeatures(t.db, { tenant, entities: stream.entities, at })));
    const had = await counts();
    expect(had.oldTiles).toBeGreaterThan(100);
    expect(had.reports).toBe(stream.reports.length);

    const progress: number[] = [];
    const deleted = await pruneFeatureState(t.db, { before, batchRows: 97, onProgress: (d) => progress.push(d.tiles) });
    expect(deleted).toEqual({ tiles: had.oldTiles });
    expect(progress.length).toBeGreaterThan(2);
    expect(await counts()).toEqual({ tiles: had.tiles - had.oldTiles, oldTiles: 0, reports: had.reports });

    expect(await getHistoricalFeatures(t.db, { tenant, rows, withFreshness: true })).toEqual(historical);
    expect(await Promise.all(instants.map((at) => getOnlineFeatures(t.db, { tenant, entities: stream.entities, at })))).toEqual(online);
  });

  it('refuses a point-in-time row whose window reaches before the horizon, naming the row', async () => {
    const hub = stream.entities.find((e) => e.type === 'hub')!;
    const rows = [{ entity: hub, at: stream.endMs }, { entity: hub, at: before + 2 * hour }];
    const refused = getHistoricalFeatures(t.db, { tenant, rows });
    await expect(refused).rejects.toBeInstanceOf(FeatureStatePrunedError);
    await expect(refused).rejects.toMatchObject({ code: 'FC_FEATURES_PRUNED', httpStatus: 410, details: { row: 1, prunedBefore: before } });
    // A hub's windows reach back 24 h and a tile: a row at its first readable instant is answered.
    const first = firstReadableAt(before, defaultCatalog, 'hub');
    await expect(refused).rejects.toMatchObject({ details: { firstReadableAt: first } });
    expect(await getHistoricalFeatures(t.db, { tenant, rows: [{ entity: hub, at: first }] })).toHaveLength(1);
    // A later prune never moves the recorded horizon back.
    await pruneFeatureState(t.db, { before: before - day });
    await expect(getHistoricalFeatures(t.db, { tenant, rows })).rejects.toMatchObject({ details: { prunedBefore: before } });
  });

  it('flowcast features prune refuses too short a retention and prunes with a valid one', async () => {
    const env = { DATABASE_URL: t.url, LOG_LEVEL: 'warn' };
    const short = await runFlowcast(['features', 'prune', '--keep-days', '2'], env);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/a feature retention of 48 h is shorter than the 168.5 h/);
    const none = await runFlowcast(['features', 'prune'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/say how many days of feature state to keep/);
    const bad = await runFlowcast(['features', 'prune', '--keep-days', '9', '--batch-rows', 'lots'], env);
    expect([bad.code, bad.stderr]).toEqual([2, 'flowcast: --batch-rows must be a positive whole number, not "lots"\n']);
    // The stream is in January 2026, so keeping 8 days back from today deletes all of it.
    const ran = await runFlowcast(['features', 'prune', '--keep-days', '8'], env);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^deleted \d+ tile rows before \d{4}-/);
    expect(await counts()).toMatchObject({ tiles: 0 });
  });
});
