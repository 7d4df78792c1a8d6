/**
 * A report's event time as `reports.ts` keeps it: to the millisecond, the digits past the third
 * cut off (not rounded), which is what `Date.parse` makes of them. Every other part of Flowcast reads
 * event time through `Date.parse` (lateness, rolling features, duplicate keys), so a stored time
 * with more digits could fall into another millisecond than the one they counted it in (PostgreSQL
 * rounds to microseconds), and two reports of one millisecond would not be one instant. The body
 * keeps the time as sent. `ts` is an RFC 3339 date-time as the report schema accepts it.
 */
export function storedEventTime(ts: string): string {
  const dot = ts.indexOf('.', 19); // after `YYYY-MM-DDTHH:MM:SS`
  if (dot < 0) return ts;
  let end = dot + 1;
  while (end < ts.length && ts.charCodeAt(end) >= 48 && ts.charCodeAt(end) <= 57) end++;
  return end - dot <= 4 ? ts : ts.slice(0, dot + 4) + ts.slice(end);
}
