import { DuckDBInstance, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import type { Report } from '../../core/report';
import { round } from './device-generator';
import { vegaDataFile } from './hubs';
import { simulatorThresholds, type TruthLog } from './planted-condition';
import type { TimedReport } from './timed-report';

export interface FlightReplayOptions {
  /** Run window in simulated (event) time, epoch ms. */
  startMs: number;
  endMs: number;
  /** Data time per simulated time (e.g. 10000: one simulated second replays 2.8 hours of 2001). */
  compression?: number;
  /** Without compression: the flight events per simulated second to aim for (sets compression). */
  eventsPerSecond?: number;
  truth: TruthLog;
  parquetPath?: string;
  airportsCsv?: string;
}

const minuteMs = 60_000;

/**
 * vega-datasets' real US flights (Jan–Jun 2001) replayed as departed and arrived events from each
 * airport's cargo gateway, time-compressed into the run. Planned departure = the flight's date,
 * planned arrival = departure + a block time of 30 min + 0.125 min per mile (480 mph cruise),
 * actual arrival = plan + the recorded arrival delay, departure late by the same delay when
 * positive — as `flowcast import flights` models them. Flights late by more than 15 minutes are
 * the truth's air late legs. Shipment ids `sim-FL<row>` keep replayed flights apart from imported
 * history (`FL<row>`).
 */
export class FlightReplay {
  private chunks: AsyncIterator<unknown[][]> | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly compression: number,
    private readonly dataStartMs: number,
    private readonly options: FlightReplayOptions,
  ) {}

  static async open(options: FlightReplayOptions): Promise<FlightReplay> {
    const parquet = options.parquetPath ?? vegaDataFile('flights-3m.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const airports = options.airportsCsv ?? vegaDataFile('airports.csv');
    const [lo, last] = (await conn.runAndReadAll(`SELECT epoch_ms(min(date))::DOUBLE, epoch_ms(max(date))::DOUBLE FROM read_parquet(${quote(parquet)})`))
      .getRowsJS()[0]!.map(Number) as [number, number];
    const runMs = Math.max(1, options.endMs - options.startMs);
    const compression = options.compression ?? (await compressionFor(conn, parquet, lo, last, Math.round(((options.eventsPerSecond ?? 1) * runMs) / 1000), runMs));
    const replay = new FlightReplay(instance, conn, compression, lo, options);
    await replay.query(parquet, airports);
    return replay;
  }

  /** The next events in event-time order, or undefined when the replay is over. */
  async next(): Promise<TimedReport[] | undefined> {
    const chunk = await this.chunks?.next();
    if (!chunk || chunk.done) return undefined;
    return chunk.value.map((row) => this.toReport(row));
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }

  private async query(parquet: string, airports: string): Promise<void> {
    const lo = this.dataStartMs;
    const hi = lo + (this.options.endMs - this.options.startMs) * this.compression;
    const result: DuckDBResult = await this.conn.stream(`${eventsSql(parquet, airports, lo, hi)}
      SELECT row::DOUBLE, code, hub, ts, dep, dep + block AS plan_arr, delay, origin, dest, lat, lon
      FROM e WHERE ts >= ${lo} AND ts < ${hi}
      ORDER BY ts, row, code DESC`);
    this.chunks = result.yieldRowsJs()[Symbol.asyncIterator]();
  }

  /** Data time (2001) to simulated time. */
  private sim(dataMs: number): number {
    return Math.round(this.options.startMs + (dataMs - this.dataStartMs) / this.compression);
  }

  private toReport(row: unknown[]): TimedReport {
    const [rowNo, code, hub, ts, dep, planArr, delay, origin, dest, lat, lon] = row as [number, 'departed' | 'arrived', string, number, number, number, number, string, string, number | null, number | null];
    const shipmentId = `sim-FL${rowNo}`;
    const at = this.sim(ts);
    const plannedArrival = new Date(this.sim(planArr)).toISOString();
    const report: Report = {
      id: `${code === 'departed' ? 'dep' : 'arr'}-FL${rowNo}`,
      deviceId: `gw-${hub}`,
      ts: new Date(at).toISOString(),
      shipmentId,
      hub,
      event: {
        code,
        detail: JSON.stringify({ mode: 'air', from: origin, to: dest, plannedDeparture: new Date(this.sim(dep)).toISOString(), plannedArrival }),
      },
    };
    if (lat !== null && lon !== null) report.location = { lat: round(lat, 5), lon: round(lon, 5), speedKph: 0 };
    if (delay > simulatorThresholds.lateMinutes) this.recordLate(code, rowNo, origin, dest, planArr, planArr + delay * minuteMs, at);
    return { ts: at, report };
  }

  /**
   * A late flight is recorded at its arrival, or at its departure when it lands after the run
   * (its lateness began inside the run when plan + 15 min falls before the end).
   */
  private recordLate(code: string, rowNo: number, origin: string, dest: string, planArrData: number, arrData: number, at: number): void {
    const arrivesInRun = this.sim(arrData) < this.options.endMs;
    if (code === 'departed' && arrivesInRun) return;
    if (code === 'arrived' && at !== this.sim(arrData)) return;
    this.options.truth.add(
      {
        kind: 'late-leg', deviceId: `gw-${dest}`, shipmentId: `sim-FL${rowNo}`, mode: 'air', origin, destination: dest,
        plannedArrival: new Date(this.sim(planArrData)).toISOString(), actualArrival: new Date(this.sim(arrData)).toISOString(),
      },
      this.sim(planArrData + simulatorThresholds.lateMinutes * minuteMs),
      this.sim(arrData),
    );
  }
}

const quote = (p: string) => `'${p.replace(/'/g, "''")}'`;

const dayMs = 86_400_000;

/**
 * CTE `f`, the complete flights scheduled in [fromMs, toMs), and `both_events`, their departed
 * and arrived events in data time (the flight model of the class comment).
 */
function flightEventsSql(parquet: string, fromMs: number, toMs: number): string {
  return `
    f AS (
      SELECT file_row_number AS row, epoch_ms(date)::DOUBLE AS dep, delay::DOUBLE AS delay, origin, destination AS dest,
             round((30 + distance * 0.125) * ${minuteMs})::DOUBLE AS block
      FROM read_parquet(${quote(parquet)}, file_row_number = true)
      WHERE date IS NOT NULL AND delay IS NOT NULL AND distance IS NOT NULL AND origin IS NOT NULL AND destination IS NOT NULL
        AND epoch_ms(date) >= ${fromMs} AND epoch_ms(date) < ${toMs}),
    both_events AS (
      SELECT row, 'departed' AS code, origin AS hub, dep + greatest(delay, 0) * ${minuteMs} AS ts, * EXCLUDE (row) FROM f
      UNION ALL
      SELECT row, 'arrived', dest, dep + block + delay * ${minuteMs}, * EXCLUDE (row) FROM f)`;
}

/**
 * The events with data time in [lo, hi), located at their airport, as CTE `e`. Only flights
 * scheduled from two days before lo are read (no flight is delayed longer), so a short run
 * reads few rows.
 */
function eventsSql(parquet: string, airportsCsv: string, lo: number, hi: number): string {
  return `
    WITH ${flightEventsSql(parquet, lo - 2 * dayMs, hi)},
    ap AS (SELECT iata, latitude::DOUBLE AS lat, longitude::DOUBLE AS lon FROM read_csv(${quote(airportsCsv)}, header = true, all_varchar = true)),
    e AS (SELECT b.*, ap.lat, ap.lon FROM both_events b LEFT JOIN ap ON ap.iata = b.hub)`;
}

/**
 * The compression that puts `wanted` events into the run. The data's rate swings with the hour
 * and the day (and starts with departures only), so an average would not do: a per-minute
 * histogram of departures (the date column only, fast) estimates where half as many flights have
 * left; a histogram of the events themselves up to two days beyond that finds where the
 * wanted-th event falls, interpolated within its minute.
 */
async function compressionFor(conn: DuckDBConnection, parquet: string, lo: number, last: number, wanted: number, runMs: number): Promise<number> {
  const minute = `floor((${'$TS'} - ${lo}) / ${minuteMs})::DOUBLE`;
  const departures = (await conn.runAndReadAll(`SELECT ${minute.replace('$TS', 'epoch_ms(date)')} AS m, count(*)::DOUBLE
    FROM read_parquet(${quote(parquet)}) WHERE date IS NOT NULL GROUP BY m ORDER BY m`)).getRowsJS() as [number, number][];
  const estimate = reachedAt(departures, wanted / 2, lo) ?? last;
  const bound = estimate + 2 * dayMs;
  const events = (await conn.runAndReadAll(`WITH ${flightEventsSql(parquet, lo - 2 * dayMs, bound)}
    SELECT ${minute.replace('$TS', 'ts')} AS m, count(*)::DOUBLE FROM both_events WHERE ts >= ${lo} AND ts < ${bound} GROUP BY m ORDER BY m`))
    .getRowsJS() as [number, number][];
  const reached = reachedAt(events, wanted, lo) ?? estimate;
  return Math.max(1e-9, (reached - lo) / runMs);
}

/** Data time at which a per-minute histogram's running count reaches `wanted`, if it does. */
function reachedAt(histogram: [number, number][], wanted: number, lo: number): number | undefined {
  let seen = 0;
  for (const [minute, count] of histogram) {
    if (seen + count >= wanted) return lo + (minute + (wanted - seen) / count) * minuteMs;
    seen += count;
  }
  return undefined;
}
