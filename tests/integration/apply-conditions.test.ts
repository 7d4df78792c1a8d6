import pino from 'pino';
import { applyConditions } from '../../pipelines/alerts/apply-conditions';
import { resolveArrivedShipmentAlerts } from '../../pipelines/alerts/arrived-shipment-sweep';
import type { Condition } from '../../pipelines/alerts/condition';
import { createWebhook } from '../../pipelines/alerts/store/create-webhook';
import { predictionsInsert } from '../../pipelines/scoring/store/insert-predictions';
import { createTestDatabase, type TestDatabase } from './support/test-env';

const at = Date.UTC(2026, 10, 23, 9);
const battery = (tenant: string, deviceId: string, active: boolean, offsetMs = 0): Condition => ({
  tenant, kind: 'battery_low', subjectType: 'device', subjectId: deviceId, ruleKey: '', active, at: at + offsetMs, deviceId,
  ...(active ? { message: `${deviceId} battery low` } : { clearReason: 'condition_cleared' }),
});

/**
 * A batch's alert changes go to PostgreSQL in few statements: opens and resolves together, then
 * the events with their webhook deliveries and whatever the caller runs alongside. These pin what
 * must still hold when they are combined.
 */
describe('applyConditions against real PostgreSQL', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase('fc_apply_conditions');
    await createWebhook(t.db, 'acme', 'http://127.0.0.1:9/hook', 'secret-1');
    await createWebhook(t.db, 'acme', 'http://127.0.0.1:9/other', 'secret-2');
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** What applyConditions said it appended must be what the event log holds, seq for seq. */
  const expectEventsAsLogged = async (applied: Awaited<ReturnType<typeof applyConditions>>) => {
    const logged = await t.db('alert_events').whereIn('seq', applied.events.map((e) => e.event.eventId)).orderBy('seq').select('seq', 'alert_id', 'action', 'tenant');
    expect(logged.map((r: { seq: number; alert_id: number; action: string; tenant: string }) => [String(r.seq), String(r.alert_id), r.action, r.tenant]))
      .toEqual(applied.events.map((e) => [e.event.eventId, String(e.event.alert.id), e.event.action, e.tenant]).sort((a, b) => Number(a[0]) - Number(b[0])));
  };

  const stateOf = async (tenant: string, deviceId: string) =>
    (await t.db('alerts').where({ tenant, subject_id: deviceId }).orderBy('id').select('state')).map((r: { state: string }) => r.state);

  it('leaves an alert opened and resolved when its condition came and went within one batch', async () => {
    const applied = await t.db.transaction((trx) => applyConditions(trx, [battery('acme', 'blip', true, 0), battery('acme', 'blip', false, 1000)], 'test'));
    expect(applied.events.map((e) => [e.event.alert.subject.id, e.event.action])).toEqual([['blip', 'opened'], ['blip', 'resolved']]);
    expect(await stateOf('acme', 'blip')).toEqual(['resolved']);
    // Event ids ascend in the order of the changes, and each event has one delivery per webhook.
    const ids = applied.events.map((e) => Number(e.event.eventId));
    expect(ids[1]).toBeGreaterThan(ids[0]!);
    expect(applied.deliveryIds).toHaveLength(4);
    const deliveries = await t.db('webhook_deliveries').whereIn('id', applied.deliveryIds).select('event_seq');
    expect(deliveries.map((d: { event_seq: number }) => d.event_seq).sort((a: number, b: number) => a - b)).toEqual([ids[0], ids[0], ids[1], ids[1]]);
    await expectEventsAsLogged(applied);
  });

  it('opens some and resolves others in the same batch, for two tenants, with the statements run alongside', async () => {
    await t.db.transaction((trx) => applyConditions(trx, [battery('acme', 'old', true), battery('zenith', 'old', true)], 'test'));
    const prediction = {
      tenant: 'acme', shipmentId: 'S-along', legSeq: 1, reportId: 'r1', deviceId: 'new', predictedAt: at, pLate: 0.2,
      delayP50Min: 1, delayP90Min: 5, modelVersion: 'delay v1', features: {}, changedAlert: false,
    };
    let changesSeen = -1;
    const applied = await t.db.transaction((trx) =>
      applyConditions(trx, [battery('acme', 'new', true), battery('acme', 'old', false), battery('zenith', 'old', false), battery('zenith', 'new', true)], 'test', {
        alongside: (changes) => {
          changesSeen = changes.length;
          return [predictionsInsert([prediction])];
        },
      }));
    expect(changesSeen).toBe(4);
    expect(applied.events.map((e) => [e.tenant, e.event.alert.subject.id, e.event.action]).sort()).toEqual([
      ['acme', 'new', 'opened'], ['acme', 'old', 'resolved'], ['zenith', 'new', 'opened'], ['zenith', 'old', 'resolved'],
    ]);
    expect(applied.events.find((e) => e.event.action === 'resolved')!.event.alert.state).toBe('resolved');
    await expectEventsAsLogged(applied);
    // Only acme has webhooks.
    expect(applied.deliveryIds).toHaveLength(4);
    expect(await stateOf('acme', 'old')).toEqual(['resolved']);
    expect(await stateOf('zenith', 'new')).toEqual(['open']);
    expect(await t.db('predictions').where({ shipment_id: 'S-along' }).count('* as n').first()).toEqual({ n: 1 });
  });

  it('runs the statements alongside even when nothing changes', async () => {
    const prediction = {
      tenant: 'acme', shipmentId: 'S-quiet', legSeq: 1, reportId: 'r2', deviceId: 'new', predictedAt: at, pLate: 0.1,
      delayP50Min: 0, delayP90Min: 2, modelVersion: 'delay v1', features: {}, changedAlert: false,
    };
    // 'new' is already open: nothing to open again.
    const applied = await t.db.transaction((trx) => applyConditions(trx, [battery('acme', 'new', true)], 'test', { alongside: () => [predictionsInsert([prediction])] }));
    expect(applied).toEqual({ events: [], deliveryIds: [] });
    expect(await t.db('predictions').where({ shipment_id: 'S-quiet' }).count('* as n').first()).toEqual({ n: 1 });
  });

  it('never opens a predicted delay for a shipment whose arrival is recorded', async () => {
    const delay = (shipmentId: string): Condition => ({
      tenant: 'acme', kind: 'predicted_delay', subjectType: 'shipment', subjectId: shipmentId, ruleKey: '', active: true, at, message: `${shipmentId} late`,
    });
    await t.db('shipment_status').insert([
      { tenant: 'acme', shipment_id: 'S-arrived', last_report_ts: new Date(at), arrived_at: new Date(at - 60_000) },
      { tenant: 'acme', shipment_id: 'S-under-way', last_report_ts: new Date(at), arrived_at: null },
      // Another tenant's arrival of the same id changes nothing for acme.
      { tenant: 'zenith', shipment_id: 'S-other', last_report_ts: new Date(at), arrived_at: new Date(at) },
    ]);
    const applied = await t.db.transaction((trx) => applyConditions(trx, [delay('S-arrived'), delay('S-under-way'), delay('S-other')], 'test'));
    expect(applied.events.map((e) => e.event.alert.subject.id).sort()).toEqual(['S-other', 'S-under-way']);
    expect(await t.db('alerts').where({ tenant: 'acme', subject_id: 'S-arrived' })).toHaveLength(0);
  });

  it('the arrival sweep resolves a predicted delay left open on an arrived shipment, once', async () => {
    const late: Condition = { tenant: 'acme', kind: 'predicted_delay', subjectType: 'shipment', subjectId: 'S-raced', ruleKey: '', active: true, at, message: 'late' };
    // Opened by a batch that could not see the arrival yet, which commits just after.
    await t.db.transaction((trx) => applyConditions(trx, [late], 'system:scoring'));
    await t.db('shipment_status').insert({ tenant: 'acme', shipment_id: 'S-raced', last_report_ts: new Date(at), arrived_at: new Date(at) });
    const announced: number[] = [];
    const sweep = { db: t.db, logger: pino({ level: 'silent' }), afterCommit: async (a: { events: unknown[] }) => void announced.push(a.events.length), now: () => at + 1000 };
    expect(await resolveArrivedShipmentAlerts(sweep)).toBe(1);
    expect(await resolveArrivedShipmentAlerts(sweep)).toBe(0);
    expect(announced).toEqual([1]);
    const alert = await t.db('alerts').where({ tenant: 'acme', subject_id: 'S-raced' }).first();
    expect(alert).toEqual(expect.objectContaining({ state: 'resolved', resolve_reason: 'arrived', resolved_by: 'system:arrival-sweep' }));
    expect(await t.db('alert_events').where({ alert_id: alert.id }).orderBy('seq').pluck('action')).toEqual(['opened', 'resolved']);
  });

  it('rolls back the alert changes when a statement alongside fails', async () => {
    const bad = { sql: 'INSERT INTO predictions (tenant) VALUES (NULL)', bindings: [] };
    await expect(t.db.transaction((trx) => applyConditions(trx, [battery('acme', 'rolled-back', true)], 'test', { alongside: () => [bad] }))).rejects.toThrow(/null value/);
    expect(await stateOf('acme', 'rolled-back')).toEqual([]);
  });
});
