import type { ShipmentLeg } from '../features';
import type { LegExample } from '../models/leg-example';

/**
 * Legs with their labels and rolling inputs, stored column-wise (three million legs as objects
 * would not fit comfortably in memory). Rows are in planned-departure order.
 */
export interface DelayDataset {
  size: number;
  from: string[];
  to: string[];
  mode: ShipmentLeg['mode'][];
  plannedDeparture: Float64Array;
  plannedArrival: Float64Array;
  delayMin: Float32Array;
  /** Rolling input names and values, size × names.length, NaN where the feature had no value. */
  rollingNames: string[];
  rolling: Float32Array;
}

export function legExample(ds: DelayDataset, i: number, rollingNames: readonly string[] = ds.rollingNames): LegExample {
  const width = ds.rollingNames.length;
  const rolling: Record<string, number | null> = {};
  if (rollingNames.length > 0) {
    ds.rollingNames.forEach((name, j) => {
      const v = ds.rolling[i * width + j] as number;
      rolling[name] = Number.isNaN(v) ? null : v;
    });
  }
  return {
    from: ds.from[i] as string, to: ds.to[i] as string, mode: ds.mode[i] as ShipmentLeg['mode'],
    plannedDeparture: ds.plannedDeparture[i] as number, plannedArrival: ds.plannedArrival[i] as number, rolling,
  };
}

/** The rows at the given indexes, as a new dataset (for splits and samples). */
export function selectRows(ds: DelayDataset, rows: ArrayLike<number>): DelayDataset {
  const n = rows.length;
  const w = ds.rollingNames.length;
  const out: DelayDataset = {
    size: n, from: new Array<string>(n), to: new Array<string>(n), mode: new Array<ShipmentLeg['mode']>(n),
    plannedDeparture: new Float64Array(n), plannedArrival: new Float64Array(n), delayMin: new Float32Array(n),
    rollingNames: ds.rollingNames, rolling: new Float32Array(n * w),
  };
  for (let k = 0; k < n; k++) {
    const i = rows[k] as number;
    out.from[k] = ds.from[i] as string;
    out.to[k] = ds.to[i] as string;
    out.mode[k] = ds.mode[i] as ShipmentLeg['mode'];
    out.plannedDeparture[k] = ds.plannedDeparture[i] as number;
    out.plannedArrival[k] = ds.plannedArrival[i] as number;
    out.delayMin[k] = ds.delayMin[i] as number;
    out.rolling.set(ds.rolling.subarray(i * w, (i + 1) * w), k * w);
  }
  return out;
}

export const rowRange = (from: number, to: number): Int32Array => Int32Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
