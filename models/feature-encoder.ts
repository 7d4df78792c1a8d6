import type { LegExample } from './leg-example';

/**
 * Turns leg examples into model inputs, the same way in training and serving. Its state
 * (vocabularies and normalisation statistics, fitted on training data only) travels inside the
 * model artifact.
 *
 * Inputs: origin and destination hub ids and the lane id (index 0 = not in the vocabulary, for
 * embeddings), and one dense row of numbers: log planned duration (the distance proxy: for a
 * flight it is linear in distance), hour of day (one-hot), weekday (one-hot), month (as a
 * point on a circle), mode (one-hot), and every rolling input as sign·log(1+|x|) with a
 * missing flag (a mean over an empty window is null). Dense columns are then standardised.
 */
export interface EncoderState {
  hubs: string[];
  lanes: string[];
  rolling: string[];
  /** Whether the month enters (a six-month history cannot teach what an unseen month does); absent = true. */
  month?: boolean;
  /** Per dense column: name, mean and standard deviation on the training data. */
  columns: { name: string; mean: number; std: number }[];
}

export interface EncodedBatch {
  size: number;
  origin: Int32Array;
  destination: Int32Array;
  lane: Int32Array;
  /** size × columns.length, row-major. */
  dense: Float32Array;
}

export interface EncoderOptions {
  rolling: string[];
  /** Hubs and lanes seen fewer times share the unknown index. */
  minCount: number;
  maxLanes: number;
  month?: boolean;
}

const modes = ['road', 'rail', 'air', 'sea'] as const;

export const laneKey = (from: string, to: string): string => `${from}->${to}`;

function staticColumnNames(month: boolean): string[] {
  return [
    'log_planned_minutes',
    ...Array.from({ length: 24 }, (_, h) => `hour_${h}`),
    ...Array.from({ length: 7 }, (_, d) => `weekday_${d}`),
    ...(month ? ['month_sin', 'month_cos'] : []),
    ...modes.map((m) => `mode_${m}`),
  ];
}

const signedLog = (x: number): number => Math.sign(x) * Math.log1p(Math.abs(x));

/** The raw (unstandardised) dense row of one example, written into `out` at `offset`. */
function writeRawRow(e: LegExample, rolling: string[], month: boolean, out: Float32Array, offset: number): void {
  let k = offset;
  out[k++] = Math.log1p(Math.max(0, (e.plannedArrival - e.plannedDeparture) / 60_000));
  const d = new Date(e.plannedDeparture);
  const hour = d.getUTCHours();
  for (let h = 0; h < 24; h++) out[k++] = h === hour ? 1 : 0;
  const wd = d.getUTCDay();
  for (let w = 0; w < 7; w++) out[k++] = w === wd ? 1 : 0;
  if (month) {
    const angle = (2 * Math.PI * d.getUTCMonth()) / 12;
    out[k++] = Math.sin(angle);
    out[k++] = Math.cos(angle);
  }
  for (const m of modes) out[k++] = e.mode === m ? 1 : 0;
  for (const name of rolling) {
    const v = e.rolling[name];
    out[k++] = v === null || v === undefined || !Number.isFinite(v) ? 0 : signedLog(v);
  }
  for (const name of rolling) {
    const v = e.rolling[name];
    out[k++] = v === null || v === undefined || !Number.isFinite(v) ? 1 : 0;
  }
}

export function columnNames(rolling: string[], month = true): string[] {
  return [...staticColumnNames(month), ...rolling, ...rolling.map((r) => `${r}#missing`)];
}

function vocabulary(counts: Map<string, number>, minCount: number, max: number): string[] {
  return [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, max).map(([k]) => k);
}

/** Fits vocabularies and standardisation on training examples, in one pass (any iterable). */
export function fitEncoder(examples: Iterable<LegExample>, options: EncoderOptions): EncoderState {
  const hubCounts = new Map<string, number>();
  const laneCounts = new Map<string, number>();
  const month = options.month ?? true;
  const names = columnNames(options.rolling, month);
  const width = names.length;
  const sum = new Float64Array(width);
  const sumSq = new Float64Array(width);
  const row = new Float32Array(width);
  let count = 0;
  for (const e of examples) {
    count++;
    hubCounts.set(e.from, (hubCounts.get(e.from) ?? 0) + 1);
    hubCounts.set(e.to, (hubCounts.get(e.to) ?? 0) + 1);
    const lane = laneKey(e.from, e.to);
    laneCounts.set(lane, (laneCounts.get(lane) ?? 0) + 1);
    writeRawRow(e, options.rolling, month, row, 0);
    for (let j = 0; j < width; j++) {
      const v = row[j] as number;
      sum[j] = (sum[j] as number) + v;
      sumSq[j] = (sumSq[j] as number) + v * v;
    }
  }
  const n = Math.max(1, count);
  const columns = names.map((name, j) => {
    const mean = (sum[j] as number) / n;
    const variance = Math.max(0, (sumSq[j] as number) / n - mean * mean);
    // A constant column (e.g. a mode never seen) stays constant: 0 after centring.
    return { name, mean, std: variance > 1e-12 ? Math.sqrt(variance) : 1 };
  });
  return {
    hubs: vocabulary(hubCounts, options.minCount, Number.POSITIVE_INFINITY),
    lanes: vocabulary(laneCounts, options.minCount, options.maxLanes),
    rolling: [...options.rolling],
    month,
    columns,
  };
}

/** Index lookups built once per encoder state. */
export interface EncoderIndex {
  hub: Map<string, number>;
  lane: Map<string, number>;
}

export function indexOf(state: EncoderState): EncoderIndex {
  return {
    hub: new Map(state.hubs.map((h, i) => [h, i + 1])),
    lane: new Map(state.lanes.map((l, i) => [l, i + 1])),
  };
}

export function encode(state: EncoderState, examples: readonly LegExample[], index: EncoderIndex = indexOf(state)): EncodedBatch {
  const n = examples.length;
  const width = state.columns.length;
  const dense = new Float32Array(n * width);
  const origin = new Int32Array(n);
  const destination = new Int32Array(n);
  const lane = new Int32Array(n);
  examples.forEach((e, i) => {
    origin[i] = index.hub.get(e.from) ?? 0;
    destination[i] = index.hub.get(e.to) ?? 0;
    lane[i] = index.lane.get(laneKey(e.from, e.to)) ?? 0;
    writeRawRow(e, state.rolling, state.month ?? true, dense, i * width);
    for (let j = 0; j < width; j++) {
      const c = state.columns[j] as EncoderState['columns'][number];
      dense[i * width + j] = ((dense[i * width + j] as number) - c.mean) / c.std;
    }
  });
  return { size: n, origin, destination, lane, dense };
}
