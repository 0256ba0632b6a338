import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, type Initializer } from '@pointclick/nn';
import { gatherRows, patchAttention } from '../ops/point-ops.js';
import type { PointLevel } from '../levels/point-level.js';

/**
 * Serialized patch attention (PTv3 §3.2, Pointcept `SerializedAttention` without RPE): voxels sorted by
 * one serialization order are cut into patches of `patchSize` (padded by Pointcept's rule), multi-head
 * self-attention runs inside each patch, results return to voxel order and pass the output projection.
 */
export class SerializedAttention extends Module {
  /** Channels (model width). */
  readonly channels: number;
  /** Attention heads; `channels` is divisible by it. */
  readonly headCount: number;
  /** Configured patch size K (points per patch). */
  readonly patchSize: number;
  /** Which serialization order of the level this attention uses (index mod order count). */
  readonly orderIndex: number;
  /** `[channels] → [3·channels]` query, key, value projection (with bias). */
  readonly qkv: Linear;
  /** Output projection. */
  readonly proj: Linear;

  constructor(
    name: string,
    channels: number,
    headCount: number,
    patchSize: number,
    orderIndex: number,
    initializer: Initializer,
    path: string,
  ) {
    super(name);
    if (channels % headCount !== 0) {
      throw new Error(`SerializedAttention '${path}': channels ${channels} not divisible by ${headCount} heads`);
    }
    this.channels = channels;
    this.headCount = headCount;
    this.patchSize = patchSize;
    this.orderIndex = orderIndex;
    this.qkv = this.addChild(new Linear('qkv', channels, 3 * channels, initializer, `${path}.qkv`));
    this.proj = this.addChild(new Linear('proj', channels, channels, initializer, `${path}.proj`));
  }

  /**
   * @param input `[level.voxelCount, channels]`
   * @returns `[level.voxelCount, channels]`
   */
  apply(input: tf.Tensor2D, level: PointLevel): tf.Tensor2D {
    return tf.tidy(() => {
      const { patchSize, patchCount } = level.padding(this.patchSize);
      const headChannels = this.channels / this.headCount;
      // Gather the C-wide input into patch order first, then project q, k and v with column blocks of
      // the qkv weight: the same product as slicing qkv(x), without gathering and slicing a 3C-wide tensor.
      const patchedInput = gatherRows(input, level.patchVoxels(this.orderIndex, this.patchSize)); // [patches·K, channels]
      const weight = this.qkv.weight as tf.Tensor2D; // [channels, 3·channels]
      const bias = this.qkv.bias;
      const split = (part: number): tf.Tensor4D => {
        let projected: tf.Tensor = tf.matMul(patchedInput, tf.slice(weight, [0, part * this.channels], [-1, this.channels]));
        if (bias) projected = tf.add(projected, tf.slice(bias, [part * this.channels], [this.channels]));
        return tf.transpose(tf.reshape(projected, [patchCount, patchSize, this.headCount, headChannels]), [0, 2, 1, 3]) as tf.Tensor4D; // [patches, heads, K, headChannels]
      };
      const attended = patchAttention(split(0), split(1), split(2), headChannels ** -0.5);
      const sequence = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [patchCount * patchSize, this.channels]);
      // Back to voxel order: serialized position p of voxel v is inverse[v]; padded slots are dropped.
      const unpatched = gatherRows(sequence as tf.Tensor2D, level.inverse(this.orderIndex));
      return this.proj.apply(unpatched) as tf.Tensor2D;
    });
  }
}
