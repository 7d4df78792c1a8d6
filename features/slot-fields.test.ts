import { createCatalog } from './catalog';
import { evaluateFeature } from './evaluate-feature';
import type { Aggregation, FeatureDefinition, SeriesDefinition } from './feature-definition';
import { fieldsRead } from './slot-fields';
import { mergeTiles, singletonTile, type Tile } from './tile';
import { TileRun } from './tile-run';

const minute = 60_000;
const delay: SeriesDefinition = { name: 'hub.arrival_delay_min@1m', entity: 'hub', signal: 'arrival_delay_min', tileMs: minute };
const ewDelay: SeriesDefinition = { ...delay, name: 'hub.arrival_delay_min@1m~1h', halfLifeMs: 3_600_000 };
const departures: SeriesDefinition = { name: 'hub.departure@1m', entity: 'hub', signal: 'departure', tileMs: minute };
const aggregations: Aggregation[] = ['count', 'sum', 'mean', 'min', 'max', 'last', 'seconds_since_last', 'rate_per_min', 'ewma', 'ratio'];
const features: FeatureDefinition[] = aggregations.map((aggregation) => ({
  name: `hub.${aggregation}_1h`, entity: 'hub', aggregation, windowMs: 60 * minute, description: aggregation,
  series: aggregation === 'ewma' ? ewDelay.name : delay.name, ...(aggregation === 'ratio' ? { denominatorSeries: departures.name } : {}),
}));
const catalog = createCatalog([delay, ewDelay, departures], features);

function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

/** A run of tiles from random events over two hours. */
function runOf(series: SeriesDefinition, rnd: () => number): TileRun {
  const byStart = new Map<number, Tile>();
  for (let i = 0; i < 300; i++) {
    const t = singletonTile(series, Math.floor(rnd() * 120 * minute), Math.round((rnd() * 100 - 30) * 10) / 10);
    const had = byStart.get(t.tileStart);
    byStart.set(t.tileStart, had ? mergeTiles(had, t) : t);
  }
  return TileRun.of([...byStart.values()].sort((a, b) => a.tileStart - b.tileStart));
}

/** Per slot integer (slotField order): the Tile field and the TileRun column holding it. */
const fields = [
  ['count', 'counts'], ['sum', 'sums'], ['min', 'mins'], ['max', 'maxs'],
  ['lastTs', 'lastTs'], ['lastValue', 'lastValues'], ['ewSum', 'ewSums'], ['ewWeight', 'ewWeights'],
] as const;

/** The same tiles with every integer not in `kept` replaced by garbage. */
function scrambled(run: TileRun, kept: number[], rnd: () => number): TileRun {
  const tiles = run.starts.map((tileStart, k) => {
    const tile = { tileStart } as Tile;
    fields.forEach(([name, column], f) => {
      tile[name] = kept.includes(f) ? (run[column][k] as number) : Math.floor(rnd() * 1e9) + 1;
    });
    return tile;
  });
  return TileRun.of(tiles);
}

describe('fieldsRead', () => {
  it('names every integer each aggregation reads: garbage in the others changes no value', () => {
    const rnd = random(5);
    const runs = new Map([delay, ewDelay, departures].map((s) => [s.name, runOf(s, rnd)]));
    for (const withFreshness of [false, true]) {
      const partial = new Map([...runs].map(([name, run]) => [name, scrambled(run, fieldsRead(catalog, name, withFreshness), rnd)]));
      for (const f of features) {
        for (let at = 0; at < 130 * minute; at += 7_001) {
          const whole = evaluateFeature(f, catalog, (s) => runs.get(s) as TileRun, at);
          const read = evaluateFeature(f, catalog, (s) => partial.get(s) as TileRun, at);
          expect({ feature: f.name, at, value: read.value }).toEqual({ feature: f.name, at, value: whole.value });
          if (withFreshness) expect({ feature: f.name, at, lastEventAt: read.lastEventAt }).toEqual({ feature: f.name, at, lastEventAt: whole.lastEventAt });
        }
      }
    }
  });

  it('reads a series only for what its features need', () => {
    expect(fieldsRead(catalog, departures.name, false)).toEqual([0, 1]);
    expect(fieldsRead(catalog, ewDelay.name, false)).toEqual([0, 6, 7]);
    expect(fieldsRead(catalog, ewDelay.name, true)).toEqual([0, 4, 6, 7]);
  });
});
