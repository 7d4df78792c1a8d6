import type { Logger } from 'pino';

export type Tf = typeof import('@tensorflow/tfjs');

export interface TfRuntime {
  tf: Tf;
  /** `tensorflow` (native libtensorflow through @tensorflow/tfjs-node) or `wasm`. */
  backend: string;
}

let runtime: Promise<TfRuntime> | undefined;

/**
 * TensorFlow.js on the fastest backend this machine has: @tensorflow/tfjs-node when it is
 * installed (an optional dependency: its install downloads libtensorflow), otherwise the
 * WebAssembly backend. Same model code on both; the choice is logged. Once per process.
 */
export function loadTensorflow(logger: Logger): Promise<TfRuntime> {
  runtime ??= choose(logger);
  return runtime;
}

async function choose(logger: Logger): Promise<TfRuntime> {
  const native = tryRequire('@tensorflow/tfjs-node');
  if (native) {
    await native.setBackend('tensorflow');
    await native.ready();
    logger.info({ backend: native.getBackend() }, 'TensorFlow.js backend: native (tfjs-node)');
    return { tf: native, backend: native.getBackend() };
  }
  const tf = require('@tensorflow/tfjs') as Tf;
  require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  logger.info({ backend: tf.getBackend() }, 'TensorFlow.js backend: wasm (@tensorflow/tfjs-node is not installed)');
  return { tf, backend: tf.getBackend() };
}

function tryRequire(name: string): Tf | undefined {
  try {
    // A variable name keeps bundlers and tsc from insisting on the optional package.
    return require(name) as Tf;
  } catch {
    return undefined;
  }
}
