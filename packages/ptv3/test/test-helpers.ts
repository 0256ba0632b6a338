import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
// Registers the kernels package's cpu and wasm kernels (row gather, segment sum and max) used by src/ops/point-ops.ts.
import '@pointclick/tfjs-kernels/cpu';
import '@pointclick/tfjs-kernels/wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BASE_CONFIG, TINY_CONFIG, type PointTransformerV3Config } from '../src/index.js';

const require = createRequire(import.meta.url);
setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);

/** A three-stage network small enough for numerical checks on the cpu backend. */
export const NUMERIC_CHECK_CONFIG: Partial<PointTransformerV3Config> = {
  // TINY_CONFIG's sizes, a deeper last stage and wider heads; drop path and order shuffling as in BASE_CONFIG.
  ...TINY_CONFIG,
  gridSize: 0.05,
  encoderDepths: [1, 1, 2],
  encoderHeads: [2, 2, 4],
  decoderHeads: [2, 4],
  dropPathRate: BASE_CONFIG.dropPathRate,
  shuffleOrders: BASE_CONFIG.shuffleOrders,
  seed: 7,
};

/** Deterministic pseudo-random numbers in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Points on two planes of a 0.6 m box (a crude room corner) with colours. */
export function makeCloud(pointCount: number, seed: number): { positions: Float32Array; colors: Uint8Array } {
  const random = createRandom(seed);
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  for (let point = 0; point < pointCount; point++) {
    const onFloor = random() < 0.5;
    positions[3 * point] = random() * 0.6;
    positions[3 * point + 1] = onFloor ? random() * 0.6 : random() * 0.02;
    positions[3 * point + 2] = onFloor ? random() * 0.02 : random() * 0.6;
    for (let channel = 0; channel < 3; channel++) colors[3 * point + channel] = Math.floor(random() * 256);
  }
  return { positions, colors };
}

/** Backends every spec runs on. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}
