import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@pointclick/tfjs-kernels/cpu';
import { setWasmPaths } from '@pointclick/tfjs-kernels/wasm';
import type { ClickDecoderConfig, DecoderLevel } from '../src/index.js';

/** Voxels per level of the fake backbone the decoder tests use, coarsest first. */
export const VOXEL_COUNTS = [12, 30, 70, 140];
/** Channels per level of that backbone. */
export const CHANNELS = [24, 16, 12, 8];
/** A decoder small enough for literal checks and gradients on the cpu backend. */
export const TINY_CONFIG: ClickDecoderConfig = {
  levelChannels: CHANNELS,
  width: 16,
  headCount: 2,
  feedForwardChannels: 24,
  stageCount: 4,
  prototypeCount: 5,
  prototypeChannels: 8,
  fourierFeatureCount: 8,
  // Below the finest level's 140 voxels, so the subsampled attention path runs too.
  maxAttentionKeys: 50,
  // The click distance prior is on, so every test covers it too (the adaptor test covers Eq. 5 without it).
  distancePriorFrequencyCount: 6,
  seed: 3,
};

/** Makes `name` the active backend (wasm single-threaded from the installed dist folder). */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  }
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
}

/** xorshift32 values in [low, high). */
export function randomValues(count: number, seed: number, low = -1, high = 1): Float32Array {
  let state = seed >>> 0 || 1;
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[index] = low + ((state >>> 0) / 4294967296) * (high - low);
  }
  return values;
}

/**
 * A fake backbone output: level l has `voxelCounts[l]` voxels (coarsest first) with random features
 * and positions in a 6 m × 4 m × 3 m room; finest voxel v lies in level voxel ⌊v·n_l/N⌋, the
 * nesting a serialised (space-filling-curve ordered) pooling produces.
 */
export function makeFakeLevels(voxelCounts: readonly number[], channels: readonly number[], seed = 1): DecoderLevel[] {
  const finestCount = voxelCounts[voxelCounts.length - 1];
  return voxelCounts.map((voxelCount, level) => {
    const coordinates = randomValues(voxelCount * 3, seed * 100 + level, 0, 1);
    for (let offset = 0; offset < coordinates.length; offset += 3) {
      coordinates[offset] *= 6;
      coordinates[offset + 1] *= 4;
      coordinates[offset + 2] *= 3;
    }
    const finestToLevel = new Int32Array(finestCount);
    for (let voxel = 0; voxel < finestCount; voxel++) finestToLevel[voxel] = Math.floor((voxel * voxelCount) / finestCount);
    return {
      features: tf.tensor2d(randomValues(voxelCount * channels[level], seed * 1000 + level), [voxelCount, channels[level]]),
      coordinates,
      finestToLevel,
      voxelSize: 0.02 * 2 ** (voxelCounts.length - 1 - level),
    };
  });
}

/** Clicks on the given finest voxels, placed at those voxels' positions. */
export function clicksAt(levels: readonly DecoderLevel[], voxels: readonly number[]): { clickVoxelIndices: Int32Array; clickPositions: Float32Array } {
  const finest = levels[levels.length - 1];
  const clickPositions = new Float32Array(voxels.length * 3);
  voxels.forEach((voxel, click) => clickPositions.set(finest.coordinates.subarray(voxel * 3, voxel * 3 + 3), click * 3));
  return { clickVoxelIndices: Int32Array.from(voxels), clickPositions };
}

/** Largest |a − b| over two equally long arrays. */
export function maxAbsoluteDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let largest = 0;
  for (let index = 0; index < a.length; index++) largest = Math.max(largest, Math.abs(a[index] - b[index]));
  return largest;
}
