import { encode, indexOf, type EncodedBatch, type EncoderState } from '../models/feature-encoder';
import type { LegExample } from '../models/leg-example';
import { legExample, type DelayDataset } from './delay-dataset';

export type RowRange = [number, number];

/** Examples of rows [a, b), built one at a time (three million objects at once would not fit). */
export function* examplesOf(ds: DelayDataset, [a, b]: RowRange, withRolling: boolean): Generator<LegExample> {
  for (let i = a; i < b; i++) yield legExample(ds, i, withRolling ? ds.rollingNames : []);
}

const chunk = 50_000;

/** Encodes rows [a, b) with the shared encoder, chunk by chunk, into one batch. */
export function encodeRange(state: EncoderState, ds: DelayDataset, [a, b]: RowRange): EncodedBatch {
  const n = Math.max(0, b - a);
  const width = state.columns.length;
  const out: EncodedBatch = { size: n, origin: new Int32Array(n), destination: new Int32Array(n), lane: new Int32Array(n), dense: new Float32Array(n * width) };
  const index = indexOf(state);
  const withRolling = state.rolling.length > 0;
  for (let s = a; s < b; s += chunk) {
    const e = Math.min(b, s + chunk);
    const part = encode(state, [...examplesOf(ds, [s, e], withRolling)], index);
    out.origin.set(part.origin, s - a);
    out.destination.set(part.destination, s - a);
    out.lane.set(part.lane, s - a);
    out.dense.set(part.dense, (s - a) * width);
  }
  return out;
}
