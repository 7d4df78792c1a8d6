import { z } from 'zod';

/** What an alert is about; each kind is raised by one rule (docs/ALERTS.md). */
export const alertKinds = [
  'device_silent',
  'battery_low',
  'metric_out_of_range',
  'geofence_enter',
  'geofence_exit',
  'sorter_throughput_drop',
  'sorter_reject_spike',
  'drone_risk',
  'predicted_delay',
] as const;
export type AlertKind = (typeof alertKinds)[number];

export const alertStates = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof alertStates)[number];

export const subjectTypes = ['shipment', 'device', 'zone'] as const;
export type SubjectType = (typeof subjectTypes)[number];

export const severities = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof severities)[number];

export const alertLocationSchema = z.object({
  lat: z.number(),
  lon: z.number(),
  /** Event time of the position, RFC 3339. */
  ts: z.string().nullable(),
});
export type AlertLocation = z.infer<typeof alertLocationSchema>;

/** An alert as the API, the SSE stream and webhooks show it. */
export const alertSchema = z.object({
  id: z.string().describe('Stable alert id: receivers de-duplicate by it (with the event id)'),
  kind: z.enum(alertKinds),
  subject: z.object({ type: z.enum(subjectTypes), id: z.string() }),
  ruleKey: z.string().describe('Distinguishes several alerts of one kind on one subject (a metric, a geofence)'),
  state: z.enum(alertStates),
  severity: z.enum(severities),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  deviceId: z.string().nullable(),
  location: alertLocationSchema.nullable().describe("The device's last known location when the alert was raised"),
  triggeredAt: z.string().describe('Event time of the report (or sweep) that raised it'),
  openedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolveReason: z.string().nullable(),
});
export type Alert = z.infer<typeof alertSchema>;

/** One change of an alert: the audit trail and the SSE/webhook event (its seq is the event id). */
export const alertEventSchema = z.object({
  eventId: z.string(),
  action: z.enum(['opened', 'acknowledged', 'resolved']),
  actor: z.string(),
  reason: z.string().nullable(),
  at: z.string(),
  alert: alertSchema,
});
export type AlertEvent = z.infer<typeof alertEventSchema>;

/** The one-open-alert key: kind, subject and rule key. */
export const dedupeKeyOf = (kind: AlertKind, subjectType: SubjectType, subjectId: string, ruleKey: string): string =>
  `${kind}|${subjectType}|${subjectId}|${ruleKey}`;
