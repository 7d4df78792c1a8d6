import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { getOnlineFeatures } from '../../features';
import { importShipments } from '../../training/shipments/import-shipments';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const logger = pino({ level: 'silent' });

describe('flowcast import shipments', () => {
  let t: TestDatabase;
  const dir = mkdtempSync(path.join(tmpdir(), 'fc-import-'));
  beforeAll(async () => {
    t = await createTestDatabase('fc_import');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('loads the good rows, skips each bad one with its line number and reason, and feeds the events to rolling features', async () => {
    const file = path.join(dir, 'legs.csv');
    writeFileSync(file, [
      'ref,leg,kind,origin,destination,etd,eta,atd,ata', // line 1
      'S1,0,road,HAM,MUC,2024-03-01 08:00,2024-03-01 16:00,2024-03-01 08:10,2024-03-01 16:40', // 2: good, 40 min late
      'S2,0,boat,HAM,MUC,2024-03-01 09:00,2024-03-01 17:00,,', // 3: unknown mode
      'S3,0,road,HAM,MUC,2024-03-01 10:00', // 4: too few columns
      '', // 5: blank
      'S4,0,rail,HAM,MUC,2024-03-01 10:00,2024-03-01 09:00,,', // 6: arrival before departure
      'S5,0,road,HAM,MUC,soon,2024-03-01 18:00,,', // 7: not a date-time
      'S1,0,road,HAM,MUC,2024-03-01 08:00,2024-03-01 16:00,,', // 8: duplicate of line 2
      'S6,0,road,HAM,MUC,2024-03-01 11:00,2024-03-01 19:00,2024-03-01 11:00,2024-03-01 19:20', // 9: good, 20 min late
      'S7,1,air,MUC,BER,2024-03-01 12:00,2024-03-01 13:10,,', // 10: good, no outcome yet
    ].join('\n'));
    const s = await importShipments({
      db: t.db, logger, tenant: 'acme', file, allowedLatenessMs: 900_000,
      map: 'ref=shipmentId,leg=seq,kind=mode,origin=from,destination=to,etd=plannedDeparture,eta=plannedArrival,atd=actualDeparture,ata=actualArrival',
    });
    expect(s.loaded).toBe(3);
    expect(s.withOutcome).toBe(2);
    expect(s.rejected).toBe(5);
    expect(s.rejections.map((r) => r.line)).toEqual([3, 4, 6, 7, 8]);
    expect(s.rejections[0]?.reason).toMatch(/mode/);
    expect(s.rejections[1]?.reason).toMatch(/Expected Number of Columns/);
    expect(s.rejections[2]?.reason).toBe('plannedArrival is before plannedDeparture');
    expect(s.rejections[3]?.reason).toBe('plannedDeparture "soon" is not a date-time');
    expect(s.rejections[4]?.reason).toBe('shipment S1 leg 0 already given on line 2');

    expect(Number((await t.db('shipment_legs').where({ tenant: 'acme' }).count('* as n'))[0]?.n)).toBe(3);
    // The lane's rolling mean delay, read online after both arrivals: (40 + 20) / 2.
    const [lane] = await getOnlineFeatures(t.db, { tenant: 'acme', entities: [{ type: 'lane', id: 'HAM->MUC' }], at: Date.UTC(2024, 2, 1, 21) });
    expect(lane?.values['lane.delay_mean_24h']).toBeCloseTo(30);
    expect(lane?.values['lane.count_24h']).toBe(2);
  });

  it('refuses a file whose required field has no column, naming it', async () => {
    const file = path.join(dir, 'partial.csv');
    writeFileSync(file, 'shipmentId,mode,from,to\nS1,road,A,B\n');
    await expect(importShipments({ db: t.db, logger, tenant: 'acme', file, allowedLatenessMs: 900_000 })).rejects.toThrow(/no column for plannedDeparture, plannedArrival/);
  });
});
