import { z } from 'zod';
import type { EncoderState } from './feature-encoder';
import type { NetworkParams, NetworkShape } from './delay-network';

export const delayArtifactFormat = 'flowcast.delay-model.v1';

/**
 * Everything needed to score legs, in one JSON document: the encoder state (vocabularies,
 * standardisation), the network shape and weights (float32, base64), and the label definition.
 */
export interface DelayModelArtifact {
  format: typeof delayArtifactFormat;
  lateThresholdMin: number;
  delayScaleMin: number;
  encoder: EncoderState;
  shape: NetworkShape;
  weights: Record<string, { shape: number[]; data: string }>;
}

const artifactSchema = z.object({
  format: z.literal(delayArtifactFormat),
  lateThresholdMin: z.number(),
  delayScaleMin: z.number().positive(),
  encoder: z.object({
    hubs: z.array(z.string()),
    lanes: z.array(z.string()),
    rolling: z.array(z.string()),
    month: z.boolean().optional(),
    columns: z.array(z.object({ name: z.string(), mean: z.number(), std: z.number() })),
  }),
  shape: z.object({
    dense: z.number().int(), hubs: z.number().int(), lanes: z.number().int(),
    hubDim: z.number().int(), laneDim: z.number().int(), hidden: z.tuple([z.number().int(), z.number().int()]),
  }),
  weights: z.record(z.string(), z.object({ shape: z.array(z.number().int()), data: z.string() })),
});

export function encodeWeights(params: NetworkParams): DelayModelArtifact['weights'] {
  const out: DelayModelArtifact['weights'] = {};
  for (const [name, v] of Object.entries(params)) {
    const data = v.dataSync() as Float32Array;
    out[name] = { shape: [...v.shape], data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
  }
  return out;
}

export function decodeWeight(w: { shape: number[]; data: string }): Float32Array {
  const bytes = Buffer.from(w.data, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const values = new Float32Array(copy.buffer);
  const expected = w.shape.reduce((a, b) => a * b, 1);
  if (values.length !== expected) throw new Error(`weight has ${values.length} values, shape ${w.shape.join('×')} needs ${expected}`);
  return values;
}

/** Parses and checks an artifact read from storage. */
export function parseDelayArtifact(json: string): DelayModelArtifact {
  return artifactSchema.parse(JSON.parse(json)) as DelayModelArtifact;
}
