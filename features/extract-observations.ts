import type { StoredReport } from '../core/store/insert-reports';
import { laneId, networkId } from './entity';
import type { Observation } from './observation';
import { matchLeg, plannedTime, type LegEventCode, type ShipmentLeg } from './shipment-leg';

/** Legs of a shipment by tenant and shipment id (loaded for a batch beforehand). */
export type LegLookup = (tenant: string, shipmentId: string) => readonly ShipmentLeg[];

const minuteMs = 60_000;

/**
 * The signals one report feeds. The same function serves live ingest and imports of history,
 * so training and serving see the same numbers.
 */
export function extractObservations({ tenant, report }: StoredReport, legsOf: LegLookup): Observation[] {
  const ts = Date.parse(report.ts);
  const out: Observation[] = [];
  const add = (entity: Observation['entity'], entityId: string, signal: string, value: number) =>
    out.push({ tenant, entity, entityId, signal, ts, value });

  add('device', report.deviceId, 'report', 1);
  if (report.location?.speedKph !== undefined) add('device', report.deviceId, 'speed_kph', report.location.speedKph);
  const battery = report.metrics?.battery_pct;
  if (battery !== undefined) add('device', report.deviceId, 'battery_pct', battery);

  const code = report.event?.code;
  if (code === 'departed' || code === 'arrived') addLegEvent(report, code, ts, legsOf(tenant, report.shipmentId ?? ''), add);
  if (report.hub !== undefined) addZoneSignals(report.hub, report.metrics, code, add);
  return out;
}

type Add = (entity: Observation['entity'], entityId: string, signal: string, value: number) => void;

function addLegEvent(report: StoredReport['report'], code: LegEventCode, ts: number, legs: readonly ShipmentLeg[], add: Add): void {
  const leg = report.shipmentId !== undefined ? matchLeg(legs, code, report.hub, ts) : undefined;
  const hub = report.hub ?? (leg ? (code === 'departed' ? leg.from : leg.to) : undefined);
  // A producer that knows the delay better than our plan (e.g. a carrier feed) says so.
  const stated = report.metrics?.delay_min;
  const delay = stated ?? (leg ? (ts - plannedTime(leg, code)) / minuteMs : undefined);
  const kind = code === 'departed' ? 'departure' : 'arrival';
  if (hub !== undefined) {
    add('hub', hub, kind, 1);
    if (delay !== undefined) add('hub', hub, `${kind}_delay_min`, delay);
  }
  if (delay !== undefined && report.shipmentId !== undefined) add('shipment', report.shipmentId, 'event_delay_min', delay);
  if (code !== 'arrived') return;
  if (leg) {
    add('lane', laneId(leg.from, leg.to), 'arrival', 1);
    if (delay !== undefined) add('lane', laneId(leg.from, leg.to), 'arrival_delay_min', delay);
  }
  if (delay !== undefined) add('network', networkId, 'arrival_delay_min', delay);
}

/** Sorter zones report parcels and rejects as metrics and jams as events, with the zone as `hub`. */
function addZoneSignals(zone: string, metrics: Record<string, number> | undefined, code: string | undefined, add: Add): void {
  if (metrics?.parcels !== undefined) add('zone', zone, 'parcels', metrics.parcels);
  if (metrics?.rejects !== undefined) add('zone', zone, 'rejects', metrics.rejects);
  if (code === 'jam') add('zone', zone, 'jam', 1);
}
