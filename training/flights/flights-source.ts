import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ShipmentLeg } from '../../features';
import type { LegEvent } from '../leg-event';
import type { LegOutcome } from '../store/upsert-leg-outcomes';
import { blockMinutesSql } from './block-time';

const dayMs = 86_400_000;

export interface FlightDay {
  /** Epoch day number and its date, YYYY-MM-DD (the checkpoint key). */
  day: number;
  date: string;
  /** Legs whose first event falls on this day (so every leg is stored before its events). */
  legs: ShipmentLeg[];
  /** The actual departure and arrival of those legs (the labels). */
  outcomes: LegOutcome[];
  /** Departed and arrived events with event time on this day. */
  events: LegEvent[];
}

export interface FlightsSummary {
  flights: number;
  skippedIncomplete: number;
  unknownAirports: number;
  days: number[];
}

/**
 * vega-datasets' flights-3m.parquet, read with DuckDB, as single-leg air shipments:
 * planned departure = the flight's date, planned arrival = departure + block time (block-time.ts),
 * actual arrival = planned arrival + delay. The data has only the arrival delay; we assume the
 * departure was late by the same amount when positive (most arrival delay is departure delay)
 * and on time otherwise (flights rarely leave early; early arrivals come from padded schedules).
 * Times have no zone in the data: they are taken as UTC.
 */
export class FlightsSource {
  private constructor(private readonly conn: DuckDBConnection, private readonly instance: DuckDBInstance) {}

  static async open(parquetPath: string, airportsCsv: string, limit?: number): Promise<FlightsSource> {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const source = new FlightsSource(conn, instance);
    await source.load(parquetPath, airportsCsv, limit);
    return source;
  }

  private async load(parquetPath: string, airportsCsv: string, limit?: number): Promise<void> {
    const quote = (p: string) => `'${p.replace(/'/g, "''")}'`;
    await this.conn.run(`CREATE TABLE raw AS SELECT file_row_number AS id, * FROM read_parquet(${quote(parquetPath)}, file_row_number = true)
      ORDER BY date, id ${limit !== undefined ? `LIMIT ${Math.floor(limit)}` : ''}`);
    await this.conn.run(`CREATE TABLE airports AS SELECT iata FROM read_csv(${quote(airportsCsv)}, header = true, all_varchar = true)`);
    await this.conn.run(`CREATE TABLE flights AS
      WITH f AS (
        SELECT id, epoch_ms(date)::DOUBLE AS dep, delay::DOUBLE AS delay, distance::DOUBLE AS distance, origin, destination AS dest,
               round(${blockMinutesSql('distance')} * 60000)::DOUBLE AS block_ms
        FROM raw WHERE date IS NOT NULL AND delay IS NOT NULL AND distance IS NOT NULL AND origin IS NOT NULL AND destination IS NOT NULL)
      SELECT *, dep + greatest(delay, 0) * 60000 AS dep_evt, dep + block_ms AS arr_plan, dep + block_ms + delay * 60000 AS arr_evt,
             floor(least(dep + greatest(delay, 0) * 60000, dep + block_ms + delay * 60000) / ${dayMs})::INTEGER AS leg_day
      FROM f`);
  }

  async summary(): Promise<FlightsSummary> {
    const one = async (sql: string) => Number((await this.conn.runAndReadAll(sql)).getRowsJS()[0]?.[0] ?? 0);
    const flights = await one('SELECT count(*) FROM flights');
    const skippedIncomplete = (await one('SELECT count(*) FROM raw')) - flights;
    const unknownAirports = await one(`SELECT count(*) FROM flights WHERE origin NOT IN (SELECT iata FROM airports) OR dest NOT IN (SELECT iata FROM airports)`);
    const days = (await this.conn.runAndReadAll(`
      SELECT DISTINCT d FROM (SELECT floor(dep_evt / ${dayMs})::INTEGER AS d FROM flights UNION SELECT floor(arr_evt / ${dayMs})::INTEGER FROM flights) ORDER BY d`))
      .getRowsJS().map((r) => Number(r[0]));
    return { flights, skippedIncomplete, unknownAirports, days };
  }

  async day(day: number): Promise<FlightDay> {
    const legRows = (await this.conn.runAndReadAll(`SELECT id, dep, arr_plan, origin, dest, dep_evt, arr_evt FROM flights WHERE leg_day = ${day}`)).getColumnsObjectJS();
    const legs: ShipmentLeg[] = (legRows.id ?? []).map((id, i) => ({
      shipmentId: flightShipmentId(Number(id)), seq: 0, mode: 'air',
      from: String(legRows.origin?.[i]), to: String(legRows.dest?.[i]),
      plannedDeparture: Number(legRows.dep?.[i]), plannedArrival: Number(legRows.arr_plan?.[i]),
    }));
    const outcomes: LegOutcome[] = legs.map((leg, i) => ({
      shipmentId: leg.shipmentId, seq: 0, departedAt: Number(legRows.dep_evt?.[i]), arrivedAt: Number(legRows.arr_evt?.[i]),
    }));
    const lo = day * dayMs;
    const hi = lo + dayMs;
    const ev = (await this.conn.runAndReadAll(`
      SELECT id, 'departed' AS code, origin AS hub, dep_evt AS ts FROM flights WHERE dep_evt >= ${lo} AND dep_evt < ${hi}
      UNION ALL
      SELECT id, 'arrived', dest, arr_evt FROM flights WHERE arr_evt >= ${lo} AND arr_evt < ${hi}`)).getColumnsObjectJS();
    const events: LegEvent[] = (ev.id ?? []).map((id, i) => ({
      shipmentId: flightShipmentId(Number(id)), code: ev.code?.[i] as LegEvent['code'], hub: String(ev.hub?.[i]), ts: Number(ev.ts?.[i]),
    }));
    return { day, date: new Date(lo).toISOString().slice(0, 10), legs, outcomes, events };
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Shipment id of a flight: its row number in the Parquet file, stable across runs. */
export const flightShipmentId = (row: number): string => `FL${row}`;
