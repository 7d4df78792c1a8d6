import { shipmentLegSchema, type ShipmentLeg } from '../../features';
import type { LegOutcome } from '../store/upsert-leg-outcomes';
import type { ShipmentField } from './column-mapping';

export type RowResult = { ok: true; leg: ShipmentLeg; outcome?: LegOutcome } | { ok: false; reason: string };

const blank = (v: string | null | undefined): boolean => v === null || v === undefined || v.trim() === '';

/** An instant from RFC 3339 or `YYYY-MM-DD[ HH:MM[:SS]]` (taken as UTC when it names no zone). */
export function parseInstant(v: string): number | undefined {
  const s = v.trim();
  const plain = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(s);
  const zoned = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s);
  if (!plain && !zoned) return undefined;
  const t = Date.parse(plain ? `${s.replace(' ', 'T')}${s.length === 10 ? 'T00:00:00' : ''}Z` : s.replace(' ', 'T'));
  return Number.isNaN(t) ? undefined : t;
}

/** Validates and converts one row (values by field); every problem of the row is named. */
export function shipmentRow(get: (f: ShipmentField) => string | null | undefined): RowResult {
  const problems: string[] = [];
  const time = (f: ShipmentField, required: boolean): number | undefined => {
    const v = get(f);
    if (blank(v)) {
      if (required) problems.push(`${f} is empty`);
      return undefined;
    }
    const t = parseInstant(v as string);
    if (t === undefined) problems.push(`${f} "${v}" is not a date-time`);
    return t;
  };
  const dep = time('plannedDeparture', true);
  const arr = time('plannedArrival', true);
  const actualDep = time('actualDeparture', false);
  const actualArr = time('actualArrival', false);
  const seqRaw = get('seq');
  const seq = blank(seqRaw) ? 0 : Number(seqRaw);
  const candidate = {
    shipmentId: (get('shipmentId') ?? '').trim(), seq, mode: (get('mode') ?? '').trim().toLowerCase(),
    from: (get('from') ?? '').trim(), to: (get('to') ?? '').trim(), plannedDeparture: dep ?? 0, plannedArrival: arr ?? 0,
    ...(blank(get('carrier')) ? {} : { carrier: (get('carrier') as string).trim() }),
  };
  const parsed = shipmentLegSchema.safeParse(candidate);
  if (!parsed.success) for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || 'row'}: ${issue.message}`);
  if (dep !== undefined && arr !== undefined && arr < dep) problems.push('plannedArrival is before plannedDeparture');
  if (actualDep !== undefined && actualArr !== undefined && actualArr < actualDep) problems.push('actualArrival is before actualDeparture');
  if (problems.length > 0 || !parsed.success) return { ok: false, reason: problems.join('; ') };
  const leg = parsed.data;
  return actualArr === undefined
    ? { ok: true, leg }
    : { ok: true, leg, outcome: { shipmentId: leg.shipmentId, seq: leg.seq, arrivedAt: actualArr, ...(actualDep !== undefined ? { departedAt: actualDep } : {}) } };
}
