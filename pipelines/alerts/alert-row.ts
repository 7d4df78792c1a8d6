import type { Alert, AlertKind, AlertLocation, AlertState, Severity, SubjectType } from './alert';

/** A row of `alerts` as pg returns it. */
export interface AlertRow {
  id: number | string;
  tenant: string;
  kind: AlertKind;
  subject_type: SubjectType;
  subject_id: string;
  rule_key: string;
  state: AlertState;
  severity: Severity;
  message: string;
  details: Record<string, unknown>;
  device_id: string | null;
  location: AlertLocation | null;
  triggered_at: Date;
  opened_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolve_reason: string | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toAlert(row: AlertRow): Alert {
  return {
    id: String(row.id),
    kind: row.kind,
    subject: { type: row.subject_type, id: row.subject_id },
    ruleKey: row.rule_key,
    state: row.state,
    severity: row.severity,
    message: row.message,
    details: row.details,
    deviceId: row.device_id,
    location: row.location,
    triggeredAt: row.triggered_at.toISOString(),
    openedAt: row.opened_at.toISOString(),
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: iso(row.resolved_at),
    resolvedBy: row.resolved_by,
    resolveReason: row.resolve_reason,
  };
}
