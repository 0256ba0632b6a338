import * as tf from '@tensorflow/tfjs-core';
import type { BackboneOutput, BackboneInput } from '@pointclick/ptv3';
import { TEST_TIME_ROTATIONS } from './segmenter-config.js';

/**
 * The scene's positions rotated about the vertical (z) axis through the origin by `quarterTurns` × 90°. Quarter
 * turns are exact in floating point (coordinates are swapped and negated, never multiplied), so a rotated
 * copy's voxel grid is the original's, permuted.
 */
export function rotateQuarterTurns(positions: Float32Array, quarterTurns: number): Float32Array {
  const turns = ((quarterTurns % 4) + 4) % 4;
  const rotated = new Float32Array(positions.length);
  for (let offset = 0; offset < positions.length; offset += 3) {
    const x = positions[offset];
    const y = positions[offset + 1];
    rotated[offset] = turns === 0 ? x : turns === 1 ? -y : turns === 2 ? -x : y;
    rotated[offset + 1] = turns === 0 ? y : turns === 1 ? x : turns === 2 ? -y : -x;
    rotated[offset + 2] = positions[offset + 2];
  }
  return rotated;
}

/**
 * Test-time feature averaging over rotated copies of a scene: the backbone runs on the scene turned about the
 * vertical axis by 0°, 90°, … (`rotations` copies, 1, 2 or 4), and every level's feature of the first copy's
 * voxel v becomes the mean of its own and, for each other copy, the mean feature of the voxels that copy put v's
 * input points in. The levels' geometry (positions, grids, maps) stays the first copy's, so the decoder and the
 * rest of the segmenter see one backbone output as before. The model was trained with rotations about z, so
 * every copy is a view it knows; averaging them lowers the variance the serialization orders' patches add.
 *
 * The averaging runs in JavaScript over features read back synchronously, once per scene (on WebGPU in a browser
 * that read stalls the first click; the setting is off by default, see the trainer README, session 17).
 *
 * @param apply The backbone (`PointTransformerV3.apply`).
 * @param input The scene as the network sees it (positions in network metres).
 * @param rotations Copies, 1 (the plain pass), 2 (0°, 180°) or 4 (quarter turns).
 * @returns The first copy's output with averaged features; the other copies' tensors are freed.
 * @throws RangeError for a number of rotations other than 1, 2 or 4 (a config built in code is not checked on read).
 */
export function applyRotationEnsemble(apply: (input: BackboneInput) => BackboneOutput, input: BackboneInput, rotations: number): BackboneOutput {
  if (!TEST_TIME_ROTATIONS.includes(rotations)) throw new RangeError(`testTimeRotations is ${rotations}; expected 1, 2 or 4 backbone passes`);
  const canonical = apply(input);
  if (rotations === 1) return canonical;
  try {
    return averageCopies(apply, input, rotations, canonical);
  } finally {
    canonical.dispose();
  }
}

/** The body of {@link applyRotationEnsemble} for two or more rotations; the caller frees `canonical`. */
function averageCopies(apply: (input: BackboneInput) => BackboneOutput, input: BackboneInput, rotations: number, canonical: BackboneOutput): BackboneOutput {
  const turnStep = 4 / rotations;
  const pointCount = canonical.inputToFinest.length;
  const sums = canonical.levels.map((level) => Float32Array.from(level.features.dataSync() as Float32Array));
  const canonicalVoxels = canonical.levels.map((level) => pointVoxels(canonical.inputToFinest, level.finestToLevel));
  const pointsPerVoxel = canonical.levels.map((level, index) => {
    const counts = new Float32Array(level.features.shape[0]);
    for (const voxel of canonicalVoxels[index]) counts[voxel]++;
    return counts;
  });
  for (let copy = 1; copy < rotations; copy++) {
    const output = apply({ ...input, positions: rotateQuarterTurns(input.positions, copy * turnStep) });
    try {
      output.levels.forEach((level, index) => {
        const channels = level.features.shape[1];
        const features = level.features.dataSync() as Float32Array;
        const copyVoxels = pointVoxels(output.inputToFinest, level.finestToLevel);
        const target = canonicalVoxels[index];
        const counts = pointsPerVoxel[index];
        const sum = sums[index];
        for (let point = 0; point < pointCount; point++) {
          const to = target[point] * channels;
          const from = copyVoxels[point] * channels;
          const weight = 1 / counts[target[point]];
          for (let channel = 0; channel < channels; channel++) sum[to + channel] += features[from + channel] * weight;
        }
      });
    } finally {
      output.dispose();
    }
  }
  const levels = canonical.levels.map((level, index) => {
    const sum = sums[index];
    for (let offset = 0; offset < sum.length; offset++) sum[offset] /= rotations;
    return { ...level, features: tf.tensor2d(sum, level.features.shape) };
  });
  return {
    levels,
    inputToFinest: canonical.inputToFinest,
    dispose: () => {
      for (const level of levels) level.features.dispose();
    },
  };
}

/** For every input point, its voxel at one level. */
function pointVoxels(inputToFinest: Int32Array, finestToLevel: Int32Array): Int32Array {
  const voxels = new Int32Array(inputToFinest.length);
  for (let point = 0; point < voxels.length; point++) voxels[point] = finestToLevel[inputToFinest[point]];
  return voxels;
}
