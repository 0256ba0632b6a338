import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** Backends every loss spec runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/** Makes `name` the active backend (wasm single-threaded from the installed dist folder). */
export async function useBackend(name: (typeof BACKENDS)[number]): Promise<void> {
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  }
  const ready = await tf.setBackend(name);
  if (!ready) throw new Error(`backend ${name} failed to initialise`);
}

/** Central finite-difference gradient of a float64 function. */
export function numericalGradient(f: (x: Float64Array) => number, x: Float64Array, step = 1e-5): Float64Array {
  const gradient = new Float64Array(x.length);
  for (let index = 0; index < x.length; index++) {
    const saved = x[index];
    x[index] = saved + step;
    const plus = f(x);
    x[index] = saved - step;
    const minus = f(x);
    x[index] = saved;
    gradient[index] = (plus - minus) / (2 * step);
  }
  return gradient;
}

/** Deterministic pseudo-random values in [low, high). */
export function randomValues(count: number, seed: number, low = -1, high = 1): Float64Array {
  let state = seed >>> 0 || 1;
  const values = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[index] = low + ((state >>> 0) / 4294967296) * (high - low);
  }
  return values;
}
