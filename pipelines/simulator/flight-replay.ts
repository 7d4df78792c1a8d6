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

/**
 * The departed and arrived events of complete flights, in data time, as CTE `e`; only flights
 * that may have an event in [lo, hi) are read (none is delayed by two days), so a short run
 * joins few rows to the airports.
 */
function eventsSql(parquet: string, airportsCsv: string, lo: number, hi: number): string {
  return `
    WITH f AS (
      SELECT file_row_number AS row, epoch_ms(date)::DOUBLE AS dep, delay::DOUBLE AS delay, origin, destination AS dest,
             round((30 + distance * 0.125) * ${minuteMs})::DOUBLE AS block
      FROM read_parquet(${quote(parquet)}, file_row_number = true)
      WHERE date IS NOT NULL AND delay IS NOT NULL AND distance IS NOT NULL AND origin IS NOT NULL AND destination IS NOT NULL
        AND epoch_ms(date) >= ${lo - 2 * 86_400_000} AND epoch_ms(date) < ${hi}),
    both_events AS (
      SELECT row, 'departed' AS code, origin AS hub, dep + greatest(delay, 0) * ${minuteMs} AS ts, * EXCLUDE (row) FROM f
      UNION ALL
      SELECT row, 'arrived', dest, dep + block + delay * ${minuteMs}, * EXCLUDE (row) FROM f),
    ap AS (SELECT iata, latitude::DOUBLE AS lat, longitude::DOUBLE AS lon FROM read_csv(${quote(airportsCsv)}, header = true, all_varchar = true)),
    e AS (SELECT b.*, ap.lat, ap.lon FROM both_events b LEFT JOIN ap ON ap.iata = b.hub)`;
}

/**
 * The compression that puts about `wanted` events into the run, from a per-minute histogram of
 * scheduled departures (the data's rate swings with the hour and the day, so an average would
 * not): the data time by which half as many flights have left, interpolated within its minute.
 * Arrivals trail departures by a few hours, so over the days a run usually replays this is within
 * a percent or two; the date column alone is read, in half a second, instead of every event.
 */
async function compressionFor(conn: DuckDBConnection, parquet: string, lo: number, last: number, wanted: number, runMs: number): Promise<number> {
  const rows = (await conn.runAndReadAll(`SELECT floor((epoch_ms(date) - ${lo}) / ${minuteMs})::DOUBLE AS m, count(*)::DOUBLE
    FROM read_parquet(${quote(parquet)}) WHERE date IS NOT NULL GROUP BY m ORDER BY m`)).getRowsJS();
  const flights = wanted / 2;
  let seen = 0;
  let reached = last;
  for (const [minute, count] of rows as [number, number][]) {
    if (seen + count >= flights) {
      reached = lo + (minute + (flights - seen) / count) * minuteMs;
      break;
    }
    seen += count;
  }
  return Math.max(1e-9, (reached - lo) / runMs);
}
