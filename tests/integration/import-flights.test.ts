import pino from 'pino';
import { getHistoricalFeatures } from '../../features';
import { delayFeatureCatalog } from '../../models/delay-feature-catalog';
import { importFlights } from '../../training/flights/import-flights';
import { vegaDataFile } from '../../training/flights/vega-data';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const logger = pino({ level: 'silent' });

describe('flowcast import flights', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('fc_flights');
  });
  afterAll(async () => {
    await t.drop();
  });

  const run = () => importFlights({
    db: t.db, logger, tenant: 'flights', parquetPath: vegaDataFile('flights-3m.parquet'), airportsCsv: vegaDataFile('airports.csv'),
    limit: 4000, allowedLatenessMs: 900_000,
  });

  it('stores each flight as a leg with its outcome, and its events build the same rolling features a brute-force recount gives', async () => {
    const first = await run();
    expect(first).toMatchObject({ flights: 4000, daysAlreadyDone: 0, events: 8000 });
    expect(Number((await t.db('shipment_legs').count('* as n'))[0]?.n)).toBe(4000);
    expect(Number((await t.db('leg_outcomes').count('* as n'))[0]?.n)).toBe(4000);

    // Block time from distance: planned arrival − departure = 30 + 0.125 · miles minutes.
    const leg = (await t.db.raw(`SELECT extract(epoch FROM planned_arrival - planned_departure) / 60 AS minutes FROM shipment_legs WHERE shipment_id = 'FL1'`)).rows[0] as { minutes: string };
    expect(Number(leg.minutes)).toBeCloseTo(30 + 0.125 * 215, 0); // the second flight of the file: ATL→SAV, 215 miles

    // The network's mean arrival delay over the hour before 06:00 on 1 Jan, recounted from the outcomes.
    const at = Date.UTC(2001, 0, 1, 6);
    const expected = (await t.db.raw(
      `SELECT avg(extract(epoch FROM o.arrived_at - l.planned_arrival) / 60) AS mean, count(*) AS n
       FROM leg_outcomes o JOIN shipment_legs l USING (tenant, shipment_id, seq)
       WHERE o.arrived_at >= to_timestamp(?) AND o.arrived_at < to_timestamp(?)`, [(at - 3_600_000) / 1000, at / 1000],
    )).rows[0] as { mean: string; n: number };
    expect(Number(expected.n)).toBeGreaterThan(10);
    const [network] = await getHistoricalFeatures(t.db, { tenant: 'flights', rows: [{ entity: { type: 'network', id: 'all' }, at }], catalog: delayFeatureCatalog });
    expect(network?.values['network.delay_mean_1h']).toBeCloseTo(Number(expected.mean), 3);
  });

  it('resumes: a second run skips the days already committed and counts nothing twice', async () => {
    const rows = [6, 12, 18, 23].map((h) => ({ entity: { type: 'hub' as const, id: 'ATL' }, at: Date.UTC(2001, 0, 1, h) }));
    const read = async () => (await getHistoricalFeatures(t.db, { tenant: 'flights', rows, catalog: delayFeatureCatalog })).map((v) => v.values);
    const before = await read();
    expect(before.some((v) => (v['hub.departures_3h'] as number) > 0)).toBe(true);
    const again = await run();
    expect(again.daysImported).toBe(0);
    expect(again.daysAlreadyDone).toBe(again.days);
    expect(await read()).toEqual(before);
  });
});
