import { PayloadTooLargeError, ValidationError } from '../core/errors';
import { parseReportBatch, type ParsedBatch } from './parse-report-batch';

const limits = { maxReports: 5, maxReportBytes: 1024 };
const report = (id: string, extra: Record<string, unknown> = {}) => ({ id, deviceId: 'truck-1', ts: '2026-03-01T10:00:00Z', ...extra });
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const summary = (b: ParsedBatch) => ({
  accepted: b.accepted.map((a) => [a.index, a.report.id]),
  rejected: b.rejected.map(({ index, reason, path }) => [index, reason, path]),
});

describe('parseReportBatch', () => {
  it('takes a single JSON report, publishing its bytes as sent', () => {
    const body = Buffer.from(`{ "id": "r1", "deviceId": "truck-1", "ts": "2026-03-01T10:00:00Z" }`);
    const batch = parseReportBatch(body, 'json', limits);
    expect(summary(batch)).toEqual({ accepted: [[0, 'r1']], rejected: [] });
    expect(batch.accepted[0]?.raw).toEqual(body);
  });

  it('validates each element of a JSON array on its own', () => {
    const body = json([
      report('r0'),
      report('r1', { ts: 42 }),
      { id: 'r2', deviceId: 'truck-1' },
      report('r3', { location: { lat: 91, lon: 0 } }),
      report('r4', { metrics: { temp_c: 'NaN' } }),
    ]);
    const batch = parseReportBatch(body, 'json', limits);
    expect(summary(batch)).toEqual({
      accepted: [[0, 'r0']],
      rejected: [
        [1, 'schema', 'ts'],
        [2, 'schema', 'ts'],
        [3, 'schema', 'location.lat'],
        [4, 'schema', 'metrics.temp_c'],
      ],
    });
    expect(batch.rejected[2]?.message).toMatch(/^location\.lat: .*90/);
    expect(JSON.parse(batch.rejected[3]!.raw.toString())).toEqual(report('r4', { metrics: { temp_c: 'NaN' } }));
  });

  it('reads NDJSON line by line, keeping each line\'s bytes and naming the field of a literal NaN', () => {
    const lines = [
      JSON.stringify(report('r0')),
      '{"id":"r1","deviceId":"truck-1","ts":"2026-03-01T10:00:00Z","metrics":{"temp_c":NaN}}',
      '',
      `  ${JSON.stringify(report('r2'))}\r`,
      'not json',
    ];
    const batch = parseReportBatch(Buffer.from(lines.join('\n') + '\n'), 'ndjson', limits);
    expect(summary(batch)).toEqual({
      accepted: [[0, 'r0'], [2, 'r2']],
      rejected: [
        [1, 'bad_json', 'metrics.temp_c'],
        [3, 'bad_json', ''],
      ],
    });
    expect(batch.rejected[0]?.message).toMatch(/^not valid JSON at metrics\.temp_c \(character \d+\): NaN is not a JSON number/);
    expect(batch.rejected[0]?.raw.toString()).toBe(lines[1]);
    expect(batch.accepted[1]?.raw.toString()).toBe(JSON.stringify(report('r2')));
  });

  it('rejects a JSON body that does not parse as one item carrying the whole body', () => {
    const body = Buffer.from('[{"id":"r0"},{"id":');
    const batch = parseReportBatch(body, 'json', limits);
    expect(summary(batch)).toEqual({ accepted: [], rejected: [[0, 'bad_json', '[1].id']] });
    expect(batch.rejected[0]?.raw).toEqual(body);
  });

  it('rejects a report over the per-report size limit', () => {
    const batch = parseReportBatch(json([report('r0', { text: 'x'.repeat(2000) }), report('r1')]), 'json', limits);
    expect(summary(batch)).toEqual({ accepted: [[1, 'r1']], rejected: [[0, 'oversized', '']] });
    expect(batch.rejected[0]?.message).toMatch(/limit is 1024 \(MAX_REPORT_BYTES\)/);
  });

  it('refuses more reports than the limit, naming it', () => {
    const many = Array.from({ length: 6 }, (_, i) => report(`r${i}`));
    expect(() => parseReportBatch(json(many), 'json', limits)).toThrow(PayloadTooLargeError);
    expect(() => parseReportBatch(Buffer.from(many.map((r) => JSON.stringify(r)).join('\n')), 'ndjson', limits)).toThrow(
      'the request carries 6 reports; the limit is 5 per request (HTTP_MAX_REPORTS): split it',
    );
  });

  it.each([
    ['json', ''],
    ['json', '  \n'],
    ['json', '[]'],
    ['ndjson', '\n\n'],
  ] as const)('refuses a %s body without reports (%j)', (format, body) => {
    expect(() => parseReportBatch(Buffer.from(body), format, limits)).toThrow(ValidationError);
  });
});
