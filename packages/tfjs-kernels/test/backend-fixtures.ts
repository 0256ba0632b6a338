import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend, startNodeWebGpu } from '../src/node.js';

/** SwiftShader's Vulkan driver as installed by Debian's chromium package (see README). */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Backends the shared spec runs on. */
export const BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;
export type TestBackend = (typeof BACKENDS)[number];

let webGpuProbe: Promise<string | null> | undefined;

/** Starts Dawn once per process; null (with a visible warning) when no adapter is found. */
export function probeWebGpu(): Promise<string | null> {
  if (process.env.VK_ICD_FILENAMES == null && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  webGpuProbe ??= startNodeWebGpu().catch((error: unknown) => {
    console.warn(`WebGPU tests skipped: ${error instanceof Error ? error.message : String(error)}. See packages/tfjs-kernels/README.md, "WebGPU without a GPU".`);
    return null;
  });
  return webGpuProbe;
}

/** Makes `backend` active; returns false when it cannot run here. */
export async function useBackend(backend: TestBackend): Promise<boolean> {
  if (backend === 'webgpu' && (await probeWebGpu()) == null) return false;
  const info = await initializeBackend({ preferred: backend, strict: true });
  return tf.getBackend() === info.backend;
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32), so failures reproduce. */
export function randomValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    values[index] = (((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}

/**
 * Central-difference gradient of `loss` with respect to every element of `input` (float64
 * accumulation of float32 forward passes), for comparing against analytic gradients.
 */
export async function numericalGradient(loss: (input: tf.Tensor) => tf.Scalar, input: Float32Array, shape: number[], step = 1e-2): Promise<Float32Array> {
  const gradient = new Float32Array(input.length);
  for (let index = 0; index < input.length; index++) {
    const original = input[index];
    const evaluate = async (value: number) => {
      const perturbed = input.slice();
      perturbed[index] = value;
      const result = tf.tidy(() => loss(tf.tensor(perturbed, shape)));
      const [number] = await result.data();
      result.dispose();
      return number;
    };
    gradient[index] = ((await evaluate(original + step)) - (await evaluate(original - step))) / (2 * step);
  }
  return gradient;
}

/** Largest absolute difference between two arrays. */
export function maxAbsoluteDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let worst = 0;
  for (let index = 0; index < actual.length; index++) worst = Math.max(worst, Math.abs(actual[index] - expected[index]));
  return worst;
}
