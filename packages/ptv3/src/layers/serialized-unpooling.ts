import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, gelu, Linear, Module, type Initializer } from '@pointclick/nn';
import { gatherRows } from '../ops/point-ops.js';

/**
 * Unpooling with a skip connection (Pointcept `SerializedUnpooling`):
 * out = GELU(BN(proj_skip(skip))) + GELU(BN(proj(coarse)))[parent of each fine voxel].
 */
export class SerializedUnpooling extends Module {
  private readonly proj: Linear;
  private readonly projNorm: BatchNorm;
  private readonly projSkip: Linear;
  private readonly projSkipNorm: BatchNorm;

  constructor(
    name: string,
    inputChannels: number,
    skipChannels: number,
    outputChannels: number,
    initializer: Initializer,
    path: string,
  ) {
    super(name);
    this.proj = this.addChild(new Linear('proj', inputChannels, outputChannels, initializer, `${path}.proj`));
    this.projNorm = this.addChild(new BatchNorm('proj_norm', outputChannels, 1e-3, 0.01));
    this.projSkip = this.addChild(new Linear('proj_skip', skipChannels, outputChannels, initializer, `${path}.proj_skip`));
    this.projSkipNorm = this.addChild(new BatchNorm('proj_skip_norm', outputChannels, 1e-3, 0.01));
  }

  /**
   * @param coarse `[coarseVoxels, inputChannels]`
   * @param skip `[fineVoxels, skipChannels]` (the encoder features at the finer level)
   * @param parentOfFine `fineVoxels` parent indices into `coarse`
   * @returns `[fineVoxels, outputChannels]`
   */
  apply(coarse: tf.Tensor2D, skip: tf.Tensor2D, parentOfFine: Int32Array): tf.Tensor2D {
    return tf.tidy(() => {
      const projected = gelu(this.projNorm.apply(this.proj.apply(coarse) as tf.Tensor2D)) as tf.Tensor2D;
      const skipped = gelu(this.projSkipNorm.apply(this.projSkip.apply(skip) as tf.Tensor2D));
      return tf.add(skipped, gatherRows(projected, parentOfFine)) as tf.Tensor2D;
    });
  }
}
