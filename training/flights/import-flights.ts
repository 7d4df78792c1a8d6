import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createFeatureMetrics, createFeatureUpdater, upsertShipmentLegs } from '../../features';
import { delayFeatureCatalog } from '../../models/delay-feature-catalog';
import { feedLegEvents } from '../feed-leg-events';
import { finishedChunks, markChunkFinished } from '../store/import-checkpoints';
import { upsertLegOutcomes } from '../store/upsert-leg-outcomes';
import { FlightsSource } from './flights-source';

export interface ImportFlightsOptions {
  db: Knex;
  logger: Logger;
  tenant: string;
  parquetPath: string;
  airportsCsv: string;
  /** Only the first N flights by departure (small runs). */
  limit?: number;
  allowedLatenessMs: number;
  onProgress?: (doneDays: number, totalDays: number) => void;
}

export interface ImportFlightsResult {
  flights: number;
  days: number;
  daysImported: number;
  daysAlreadyDone: number;
  events: number;
  skippedIncomplete: number;
  seconds: number;
}

const importerDevice = 'import:flights-3m';

/**
 * Imports the flights day by day (event-time days). Each day commits in one transaction with
 * its checkpoint, so an interrupted import resumes at the first day not committed.
 */
export async function importFlights(o: ImportFlightsOptions): Promise<ImportFlightsResult> {
  const started = Date.now();
  const source = await FlightsSource.open(o.parquetPath, o.airportsCsv, o.limit);
  try {
    const summary = await source.summary();
    if (summary.skippedIncomplete > 0) o.logger.warn({ skipped: summary.skippedIncomplete }, 'flights with a missing field skipped');
    if (summary.unknownAirports > 0) o.logger.info({ flights: summary.unknownAirports }, 'flights with an airport not in airports.csv (imported; hubs need no coordinates)');
    const sourceKey = o.limit === undefined ? 'flights-3m' : `flights-3m:first-${o.limit}`;
    const done = await finishedChunks(o.db, o.tenant, sourceKey);
    const hook = createFeatureUpdater({
      allowedLatenessMs: o.allowedLatenessMs, logger: o.logger, metrics: createFeatureMetrics(new Registry()),
      catalog: delayFeatureCatalog, instance: `import-${sourceKey}`,
    });
    let events = 0;
    let imported = 0;
    for (const [i, day] of summary.days.entries()) {
      const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
      if (!done.has(date)) {
        const chunk = await source.day(day);
        await o.db.transaction(async (trx) => {
          await upsertShipmentLegs(trx, o.tenant, chunk.legs);
          await upsertLegOutcomes(trx, o.tenant, chunk.outcomes);
          await feedLegEvents(trx, chunk.events, { tenant: o.tenant, deviceId: importerDevice, hook, sliceMs: o.allowedLatenessMs });
          await markChunkFinished(trx, o.tenant, sourceKey, date, chunk.events.length);
        });
        events += chunk.events.length;
        imported++;
      }
      o.onProgress?.(i + 1, summary.days.length);
    }
    return {
      flights: summary.flights, days: summary.days.length, daysImported: imported, daysAlreadyDone: summary.days.length - imported,
      events, skippedIncomplete: summary.skippedIncomplete, seconds: (Date.now() - started) / 1000,
    };
  } finally {
    source.close();
  }
}
