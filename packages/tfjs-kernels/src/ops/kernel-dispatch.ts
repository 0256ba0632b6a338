import { getBackend, getKernel } from '@tensorflow/tfjs-core';

/**
 * Whether the active backend has a kernel registered under `kernelName`. Ops use this to choose
 * between a dedicated kernel and a composition of stock ops, so they work on every backend.
 */
export function hasKernel(kernelName: string): boolean {
  return getKernel(kernelName, getBackend()) != null;
}

/** The function type `tf.customGrad` accepts (not exported by tfjs-core 4.22). */
export type CustomGradientFunction = Parameters<typeof import('@tensorflow/tfjs-core').customGrad>[0];
