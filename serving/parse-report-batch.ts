import { issuePath, validateReport } from '../core/decode-report';
import { PayloadTooLargeError, ValidationError } from '../core/errors';
import type { Report } from '../core/report';
import { locateJsonSyntaxError } from './locate-json-syntax-error';

/** How the body of `POST /v1/reports` is laid out. */
export type BatchFormat = 'json' | 'ndjson';

export interface BatchLimits {
  /** Most reports one request may carry (HTTP_MAX_REPORTS). */
  maxReports: number;
  /** Largest single report, in bytes (MAX_REPORT_BYTES, the consumers' limit too). */
  maxReportBytes: number;
}

export interface AcceptedItem {
  index: number;
  report: Report;
  /** What gets published: the item's own bytes (NDJSON line, single body) or its JSON (array element). */
  raw: Buffer;
}

export interface RejectedItem {
  index: number;
  /** Stable reason, as in dead_letters: bad_json, schema, oversized. */
  reason: 'bad_json' | 'schema' | 'oversized';
  /** Field path of the first problem, `` when it concerns the whole item. */
  path: string;
  message: string;
  raw: Buffer;
}

export interface ParsedBatch {
  accepted: AcceptedItem[];
  rejected: RejectedItem[];
}

type Parsed = { value: unknown } | { problem: { path: string; message: string } };
/** One report's bytes, with its parse outcome when the body had to be parsed as a whole. */
type Item = { index: number; raw: Buffer; parsed?: Parsed };

/**
 * Splits a request body into reports and validates each on its own, so one bad report never
 * costs its valid siblings. Throws only for what concerns the request as a whole: an empty
 * body, or more reports than allowed.
 */
export function parseReportBatch(body: Buffer, format: BatchFormat, limits: BatchLimits): ParsedBatch {
  const items = format === 'ndjson' ? ndjsonItems(body) : jsonItems(body);
  if (items.length === 0) throw new ValidationError(emptyMessage(format), [{ path: '', message: emptyMessage(format) }]);
  if (items.length > limits.maxReports) {
    throw new PayloadTooLargeError(
      `the request carries ${items.length} reports; the limit is ${limits.maxReports} per request (HTTP_MAX_REPORTS): split it`,
    );
  }
  const batch: ParsedBatch = { accepted: [], rejected: [] };
  for (const item of items) {
    const outcome = checkItem(item, limits.maxReportBytes);
    if ('report' in outcome) batch.accepted.push(outcome);
    else batch.rejected.push(outcome);
  }
  return batch;
}

function emptyMessage(format: BatchFormat): string {
  return format === 'ndjson'
    ? 'the body has no reports: send one JSON report per line'
    : 'the body has no reports: send one JSON report or a non-empty JSON array of reports';
}

function checkItem(item: Item, maxBytes: number): AcceptedItem | RejectedItem {
  const { index, raw } = item;
  const known = item.parsed;
  if (known && 'problem' in known) return { index, raw, reason: 'bad_json', ...known.problem };
  if (raw.length > maxBytes) {
    return { index, raw, reason: 'oversized', path: '', message: `report is ${raw.length} bytes; the limit is ${maxBytes} (MAX_REPORT_BYTES)` };
  }
  const parsed = known ?? parseJson(raw.toString('utf8'));
  if ('problem' in parsed) return { index, raw, reason: 'bad_json', ...parsed.problem };
  const result = validateReport(parsed.value);
  if (result.ok) return { index, raw, report: result.report };
  return { index, raw, reason: 'schema', path: result.path, message: result.message };
}

/** A JSON body: one report, or an array of them (each element validated on its own). */
function jsonItems(body: Buffer): Item[] {
  const text = withoutBom(body.toString('utf8'));
  if (text.trim() === '') return [];
  const parsed = parseJson(text);
  // A single report, or a body that cannot be split because it is not JSON at all.
  if ('problem' in parsed || !Array.isArray(parsed.value)) return [{ index: 0, raw: body, parsed }];
  return parsed.value.map((value: unknown, index) => ({
    index,
    parsed: { value },
    raw: Buffer.from(JSON.stringify(value) ?? 'null'),
  }));
}

/** NDJSON: one report per line; blank lines are skipped and do not count as reports. */
function ndjsonItems(body: Buffer): Item[] {
  const items: Item[] = [];
  let start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  while (start < body.length) {
    const newline = body.indexOf(0x0a, start);
    const end = newline < 0 ? body.length : newline;
    const line = trimLine(body.subarray(start, end));
    if (line.length > 0) items.push({ index: items.length, raw: line });
    start = end + 1;
  }
  return items;
}

function trimLine(line: Buffer): Buffer {
  let s = 0;
  let e = line.length;
  while (s < e && isSpace(line[s])) s++;
  while (e > s && isSpace(line[e - 1])) e--;
  return line.subarray(s, e);
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d;
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseJson(text: string): Parsed {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    const located = locateJsonSyntaxError(text);
    if (!located) return { problem: { path: '', message: `not valid JSON: ${(err as Error).message}` } };
    const path = issuePath(located.path);
    const where = path ? ` at ${path}` : '';
    return { problem: { path, message: `not valid JSON${where} (character ${located.offset}): ${located.message}` } };
  }
}
