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
    const [count, lo, hi] = (await conn.runAndReadAll(`SELECT count(*)::DOUBLE, epoch_ms(min(date))::DOUBLE, epoch_ms(max(date))::DOUBLE FROM read_parquet(${quote(parquet)})`))
      .getRowsJS()[0]!.map(Number) as [number, number, number];
    // Two events per flight spread over the data's span: the natural rate per data-ms.
    const naturalPerMs = (2 * count) / Math.max(1, hi - lo);
    const compression = options.compression ?? ((options.eventsPerSecond ?? 1) / 1000) / naturalPerMs;
    const replay = new FlightReplay(instance, conn, compression, lo, options);
    await replay.query(parquet, options.airportsCsv ?? vegaDataFile('airports.csv'));
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

  private async query(parquet: string, airportsCsv: string): Promise<void> {
    const lo = this.dataStartMs;
    const hi = lo + (this.options.endMs - this.options.startMs) * this.compression;
    const result: DuckDBResult = await this.conn.stream(`
      WITH ap AS (SELECT iata, latitude::DOUBLE AS lat, longitude::DOUBLE AS lon FROM read_csv(${quote(airportsCsv)}, header = true, all_varchar = true)),
      f AS (
        SELECT file_row_number AS row, epoch_ms(date)::DOUBLE AS dep, delay::DOUBLE AS delay, origin, destination AS dest,
               round((30 + distance * 0.125) * ${minuteMs})::DOUBLE AS block
        FROM read_parquet(${quote(parquet)}, file_row_number = true)
        WHERE date IS NOT NULL AND delay IS NOT NULL AND distance IS NOT NULL AND origin IS NOT NULL AND destination IS NOT NULL),
      e AS (
        SELECT row, 'departed' AS code, origin AS hub, dep + greatest(delay, 0) * ${minuteMs} AS ts, * EXCLUDE (row) FROM f
        UNION ALL
        SELECT row, 'arrived', dest, dep + block + delay * ${minuteMs}, * EXCLUDE (row) FROM f)
      SELECT e.row::DOUBLE, e.code, e.hub, e.ts, e.dep, e.dep + e.block AS plan_arr, e.delay, e.origin, e.dest, ap.lat, ap.lon
      FROM e LEFT JOIN ap ON ap.iata = e.hub
      WHERE e.ts >= ${lo} AND e.ts < ${hi}
      ORDER BY e.ts, e.row, e.code DESC`);
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
