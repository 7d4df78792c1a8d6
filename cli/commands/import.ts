import type { Command } from 'commander';
import { importFlights } from '../../training/flights/import-flights';
import { vegaDataFile } from '../../training/flights/vega-data';
import { importShipments } from '../../training/shipments/import-shipments';
import { createContext } from '../context';
import { createProgress } from '../progress';

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${v}`);
  return n;
};

export function registerImport(program: Command): void {
  const cmd = program.command('import').description('import shipment history; its departed/arrived events feed the rolling features as live reports do');
  cmd
    .command('flights')
    .description('the 3 million US flights of vega-datasets (Jan–Jun 2001) as single-leg air shipments; resumable by day')
    .option('--tenant <tenant>', 'tenant to import into', 'flights')
    .option('--limit <n>', 'only the first N flights by departure', positiveInt)
    .option('--parquet <file>', 'flights Parquet file', vegaDataFile('flights-3m.parquet'))
    .option('--airports <file>', 'airports CSV', vegaDataFile('airports.csv'))
    .action(async (opts: { tenant: string; limit?: number; parquet: string; airports: string }) => {
      const { config, logger, db } = createContext('import');
      let progress: ReturnType<typeof createProgress> | undefined;
      try {
        const result = await importFlights({
          db, logger, tenant: opts.tenant, parquetPath: opts.parquet, airportsCsv: opts.airports, limit: opts.limit,
          allowedLatenessMs: config.FEATURE_ALLOWED_LATENESS_MS,
          onProgress: (done, total) => (progress ??= createProgress('import flights', total, 'days')).update(done),
        });
        progress?.stop();
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        progress?.stop();
        await db.destroy();
      }
    });
  cmd
    .command('shipments')
    .description('shipment legs from a CSV (with a header row) or Parquet file; bad rows are listed with their line and reason and skipped')
    .argument('<file>', '.csv or .parquet')
    .option('--map <pairs>', `column=field,... for columns not named after the fields (shipmentId, seq, mode, from, to, plannedDeparture, plannedArrival, carrier, actualDeparture, actualArrival)`)
    .option('--tenant <tenant>', 'tenant to import into', 'default')
    .option('--json', 'print the summary, rejections included, as JSON')
    .action(async (file: string, opts: { map?: string; tenant: string; json?: boolean }) => {
      const { config, logger, db } = createContext('import');
      try {
        const s = await importShipments({ db, logger, tenant: opts.tenant, file, map: opts.map, allowedLatenessMs: config.FEATURE_ALLOWED_LATENESS_MS });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(s)}\n`);
          return;
        }
        for (const r of s.rejections) process.stderr.write(`${file}: ${s.unit} ${r.line}: ${r.reason}\n`);
        process.stdout.write(`loaded ${s.loaded} legs (${s.withOutcome} with an actual arrival, ${s.events} events into rolling features); rejected ${s.rejected}\n`);
      } finally {
        await db.destroy();
      }
    });
}
