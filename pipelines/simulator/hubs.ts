import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LatLon } from './geo';

export interface Hub extends LatLon {
  /** IATA code of the airport the hub sits at; also the hub id in reports. */
  code: string;
  city: string;
}

/** Fifty large US freight and air-cargo hubs; their coordinates come from vega-datasets. */
export const hubCodes = [
  'ATL', 'ORD', 'DFW', 'DEN', 'LAX', 'JFK', 'SEA', 'MIA', 'PHX', 'BOS', 'SFO', 'LAS', 'MSP', 'DTW', 'PHL', 'CLT', 'IAH',
  'MCO', 'EWR', 'SLC', 'BWI', 'IAD', 'SAN', 'TPA', 'PDX', 'STL', 'MCI', 'CLE', 'PIT', 'IND', 'CMH', 'MEM', 'SDF', 'BNA',
  'AUS', 'SAT', 'MSY', 'RDU', 'OKC', 'ABQ', 'ELP', 'OMA', 'MKE', 'JAX', 'BUF', 'BOI', 'SMF', 'TUL', 'LIT', 'BHM',
] as const;

/** A file of the vega-datasets package's data folder (the package exports only its index). */
export function vegaDataFile(name: string): string {
  return path.join(path.dirname(require.resolve('vega-datasets')), '..', 'data', name);
}

/**
 * The hubs with their real coordinates, read from vega-datasets' airports.csv
 * (iata,name,city,state,country,latitude,longitude). Names may hold quoted commas, so the
 * coordinates are taken from the end of the line.
 */
export function loadHubs(airportsCsv = vegaDataFile('airports.csv'), codes: readonly string[] = hubCodes): Hub[] {
  const byCode = new Map<string, Hub>();
  const wanted = new Set(codes);
  for (const line of readFileSync(airportsCsv, 'utf8').split('\n')) {
    const code = line.slice(0, line.indexOf(','));
    if (!wanted.has(code)) continue;
    const fields = line.trim().split(',');
    const lat = Number(fields[fields.length - 2]);
    const lon = Number(fields[fields.length - 1]);
    if (Number.isFinite(lat) && Number.isFinite(lon)) byCode.set(code, { code, city: fields[2] ?? code, lat, lon });
  }
  const missing = codes.filter((c) => !byCode.has(c));
  if (missing.length) throw new Error(`airports.csv (${airportsCsv}) has no coordinates for hubs ${missing.join(', ')}`);
  return codes.map((c) => byCode.get(c)!);
}
