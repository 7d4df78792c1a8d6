import { z } from 'zod';

/** Event codes Flowcast knows; producers may send others in the same lower-case form. */
export const knownEventCodes = ['departed', 'arrived', 'delivered', 'exception', 'loaded', 'unloaded', 'jam', 'fault'] as const;

const identifier = z.string().min(1).max(128);

export const locationSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  accuracyM: z.number().min(0).optional(),
  speedKph: z.number().min(0).max(2000).optional(),
  headingDeg: z.number().min(0).max(360).optional(),
});

export const eventSchema = z.strictObject({
  code: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, 'expected a lower-case event code such as departed, arrived, delivered or exception'),
  detail: z.string().max(1024).optional(),
});

const maxTextBytes = 4096;

/** The Report contract of DESIGN.md: what every device sends. */
export const reportSchema = z.strictObject({
  id: identifier.describe('Producer-assigned id, unique per device (the idempotency key)'),
  deviceId: identifier,
  ts: z.iso.datetime({ offset: true }).describe('Event time, RFC 3339'),
  location: locationSchema.optional(),
  shipmentId: identifier.optional(),
  hub: identifier.optional().describe('Site or sorter zone'),
  metrics: z.record(z.string().min(1).max(64), z.number()).optional().describe('Finite numbers only'),
  event: eventSchema.optional(),
  text: z
    .string()
    .refine((t) => Buffer.byteLength(t, 'utf8') <= maxTextBytes, `text is longer than ${maxTextBytes} bytes`)
    .optional(),
});

export type Report = z.infer<typeof reportSchema>;

/** The JSON Schema of a report, generated from the same zod schema (`flowcast schema report`). */
export function reportJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://flowcast.dev/schemas/report.json',
    title: 'Flowcast report',
    ...z.toJSONSchema(reportSchema, { target: 'draft-2020-12', unrepresentable: 'any' }),
  };
}
