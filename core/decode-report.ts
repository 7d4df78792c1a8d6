import { reportSchema, type Report } from './report';

export type DecodeFailureReason = 'oversized' | 'bad_json' | 'schema';

export type DecodeResult =
  | { ok: true; report: Report }
  | { ok: false; reason: DecodeFailureReason; path: string; message: string };

/** Dotted field path of a zod issue: `location.lat`, `metrics.temp_c`, `` for the whole report. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** Validates an already parsed value as a report, with the first problem's path and message. */
export function validateReport(value: unknown): DecodeResult {
  const parsed = reportSchema.safeParse(value);
  if (parsed.success) return { ok: true, report: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue ? issuePath(issue.path) : '';
  const message = parsed.error.issues.map((i) => `${issuePath(i.path) || '(report)'}: ${i.message}`).join('; ');
  return { ok: false, reason: 'schema', path, message };
}

/** Turns the raw bytes of one message into a report, or says exactly why it is not one. */
export function decodeReport(raw: Buffer, maxBytes: number): DecodeResult {
  const parsed = parseReportJson(raw, maxBytes);
  return parsed.ok ? validateReport(parsed.value) : parsed;
}

/** The first half of decoding: size and JSON, for a caller that looks at the value before validating it. */
export function parseReportJson(raw: Buffer, maxBytes: number): { ok: true; value: unknown } | Extract<DecodeResult, { ok: false }> {
  if (raw.length > maxBytes) {
    return { ok: false, reason: 'oversized', path: '', message: `report is ${raw.length} bytes; the limit is ${maxBytes}` };
  }
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch (err) {
    return { ok: false, reason: 'bad_json', path: '', message: `not valid JSON: ${(err as Error).message}` };
  }
}
