import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, gelu, Linear, Module, type Initializer } from '@pointclick/nn';
import { segmentMax } from '../ops/point-ops.js';
import type { PooledLevel } from '../levels/point-level.js';

/**
 * Grid pooling with stride 2 (Pointcept `SerializedPooling`, reduce = max): Linear on the children, max
 * over each parent's children, then BatchNorm and GELU. The geometry (parents, mean positions) comes from
 * `poolLevel`.
 */
export class SerializedPooling extends Module {
  /** Input channels. */
  readonly inputChannels: number;
  /** Output channels. */
  readonly outputChannels: number;
  private readonly proj: Linear;
  private readonly norm: BatchNorm;

  constructor(name: string, inputChannels: number, outputChannels: number, initializer: Initializer, path: string) {
    super(name);
    this.inputChannels = inputChannels;
    this.outputChannels = outputChannels;
    this.proj = this.addChild(new Linear('proj', inputChannels, outputChannels, initializer, `${path}.proj`));
    this.norm = this.addChild(new BatchNorm('norm', outputChannels, 1e-3, 0.01));
  }

  /**
   * @param input `[fineVoxels, inputChannels]`
   * @returns `[pooled.level.voxelCount, outputChannels]`
   */
  apply(input: tf.Tensor2D, pooled: PooledLevel): tf.Tensor2D {
    return tf.tidy(() => {
      const reduced = segmentMax(this.proj.apply(input) as tf.Tensor2D, pooled.children);
      return gelu(this.norm.apply(reduced)) as tf.Tensor2D;
    });
  }
}
