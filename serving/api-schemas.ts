import { z } from 'zod';
import { alertKinds, alertSchema, alertStates, alertEventSchema } from '../pipelines/alerts/alert';

/** Request and response schemas of the alert, shipment and prediction routes; openapi.ts documents them. */

export const listAlertsQuery = z.strictObject({
  state: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(alertStates)))
    .optional()
    .describe('Comma-separated states; default every state'),
  kind: z.enum(alertKinds).optional(),
  subjectType: z.enum(['shipment', 'device', 'zone']).optional(),
  subjectId: z.string().min(1).max(128).optional(),
  before: z.string().regex(/^\d+$/, 'expected an alert id').optional().describe('Only alerts older than this id (next page)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const alertIdParam = z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'expected a numeric alert id') });

export const transitionBody = z.strictObject({ reason: z.string().min(1).max(1024).optional() });

export const alertListAnswer = z.object({ alerts: z.array(alertSchema), next: z.string().nullable() });

export const streamEvent = alertEventSchema;

const isoTime = z.iso.datetime({ offset: true });

export const legRequest = z.strictObject({
  from: z.string().min(1).max(128).describe('Origin hub'),
  to: z.string().min(1).max(128).describe('Destination hub'),
  mode: z.enum(['road', 'rail', 'air', 'sea']),
  plannedDeparture: isoTime,
  plannedArrival: isoTime,
  carrier: z.string().max(128).optional(),
  shipmentId: z.string().min(1).max(128).optional(),
  seq: z.number().int().min(0).optional(),
});

export const predictDelayBody = z.union([
  legRequest,
  z.strictObject({ legs: z.array(legRequest).min(1).max(1000) }),
]);

export const featureValue = z.object({
  value: z.number().nullable(),
  asOf: z.string(),
  lastEventAt: z.string().nullable(),
  ageSeconds: z.number().nullable().describe('Seconds since the newest event counted'),
});

export const delayPrediction = z.object({
  pLate: z.number(),
  delayP50Min: z.number(),
  delayP90Min: z.number(),
  predictedArrival: z.string(),
  features: z.record(z.string(), featureValue),
  topFeatures: z.array(z.object({ feature: z.string(), contribution: z.number() }))
    .describe('The rolling inputs that moved P(late) most, largest first: P(late) minus P(late) with the input at its training mean'),
});

export const predictDelayAnswer = z.object({
  model: z.object({ name: z.string(), version: z.string() }),
  predictions: z.array(delayPrediction),
});

export const shipmentAnswer = z.object({
  id: z.string(),
  status: z.enum(['planned', 'in_transit', 'arrived']),
  legs: z.array(z.object({ seq: z.number(), mode: z.string(), from: z.string(), to: z.string(), plannedDeparture: z.string(), plannedArrival: z.string(), carrier: z.string().nullable() })),
  currentLegSeq: z.number().nullable(),
  lastPosition: z.object({ lat: z.number(), lon: z.number(), ts: z.string().nullable(), deviceId: z.string().nullable() }).nullable(),
  lastReportAt: z.string().nullable(),
  arrivedAt: z.string().nullable(),
  plannedArrival: z.string().nullable(),
  predictedArrival: z.string().nullable(),
  pLate: z.number().nullable(),
  delayP50Min: z.number().nullable(),
  delayP90Min: z.number().nullable(),
  modelVersion: z.string().nullable(),
  predictedAt: z.string().nullable(),
  openAlerts: z.array(alertSchema),
});

const bookedLeg = z.strictObject({
  mode: z.enum(['road', 'rail', 'air', 'sea']),
  from: z.string().min(1).max(128).describe('Origin hub'),
  to: z.string().min(1).max(128).describe('Destination hub'),
  plannedDeparture: isoTime,
  plannedArrival: isoTime,
  carrier: z.string().max(128).optional(),
});

/** A shipment's plan: its legs in order (seq = position), each leaving where the one before arrives. */
export const bookShipmentBody = z
  .strictObject({ legs: z.array(bookedLeg).min(1).max(50) })
  .superRefine(({ legs }, ctx) => {
    legs.forEach((leg, i) => {
      if (Date.parse(leg.plannedArrival) <= Date.parse(leg.plannedDeparture)) {
        ctx.addIssue({ code: 'custom', path: ['legs', i, 'plannedArrival'], message: 'must be after plannedDeparture' });
      }
      const before = legs[i - 1];
      if (!before) return;
      if (leg.from !== before.to) ctx.addIssue({ code: 'custom', path: ['legs', i, 'from'], message: `must be ${before.to}, where leg ${i - 1} arrives` });
      if (Date.parse(leg.plannedDeparture) < Date.parse(before.plannedArrival)) {
        ctx.addIssue({ code: 'custom', path: ['legs', i, 'plannedDeparture'], message: `must not be before leg ${i - 1}'s plannedArrival` });
      }
    });
  });

export const webhookBody = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(16).max(256).describe('Shared secret of the HMAC-SHA256 signature'),
});
