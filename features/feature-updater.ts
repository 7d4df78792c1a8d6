import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { StoredReport, StoredReportsHook } from '../core/store/insert-reports';
import { signalKey, type FeatureCatalog } from './catalog';
import { defaultCatalog } from './definitions';
import { isEventLogged } from './entity-storage';
import { checkEventValues } from './event-values';
import { extractObservations } from './extract-observations';
import { createFeatureMetrics, type FeatureMetrics } from './feature-metrics';
import { foldIntoTiles } from './fold-into-tiles';
import { splitLate } from './lateness';
import type { Observation } from './observation';
import { advanceWatermarks } from './store/advance-watermarks';
import { findShipmentLegs, shipmentKey } from './store/find-shipment-legs';
import { leaveOutOfFeatures } from './store/leave-out-of-features';
import { readWatermarks } from './store/read-watermarks';
import { upsertTiles } from './store/upsert-tiles';

export type { StoredReportsHook };

export interface FeatureUpdaterOptions {
  allowedLatenessMs: number;
  logger: Logger;
  /** Where the feature metrics register; or pass `metrics` built once. */
  registry?: Registry;
  metrics?: FeatureMetrics;
  catalog?: FeatureCatalog;
  /** Names this process's watermark row; default host, pid and a random suffix. */
  instance?: string;
  now?: () => number;
}

const lateExamples = 5;

/**
 * The hook that keeps rolling features: late reports are counted, logged and marked as left out
 * (reports.in_features), the rest become observations: a device's are read from the stored
 * reports themselves (features/entity-storage.ts), so they are only checked here; the rest are
 * folded into tile deltas and added to feature_entity_tiles. All in the caller's transaction, so
 * feature state commits (or rolls back) with the reports themselves.
 */
export function createFeatureUpdater(options: FeatureUpdaterOptions): StoredReportsHook {
  const catalog = options.catalog ?? defaultCatalog;
  const metrics = options.metrics ?? createFeatureMetrics(requireRegistry(options.registry));
  const instance = options.instance ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const now = options.now ?? Date.now;

  return async (trx, stored) => {
    if (stored.length === 0) return;
    const started = process.hrtime.bigint();
    const tenants = [...new Set(stored.map((s) => s.tenant))];
    const split = splitLate(stored, await readWatermarks(trx, tenants), options.allowedLatenessMs, now());
    if (split.late.length > 0) {
      reportLate(options.logger, metrics, split.late, split.watermarks, options.allowedLatenessMs);
      await leaveOutOfFeatures(trx, split.late);
    }
    const observations = await observe(trx, split.onTime, metrics);
    // As with tiles, only signals the catalog keeps a series of are checked.
    checkEventValues(observations.filter((o) => isEventLogged(o.entity) && catalog.seriesBySignal.has(signalKey(o.entity, o.signal))));
    const tiles = foldIntoTiles(observations.filter((o) => !isEventLogged(o.entity)), catalog);
    await upsertTiles(trx, tiles);
    await advanceWatermarks(trx, instance, split.watermarks);
    metrics.tilesWritten.inc(tiles.length);
    metrics.updateSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  };
}

async function observe(trx: Knex, reports: StoredReport[], metrics: FeatureMetrics): Promise<Observation[]> {
  const refs = reports
    .filter((r) => r.report.shipmentId !== undefined && (r.report.event?.code === 'arrived' || r.report.event?.code === 'departed'))
    .map((r) => ({ tenant: r.tenant, shipmentId: r.report.shipmentId as string }));
  const legs = await findShipmentLegs(trx, refs);
  const observations: Observation[] = [];
  const perEntity = new Map<string, number>();
  for (const r of reports) {
    const found = extractObservations(r, (tenant, id) => legs.get(shipmentKey(tenant, id)) ?? []);
    const code = r.report.event?.code;
    if ((code === 'arrived' || code === 'departed') && !found.some((o) => o.signal.endsWith('_delay_min'))) metrics.unknownDelay.inc();
    for (const o of found) {
      observations.push(o);
      perEntity.set(o.entity, (perEntity.get(o.entity) ?? 0) + 1);
    }
  }
  // One counter update per entity type and batch, not per observation.
  for (const [entity, n] of perEntity) metrics.observations.inc({ entity }, n);
  return observations;
}

function reportLate(logger: Logger, metrics: FeatureMetrics, late: StoredReport[], watermarks: Map<string, number>, allowedMs: number): void {
  metrics.droppedLate.inc(late.length);
  logger.warn(
    {
      droppedLate: late.length,
      allowedLatenessMs: allowedMs,
      watermarks: Object.fromEntries([...watermarks].map(([t, w]) => [t, new Date(w).toISOString()])),
      examples: late.slice(0, lateExamples).map((r) => ({ tenant: r.tenant, deviceId: r.report.deviceId, id: r.report.id, ts: r.report.ts })),
    },
    'reports later than the allowed lateness left out of rolling features (they are stored)',
  );
}

function requireRegistry(registry: Registry | undefined): Registry {
  if (!registry) throw new TypeError('createFeatureUpdater needs a metrics registry or metrics');
  return registry;
}
