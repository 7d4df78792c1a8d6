import { storedEventTime } from './stored-event-time';

describe('stored event time', () => {
  it('keeps times to the millisecond as they are', () => {
    for (const ts of ['2026-12-07T10:00:00Z', '2026-12-07T10:00:00.5Z', '2026-12-07T10:00:00.123+01:00']) expect(storedEventTime(ts)).toBe(ts);
  });

  it('cuts finer digits off as Date.parse does, the offset kept', () => {
    for (const [ts, stored] of [
      ['2026-12-07T10:00:00.9999996Z', '2026-12-07T10:00:00.999Z'],
      ['2026-12-07T10:00:00.123456-05:30', '2026-12-07T10:00:00.123-05:30'],
      ['1969-12-31T23:59:59.9995Z', '1969-12-31T23:59:59.999Z'],
    ]) {
      expect(storedEventTime(ts as string)).toBe(stored);
      expect(Date.parse(stored as string)).toBe(Date.parse(ts as string));
    }
  });
});
