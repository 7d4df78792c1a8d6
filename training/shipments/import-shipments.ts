import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createFeatureMetrics, createFeatureUpdater, upsertShipmentLegs, type ShipmentLeg } from '../../features';
import { delayFeatureCatalog } from '../../models/delay-feature-catalog';
import { feedLegEvents } from '../feed-leg-events';
import type { LegEvent } from '../leg-event';
import { upsertLegOutcomes, type LegOutcome } from '../store/upsert-leg-outcomes';
import { parseColumnMapping, shipmentFields, type ShipmentField } from './column-mapping';
import { readTable } from './read-table';
import { shipmentRow } from './shipment-row';

export interface ImportShipmentsOptions {
  db: Knex;
  logger: Logger;
  tenant: string;
  file: string;
  /** `column=field,...` */
  map?: string;
  allowedLatenessMs: number;
}

export interface Rejection {
  line: number;
  reason: string;
}

export interface ImportShipmentsSummary {
  file: string;
  unit: 'line' | 'row';
  loaded: number;
  rejected: number;
  withOutcome: number;
  events: number;
  rejections: Rejection[];
}

const writeChunk = 10_000;

/**
 * Loads a customer's shipment history: each valid row becomes a leg (and its outcome when the
 * actual arrival is known); its departed/arrived events go through the feature hook like live
 * reports. Invalid rows are skipped and reported with their line and reason. One transaction.
 */
export async function importShipments(o: ImportShipmentsOptions): Promise<ImportShipmentsSummary> {
  const table = await readTable(o.file);
  const mapping = parseColumnMapping(o.map, table.columns);
  const columnIndex = new Map<ShipmentField, number>(shipmentFields.filter((f) => mapping.has(f)).map((f) => [f, table.columns.indexOf(mapping.get(f) as string)]));
  const rejections: Rejection[] = [...table.malformed];
  const legs: ShipmentLeg[] = [];
  const outcomes: LegOutcome[] = [];
  const events: LegEvent[] = [];
  const seen = new Map<string, number>();
  for (const row of table.rows) {
    const r = shipmentRow((f) => {
      const j = columnIndex.get(f);
      return j === undefined ? undefined : row.values[j];
    });
    if (!r.ok) {
      rejections.push({ line: row.line, reason: r.reason });
      continue;
    }
    const key = `${r.leg.shipmentId}\u0000${r.leg.seq}`;
    const first = seen.get(key);
    if (first !== undefined) {
      rejections.push({ line: row.line, reason: `shipment ${r.leg.shipmentId} leg ${r.leg.seq} already given on ${table.unit} ${first}` });
      continue;
    }
    seen.set(key, row.line);
    legs.push(r.leg);
    if (r.outcome) {
      outcomes.push(r.outcome);
      if (r.outcome.departedAt !== undefined) events.push({ shipmentId: r.leg.shipmentId, code: 'departed', hub: r.leg.from, ts: r.outcome.departedAt });
      events.push({ shipmentId: r.leg.shipmentId, code: 'arrived', hub: r.leg.to, ts: r.outcome.arrivedAt });
    }
  }
  rejections.sort((a, b) => a.line - b.line);
  const hook = createFeatureUpdater({
    allowedLatenessMs: o.allowedLatenessMs, logger: o.logger, metrics: createFeatureMetrics(new Registry()), catalog: delayFeatureCatalog, instance: 'import-shipments',
  });
  await o.db.transaction(async (trx) => {
    for (let i = 0; i < legs.length; i += writeChunk) await upsertShipmentLegs(trx, o.tenant, legs.slice(i, i + writeChunk));
    for (let i = 0; i < outcomes.length; i += writeChunk) await upsertLegOutcomes(trx, o.tenant, outcomes.slice(i, i + writeChunk));
    await feedLegEvents(trx, events, { tenant: o.tenant, deviceId: 'import:shipments', hook, sliceMs: o.allowedLatenessMs });
  });
  return { file: o.file, unit: table.unit, loaded: legs.length, rejected: rejections.length, withOutcome: outcomes.length, events: events.length, rejections };
}
