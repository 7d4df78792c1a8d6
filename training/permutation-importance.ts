import type { DelayModel } from '../models/delay-model';
import type { EncodedBatch } from '../models/feature-encoder';
import { rocAuc } from './metrics/roc';
import { mulberry32, shuffled } from './seeded-random';

export interface Importance {
  feature: string;
  /** AUC lost when the feature's values are shuffled across legs (higher = more relied upon). */
  aucDrop: number;
}

/** A feature for importance: dense columns by name, or one of the id inputs. */
export interface FeatureGroup {
  name: string;
  columns: number[];
  ids?: 'origin' | 'destination' | 'lane';
}

/**
 * Permutation importance: shuffle one feature (group of encoded columns) across the rows,
 * score again, and measure how much the ROC AUC falls.
 */
export function permutationImportance(model: DelayModel, x: EncodedBatch, late: ArrayLike<number>, groups: FeatureGroup[], seed = 1): Importance[] {
  const base = rocAuc(late, model.predictEncoded(x).pLate);
  const width = x.size > 0 ? x.dense.length / x.size : 0;
  const random = mulberry32(seed);
  return groups.map((g) => {
    const order = shuffled(x.size, random);
    const copy: EncodedBatch = { ...x, dense: x.dense.slice() };
    if (g.ids) copy[g.ids] = Int32Array.from(order, (i) => x[g.ids as 'lane'][i] as number);
    for (const c of g.columns) for (let r = 0; r < x.size; r++) copy.dense[r * width + c] = x.dense[(order[r] as number) * width + c] as number;
    return { feature: g.name, aucDrop: base - rocAuc(late, model.predictEncoded(copy).pLate) };
  }).sort((a, b) => b.aucDrop - a.aucDrop);
}

/** Groups of the encoder's columns: each rolling input with its missing flag; the one-hots of hour and weekday together. */
export function featureGroups(columns: readonly string[]): FeatureGroup[] {
  const groups = new Map<string, number[]>();
  columns.forEach((name, j) => {
    const key = name.replace(/#missing$/, '').replace(/^(hour|weekday|mode)_.*$/, '$1').replace(/^month_(sin|cos)$/, 'month');
    groups.set(key, [...(groups.get(key) ?? []), j]);
  });
  return [
    ...[...groups].map(([name, cols]) => ({ name, columns: cols })),
    { name: 'origin hub (embedding)', columns: [], ids: 'origin' as const },
    { name: 'destination hub (embedding)', columns: [], ids: 'destination' as const },
    { name: 'lane (embedding)', columns: [], ids: 'lane' as const },
  ];
}
