import { z } from 'zod';

const polygon = z.object({
  type: z.literal('Polygon'),
  coordinates: z.array(z.array(z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)])).min(4)).min(1),
});
const multiPolygon = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(z.array(z.array(z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)])).min(4)).min(1)).min(1),
});

export const geofenceSchema = z.object({
  id: z.string().min(1).max(128),
  name: z.string().max(256).optional(),
  /** `enter`: alert while a device is inside (a restricted area); `exit`: alert while it is outside (a corridor). */
  alertOn: z.enum(['enter', 'exit']),
  /** Only devices whose id starts with this prefix are watched; default all of the tenant's devices. */
  devicePrefix: z.string().max(128).optional(),
  geometry: z.union([polygon, multiPolygon]).describe('GeoJSON Polygon or MultiPolygon, [lon, lat] positions'),
});
export type Geofence = z.infer<typeof geofenceSchema>;

const range = z
  .object({ min: z.number().optional(), max: z.number().optional() })
  .refine((r) => r.min !== undefined || r.max !== undefined, 'give min, max or both');

const hysteresis = (raise: number, clear: number) =>
  z.object({ raise: z.number().default(raise), clear: z.number().default(clear) }).default({ raise, clear });

/**
 * One tenant's alert rules. Every field has a default, so `{}` is a complete configuration;
 * docs/ALERTS.md explains each rule. Thresholds come in raise/clear pairs (hysteresis) so a
 * value hovering at the threshold does not open and resolve alerts over and over.
 */
export const alertRulesSchema = z.strictObject({
  deviceSilentMinutes: z.number().positive().max(7 * 24 * 60).default(30),
  /** Battery percentage: raise below `raise`, resolve at or above `clear`. */
  batteryPct: hysteresis(15, 20),
  /** Metric name → allowed range; out of it raises, back inside resolves (e.g. cold chain `temp_c` 2–8). */
  metricRanges: z.record(z.string().min(1).max(64), range).default({}),
  geofences: z.array(geofenceSchema).max(1000).default([]),
  sorter: z
    .object({
      /** EWMA smoothing factor per report (0.05 ≈ a memory of 20 reports). */
      alpha: z.number().gt(0).lt(1).default(0.05),
      /** Reports a zone must have sent before anomalies are judged. */
      warmupReports: z.number().int().min(2).default(30),
      /** |z| at or beyond which an anomaly is raised; resolved when back within `clearZ`. */
      raiseZ: z.number().positive().default(4),
      clearZ: z.number().positive().default(2),
      /** Smallest standard deviation assumed, so a perfectly steady zone is not alarmed by noise. */
      minStdParcelsPerMin: z.number().positive().default(2),
      minStdRejectRate: z.number().positive().default(0.005),
    })
    .default({ alpha: 0.05, warmupReports: 30, raiseZ: 4, clearZ: 2, minStdParcelsPerMin: 2, minStdRejectRate: 0.005 }),
  /** Drone risk score (metric `risk_score`, 0–1). */
  droneRisk: z
    .object({ metric: z.string().default('risk_score'), raise: z.number().default(0.8), clear: z.number().default(0.6) })
    .default({ metric: 'risk_score', raise: 0.8, clear: 0.6 }),
  /** P(late) of a shipment's current leg: raise at or above `raise`, resolve below `clear` (or on arrival). */
  predictedDelay: hysteresis(0.7, 0.5),
  /** Share of predictions stored (every one that changes an alert is stored regardless). */
  predictionSampleRate: z.number().min(0).max(1).default(0.05),
});

export type AlertRules = z.output<typeof alertRulesSchema>;
export type AlertRulesInput = z.input<typeof alertRulesSchema>;

export const defaultAlertRules: AlertRules = alertRulesSchema.parse({});
