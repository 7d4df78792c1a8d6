import type { Knex } from 'knex';
import type { SqlStatement } from '../../../core/store/sql-statement';
import { dedupeKeyOf } from '../alert';
import type { Condition } from '../condition';

/**
 * Opens an alert for each active condition (at least one) that has none open on its dedupe key;
 * the partial unique index turns the rest into no-ops, so a condition seen again never fires
 * twice. A predicted delay is never opened for a shipment whose arrival is recorded: a report
 * scored after the arrival (a buffered upload, a tracker still reporting, a batch prepared while
 * the arrival committed) must not raise it again. Returns (RETURNING *) only the alerts it opened.
 */
export function openAlertsStatement(conditions: Condition[]): SqlStatement {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    sql: `INSERT INTO alerts (tenant, kind, subject_type, subject_id, rule_key, dedupe_key, state, severity, message, details, device_id, location, triggered_at)
     SELECT t, k, st, si, rk, dk, 'open', sev, msg, det::jsonb, dev, loc::jsonb, trig
     FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[])
       AS c(t, k, st, si, rk, dk, sev, msg, det, dev, loc, trig)
     WHERE NOT (c.k = 'predicted_delay' AND c.st = 'shipment' AND EXISTS (
       SELECT 1 FROM shipment_status s WHERE s.tenant = c.t AND s.shipment_id = c.si AND s.arrived_at IS NOT NULL))
     ON CONFLICT (tenant, dedupe_key) WHERE state <> 'resolved' DO NOTHING
     RETURNING *`,
    bindings: [
      conditions.map((c) => c.tenant),
      conditions.map((c) => c.kind),
      conditions.map((c) => c.subjectType),
      conditions.map((c) => c.subjectId),
      conditions.map((c) => c.ruleKey),
      conditions.map((c) => dedupeKeyOf(c.kind, c.subjectType, c.subjectId, c.ruleKey)),
      conditions.map((c) => c.severity ?? 'warning'),
      conditions.map((c) => c.message ?? c.kind),
      conditions.map((c) => JSON.stringify(c.details ?? {})),
      conditions.map((c) => c.deviceId ?? null),
      conditions.map((c) => (c.location ? JSON.stringify(c.location) : null)),
      conditions.map((c) => iso(c.at)),
    ] as unknown as Knex.RawBinding[],
  };
}
