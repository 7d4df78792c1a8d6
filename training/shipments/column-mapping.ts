import { ImportError } from '../../core/errors';

/** The fields a shipment-history row can fill. */
export const shipmentFields = [
  'shipmentId', 'seq', 'mode', 'from', 'to', 'plannedDeparture', 'plannedArrival', 'carrier', 'actualDeparture', 'actualArrival',
] as const;
export type ShipmentField = (typeof shipmentFields)[number];

export const requiredFields: readonly ShipmentField[] = ['shipmentId', 'mode', 'from', 'to', 'plannedDeparture', 'plannedArrival'];

/**
 * `--map column=field,...` → field → column. Fields not mapped are read from a column of the
 * same name when the file has one. A required field with no column refuses the whole file.
 */
export function parseColumnMapping(spec: string | undefined, columns: readonly string[]): Map<ShipmentField, string> {
  const out = new Map<ShipmentField, string>();
  for (const pair of (spec ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [column, field] = pair.split('=').map((s) => s.trim());
    if (!column || !field) throw new ImportError(`--map: "${pair}" is not column=field`);
    if (!(shipmentFields as readonly string[]).includes(field)) throw new ImportError(`--map: unknown field "${field}"; fields: ${shipmentFields.join(', ')}`);
    if (!columns.includes(column)) throw new ImportError(`--map: the file has no column "${column}"; columns: ${columns.join(', ')}`);
    out.set(field as ShipmentField, column);
  }
  for (const f of shipmentFields) if (!out.has(f) && columns.includes(f)) out.set(f, f);
  const missing = requiredFields.filter((f) => !out.has(f));
  if (missing.length > 0) throw new ImportError(`no column for ${missing.join(', ')}: map them with --map column=field (file columns: ${columns.join(', ')})`);
  return out;
}
