import { FlowcastError } from '../core/errors';
import type { EntityType } from './entity';
import { readsNewestOnly, type FeatureDefinition, type SeriesDefinition } from './feature-definition';
import { eventSlotOf, isEventLogged } from './entity-storage';
import { slotOf } from './signal-slots';

export class FeatureDefinitionError extends FlowcastError {
  constructor(message: string) {
    super('FC_FEATURE_DEFINITION', message, 500);
  }
}

/** A validated, indexed set of series and features: what every part of features/ works from. */
export interface FeatureCatalog {
  series: ReadonlyMap<string, SeriesDefinition>;
  features: readonly FeatureDefinition[];
  /** Series fed by a signal of an entity type, keyed `entity:signal`. */
  seriesBySignal: ReadonlyMap<string, readonly SeriesDefinition[]>;
  featuresOf(entity: EntityType): readonly FeatureDefinition[];
  /** The slot of a series in its entity's tile rows (features/signal-slots.ts). */
  slotOf(series: string): number;
  /**
   * The series a windowed feature over `series` reads (features/window-pieces.ts): the series
   * itself, then its coarser copies (same signal and half-life, each width a multiple of the
   * last), widest last. Last-value features read only their own series.
   */
  ladderOf(series: string): readonly SeriesDefinition[];
  /** The series a feature of this catalog reads, finest first: its series' ladder (last-value features: the series alone), and the denominator's. */
  seriesReadBy(feature: FeatureDefinition): SeriesRead;
}

export interface SeriesRead {
  numerator: readonly SeriesDefinition[];
  denominator: readonly SeriesDefinition[];
}

export const signalKey = (entity: EntityType, signal: string): string => `${entity}:${signal}`;

export function createCatalog(series: SeriesDefinition[], features: FeatureDefinition[]): FeatureCatalog {
  const byName = new Map<string, SeriesDefinition>();
  for (const s of series) {
    if (byName.has(s.name)) throw new FeatureDefinitionError(`series ${s.name} is defined twice`);
    if (!(s.tileMs > 0) || !Number.isInteger(s.tileMs)) throw new FeatureDefinitionError(`series ${s.name}: tileMs must be a positive integer`);
    byName.set(s.name, s);
  }
  const slots = slotIndex(series);
  const names = new Set<string>();
  for (const f of features) validateFeature(f, byName, names);
  const bySignal = new Map<string, SeriesDefinition[]>();
  for (const s of series) {
    const key = signalKey(s.entity, s.signal);
    bySignal.set(key, [...(bySignal.get(key) ?? []), s]);
  }
  const byEntity = new Map<EntityType, FeatureDefinition[]>();
  for (const f of features) byEntity.set(f.entity, [...(byEntity.get(f.entity) ?? []), f]);
  const ladders = new Map(series.map((s) => [s.name, ladder(s, bySignal.get(signalKey(s.entity, s.signal)) ?? [])]));
  const ladderOf = (name: string) => {
    const l = ladders.get(name);
    if (l === undefined) throw new FeatureDefinitionError(`unknown series ${name}`);
    return l;
  };
  // Every read binds every feature: worked out here, once.
  const reads = new Map(features.map((f) => [f.name, readOf(f, byName, ladderOf)]));
  return {
    series: byName, features, seriesBySignal: bySignal, featuresOf: (e) => byEntity.get(e) ?? [], ladderOf,
    seriesReadBy: (f) => {
      const read = reads.get(f.name);
      if (read === undefined) throw new FeatureDefinitionError(`feature ${f.name} is not in this catalog`);
      return read;
    },
    slotOf: (name) => {
      const slot = slots.get(name);
      if (slot === undefined) throw new FeatureDefinitionError(`unknown series ${name}`);
      return slot;
    },
  };
}

function readOf(f: FeatureDefinition, series: Map<string, SeriesDefinition>, ladderOf: (name: string) => readonly SeriesDefinition[]): SeriesRead {
  const of = (name: string | undefined) =>
    name === undefined ? [] : readsNewestOnly(f.aggregation) ? [series.get(name) as SeriesDefinition] : ladderOf(name);
  return { numerator: of(f.series), denominator: of(f.denominatorSeries) };
}

/**
 * `s` and the series of its signal and half-life that are coarser, each width a multiple of the
 * one before: every tile of a coarser one holds exactly the events of the finer tiles it covers
 * (ingest writes them all from the same observations), so a window may be read from either.
 */
function ladder(s: SeriesDefinition, sameSignal: readonly SeriesDefinition[]): SeriesDefinition[] {
  const out = [s];
  const coarser = sameSignal.filter((c) => c.halfLifeMs === s.halfLifeMs && c.tileMs > s.tileMs).sort((a, b) => a.tileMs - b.tileMs);
  for (const c of coarser) if (c.tileMs % (out[out.length - 1] as SeriesDefinition).tileMs === 0) out.push(c);
  return out;
}

/** Each series' slot; two series sharing an entity, tile width and slot would overwrite each other. */
function slotIndex(series: SeriesDefinition[]): Map<string, number> {
  const slots = new Map<string, number>();
  const taken = new Map<string, string>();
  for (const s of series) {
    const slot = slotOf(s.entity, s.signal, s.halfLifeMs);
    if (slot < 0) throw new FeatureDefinitionError(`series ${s.name}: ${s.entity} has no slot for signal ${s.signal} (features/signal-slots.ts)`);
    if (isEventLogged(s.entity) && eventSlotOf(s.entity, s.signal) < 0) {
      throw new FeatureDefinitionError(`series ${s.name}: ${s.entity} keeps events, and has no slot for the plain signal ${s.signal} (features/signal-slots.ts)`);
    }
    const place = `${s.entity}/${s.tileMs}/${slot}`;
    const other = taken.get(place);
    if (other !== undefined) throw new FeatureDefinitionError(`series ${s.name} and ${other} would share one slot`);
    taken.set(place, s.name);
    slots.set(s.name, slot);
  }
  return slots;
}

function validateFeature(f: FeatureDefinition, series: Map<string, SeriesDefinition>, names: Set<string>): void {
  if (names.has(f.name)) throw new FeatureDefinitionError(`feature ${f.name} is defined twice`);
  names.add(f.name);
  for (const name of [f.series, f.denominatorSeries]) {
    if (name === undefined) continue;
    const s = series.get(name);
    if (!s) throw new FeatureDefinitionError(`feature ${f.name}: unknown series ${name}`);
    if (s.entity !== f.entity) throw new FeatureDefinitionError(`feature ${f.name}: series ${name} belongs to ${s.entity}`);
    // Windows made of whole tiles are what lets tiles answer exactly.
    if (f.windowMs % s.tileMs !== 0) throw new FeatureDefinitionError(`feature ${f.name}: window is not a multiple of the tile of ${name}`);
  }
  if ((f.aggregation === 'ratio') !== (f.denominatorSeries !== undefined)) {
    throw new FeatureDefinitionError(`feature ${f.name}: a denominator series goes with the ratio aggregation, and only with it`);
  }
  if (f.aggregation === 'ratio' && series.get(f.denominatorSeries ?? '')?.tileMs !== series.get(f.series)?.tileMs) {
    throw new FeatureDefinitionError(`feature ${f.name}: numerator and denominator series need the same tile width`);
  }
  if (f.aggregation === 'ewma' && !series.get(f.series)?.halfLifeMs) {
    throw new FeatureDefinitionError(`feature ${f.name}: ewma needs a series with halfLifeMs`);
  }
}
