import pino from 'pino';
import { createConsumerMetrics, createMetricsRegistry } from '../../core/metrics';
import { applyConditions } from '../../pipelines/alerts/apply-conditions';
import type { Condition } from '../../pipelines/alerts/condition';
import { OpenAlertIndex } from '../../pipelines/alerts/open-alert-index';
import { RulesCache } from '../../pipelines/alerts/rules-cache';
import { appendAlertEvents } from '../../pipelines/alerts/store/append-alert-events';
import { transitionAlert } from '../../pipelines/alerts/store/transition-alert';
import { ScoringConsumer } from '../../pipelines/scoring-consumer';
import { noChampion } from '../../pipelines/scoring/delay-scorer';
import type { IncomingMessage, Transport } from '../../pipelines/transport';
import { createTestDatabase, type TestDatabase } from './support/test-env';

let seq = 0;
const start = Date.UTC(2026, 10, 23, 8);
const battery = (deviceId: string, pct: number): IncomingMessage => {
  seq++;
  return { id: `m${seq}`, tenant: 'acme', data: Buffer.from(JSON.stringify({ id: `r${seq}`, deviceId, ts: new Date(start + seq * 1000).toISOString(), metrics: { battery_pct: pct } })) };
};

/**
 * The scoring consumer sends the database only the alert changes its conditions may make, by
 * knowing which alerts are unresolved from the alert event log (pipelines/alerts/open-alert-index.ts).
 * Whoever changed an alert (another consumer, an operator), the next batch acts on what is
 * committed: here two consumers take turns with one device's reports, and an operator steps in.
 */
describe('scoring consumers and the alerts others changed (real PostgreSQL)', () => {
  let t: TestDatabase;
  let a: ScoringConsumer;
  let b: ScoringConsumer;
  let consumer: () => ScoringConsumer;
  const statements: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase('fc_open_index');
    const logger = pino({ level: 'silent' });
    consumer = () => new ScoringConsumer({
      db: t.db, transport: { name: 'redis' } as unknown as Transport, logger, metrics: createConsumerMetrics(createMetricsRegistry('test')),
      rules: new RulesCache(t.db, logger, 0), scorer: noChampion, afterCommit: async () => undefined,
    });
    a = consumer();
    b = consumer();
    t.db.on('query', (q: { sql: string }) => statements.push(q.sql));
  });
  afterAll(async () => {
    await t?.drop();
  });

  const batteryAlerts = async () =>
    (await t.db('alerts').where({ tenant: 'acme', kind: 'battery_low' }).orderBy('id').select('id', 'state', 'resolved_by')) as { id: number; state: string; resolved_by: string | null }[];
  const operator = async (id: number, what: 'acknowledge' | 'resolve') =>
    t.db.transaction(async (trx) => {
      const changed = (await transitionAlert(trx, 'acme', String(id), what, 'key:ops', null))!;
      await appendAlertEvents(trx, [{ row: changed.row, action: what === 'acknowledge' ? 'acknowledged' : 'resolved', fromState: changed.fromState, actor: 'key:ops', reason: null }]);
    });

  it('resolves, re-opens and leaves alone what other consumers and operators changed', async () => {
    // Both know the tenant before anything is open.
    await a.handleBatch([battery('truck-1', 90)]);
    await b.handleBatch([battery('truck-1', 90)]);
    expect(await batteryAlerts()).toEqual([]);

    // A opens; B, with the next report, resolves what A opened.
    expect((await a.handleBatch([battery('truck-1', 5)])).events.map((e) => e.event.action)).toEqual(['opened']);
    expect((await b.handleBatch([battery('truck-1', 80)])).events.map((e) => e.event.action)).toEqual(['resolved']);
    // A learns of B's resolve: low again is a new alert.
    expect((await a.handleBatch([battery('truck-1', 4)])).events.map((e) => e.event.action)).toEqual(['opened']);
    expect((await batteryAlerts()).map((x) => x.state)).toEqual(['resolved', 'open']);

    // An operator resolves it while the battery is still low: the next low report opens a new one.
    await operator((await batteryAlerts())[1]!.id, 'resolve');
    expect((await a.handleBatch([battery('truck-1', 4)])).events.map((e) => e.event.action)).toEqual(['opened']);
    // Acknowledged is still unresolved: the next good report resolves it, in the other consumer.
    await operator((await batteryAlerts())[2]!.id, 'acknowledge');
    expect((await b.handleBatch([battery('truck-1', 60)])).events.map((e) => e.event.action)).toEqual(['resolved']);
    expect(await batteryAlerts()).toEqual([
      expect.objectContaining({ state: 'resolved', resolved_by: 'system:scoring' }),
      expect.objectContaining({ state: 'resolved', resolved_by: 'key:ops' }),
      expect.objectContaining({ state: 'resolved', resolved_by: 'system:scoring' }),
    ]);

    // Reports that change nothing send no alert statement at all: nothing to open, nothing to resolve.
    statements.length = 0;
    expect((await a.handleBatch([battery('truck-1', 70), battery('truck-2', 65), battery('truck-3', 99)])).events).toEqual([]);
    expect(statements.filter((s) => /(INSERT INTO|UPDATE) alerts/.test(s))).toEqual([]);
    // While one is open, more low reports do not try to open it again.
    await a.handleBatch([battery('truck-2', 3)]);
    statements.length = 0;
    expect((await a.handleBatch([battery('truck-2', 2), battery('truck-2', 1)])).events).toEqual([]);
    expect(statements.filter((s) => /(INSERT INTO|UPDATE) alerts/.test(s))).toEqual([]);
    expect((await batteryAlerts()).map((x) => x.state)).toEqual(['resolved', 'resolved', 'resolved', 'open']);
  });

  it('starts from the alerts already open: a restarted consumer neither opens them again nor misses their resolve', async () => {
    const restarted = consumer();
    statements.length = 0;
    expect((await restarted.handleBatch([battery('truck-2', 1)])).events).toEqual([]);
    expect(statements.filter((s) => /(INSERT INTO|UPDATE) alerts/.test(s))).toEqual([]);
    expect((await restarted.handleBatch([battery('truck-2', 90)])).events.map((e) => e.event.action)).toEqual(['resolved']);
  });

  it('sends a clear no later report repeats (an arrival) even where its index has not seen the alert open yet', async () => {
    const index = new OpenAlertIndex();
    await t.db.transaction((trx) => index.catchUp(trx, ['acme']));
    const delay = (shipmentId: string, active: boolean, final?: boolean): Condition => ({
      tenant: 'acme', kind: 'predicted_delay', subjectType: 'shipment', subjectId: shipmentId, ruleKey: '', active, at: Date.now(),
      ...(active ? {} : { clearReason: final ? 'arrived' : 'condition_cleared', final }),
    });
    // Another writer opens two after the index caught up.
    await t.db.transaction((trx) => applyConditions(trx, [delay('S1', true), delay('S2', true)], 'system:other'));
    const cleared = await t.db.transaction((trx) => applyConditions(trx, [delay('S1', false, true), delay('S2', false)], 'system:scoring', { index }));
    expect(cleared.events.map((e) => [e.event.alert.subject.id, e.event.action, e.event.reason])).toEqual([['S1', 'resolved', 'arrived']]);
    // The repeated clear is acted on once the index has caught up (the next batch).
    const next = await t.db.transaction(async (trx) => {
      await index.catchUp(trx, ['acme']);
      return applyConditions(trx, [delay('S2', false)], 'system:scoring', { index });
    });
    expect(next.events.map((e) => [e.event.alert.subject.id, e.event.action])).toEqual([['S2', 'resolved']]);
  });
});
