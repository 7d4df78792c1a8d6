import type { StoredReport } from '../core/store/insert-reports';
import { splitLate } from './lateness';

const at = (iso: string, tenant = 'a'): StoredReport => ({ tenant, report: { id: iso, deviceId: 'd', ts: iso } });
const ms = (iso: string) => Date.parse(iso);
const now = ms('2026-06-01T00:00:00Z');

describe('splitLate', () => {
  it('drops only what is older than the previous watermark minus the allowed lateness', () => {
    const previous = new Map([['a', ms('2026-01-01T12:00:00Z')]]);
    const split = splitLate([at('2026-01-01T11:46:00Z'), at('2026-01-01T11:44:59Z'), at('2026-01-01T13:00:00Z')], previous, 15 * 60_000, now);
    expect(split.onTime.map((r) => r.report.ts)).toEqual(['2026-01-01T11:46:00Z', '2026-01-01T13:00:00Z']);
    expect(split.late.map((r) => r.report.ts)).toEqual(['2026-01-01T11:44:59Z']);
    expect(split.watermarks.get('a')).toBe(ms('2026-01-01T13:00:00Z'));
  });

  it('keeps a batch of history spanning hours whole, and a future clock does not move the watermark past now', () => {
    const split = splitLate([at('2026-01-01T00:00:00Z'), at('2026-01-01T09:00:00Z'), at('2027-01-01T00:00:00Z', 'b')], new Map(), 60_000, now);
    expect(split.late).toEqual([]);
    expect(split.watermarks).toEqual(new Map([['a', ms('2026-01-01T09:00:00Z')], ['b', now]]));
  });
});
