import type { FeatureCatalog } from './catalog';
import type { Aggregation, SeriesDefinition } from './feature-definition';

/** Offsets of a slot's integers in a tile row (features/signal-slots.ts: 8 per slot). */
export const slotField = { count: 0, sum: 1, min: 2, max: 3, lastTs: 4, lastValue: 5, ewSum: 6, ewWeight: 7 } as const;

const { count, sum, min, max, lastTs, lastValue, ewSum, ewWeight } = slotField;

/**
 * The slot integers evaluateOn reads for each aggregation. The count is always read: a tile
 * whose count is 0 holds nothing of the series and is skipped when loaded.
 */
const readBy: Record<Aggregation, readonly number[]> = {
  count: [count],
  sum: [count, sum],
  mean: [count, sum],
  min: [count, min],
  max: [count, max],
  last: [count, lastValue],
  seconds_since_last: [count, lastTs],
  rate_per_min: [count, sum],
  ratio: [count, sum],
  ewma: [count, ewSum, ewWeight],
};

/**
 * Which of a series' slot integers its features read (ascending), so a read fetches only
 * those: a hub's tile row holds 40 integers, of which its features read 10 to 14 (6 to 9
 * without freshness).
 * A series is read by the features over it and by those whose windows it serves as a coarser
 * copy (catalog.ladderOf). A ratio's denominator is read for its sum; freshness (lastEventAt)
 * needs each feature's last_ts.
 */
export function fieldsRead(catalog: FeatureCatalog, series: string, withFreshness: boolean): number[] {
  const fields = new Set<number>([count]);
  const named = (s: SeriesDefinition) => s.name === series;
  for (const f of catalog.features) {
    const read = catalog.seriesReadBy(f);
    if (read.numerator.some(named)) {
      for (const k of readBy[f.aggregation]) fields.add(k);
      if (withFreshness) fields.add(lastTs);
    }
    if (read.denominator.some(named)) fields.add(sum);
  }
  return [...fields].sort((a, b) => a - b);
}
