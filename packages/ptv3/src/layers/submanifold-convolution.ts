import * as tf from '@tensorflow/tfjs-core';
import { Module, type Initializer } from '@pointclick/nn';
import { sparseConvolution } from '@pointclick/tfjs-kernels';
import type { PointLevel } from '../levels/point-level.js';

/**
 * Submanifold sparse 3D convolution (spconv `SubMConv3d`): outputs only at occupied voxels, each the sum
 * over the kernelSize³ offsets of W_offset · x[neighbour at offset] (absent neighbours contribute zero).
 * Runs `sparseConvolution` from `@pointclick/tfjs-kernels`: on wasm a fused kernel that reads each voxel's
 * neighbour rows in place (no `[voxels, kernelSize³·in]` im2col buffer), elsewhere a row gather of the
 * neighbourhood and one matMul. Absent neighbours are `voxelCount` in the neighbour table.
 */
export class SubmanifoldConvolution extends Module {
  /** Kernel edge length in voxels (odd). */
  readonly kernelSize: number;
  /** Input channels. */
  readonly inputChannels: number;
  /** Output channels. */
  readonly outputChannels: number;
  /** `[kernelSize³·inputChannels, outputChannels]`, rows offset-major with (dx, dy, dz) lexicographic. */
  readonly weight: tf.Variable;
  /** `[outputChannels]`, absent without bias. */
  readonly bias?: tf.Variable;

  constructor(
    name: string,
    inputChannels: number,
    outputChannels: number,
    kernelSize: number,
    initializer: Initializer,
    path: string,
    options: { bias?: boolean } = {},
  ) {
    super(name);
    if (kernelSize % 2 !== 1) throw new Error(`SubmanifoldConvolution '${path}': kernel size ${kernelSize} must be odd`);
    this.kernelSize = kernelSize;
    this.inputChannels = inputChannels;
    this.outputChannels = outputChannels;
    const fanIn = kernelSize ** 3 * inputChannels;
    this.weight = this.addVariable(
      'weight',
      initializer.glorotUniform(`${path}.weight`, [fanIn, outputChannels], fanIn, outputChannels),
    );
    if (options.bias ?? true) this.bias = this.addVariable('bias', tf.zeros([outputChannels]));
  }

  /**
   * @param input `[level.voxelCount, inputChannels]`
   * @returns `[level.voxelCount, outputChannels]`
   */
  apply(input: tf.Tensor2D, level: PointLevel): tf.Tensor2D {
    return sparseConvolution(input, level.neighbourTable(this.kernelSize), this.weight as tf.Tensor2D, this.bias as tf.Tensor1D | undefined);
  }
}
