import type { Knex } from 'knex';
import type { SqlStatement } from '../../../core/store/sql-statement';
import { dedupeKeyOf } from '../alert';
import type { Condition } from '../condition';

/**
 * Opens an alert for each active condition (at least one) that has none open on its dedupe key;
 * the partial unique index turns the rest into no-ops, so a condition seen again never fires
 * twice. Returns (RETURNING *) only the alerts it opened.
 */
export function openAlertsStatement(conditions: Condition[]): SqlStatement {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    sql: `INSERT INTO alerts (tenant, kind, subject_type, subject_id, rule_key, dedupe_key, state, severity, message, details, device_id, location, triggered_at)
     SELECT t, k, st, si, rk, dk, 'open', sev, msg, det::jsonb, dev, loc::jsonb, trig
     FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[])
       AS c(t, k, st, si, rk, dk, sev, msg, det, dev, loc, trig)
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
