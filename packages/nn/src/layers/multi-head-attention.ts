import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module/module.js';
import type { Initializer } from '../module/initializers.js';
import { Linear } from './linear.js';

/**
 * Dense multi-head attention of `queryCount` queries over `keyCount` keys (no batch axis), as in
 * "Attention is all you need": softmax(Q Kᵀ / √d) V per head, then an output projection.
 */
export class MultiHeadAttention extends Module {
  /** Model width (channels of queries, keys, values and output). */
  readonly channels: number;
  /** Number of heads; `channels` must be divisible by it. */
  readonly headCount: number;
  private readonly queryProjection: Linear;
  private readonly keyProjection: Linear;
  private readonly valueProjection: Linear;
  private readonly outputProjection: Linear;

  constructor(name: string, channels: number, headCount: number, initializer: Initializer, path: string) {
    super(name);
    if (channels % headCount !== 0) {
      throw new Error(`MultiHeadAttention '${path}': channels ${channels} not divisible by ${headCount} heads`);
    }
    this.channels = channels;
    this.headCount = headCount;
    this.queryProjection = this.addChild(new Linear('query', channels, channels, initializer, `${path}.query`));
    this.keyProjection = this.addChild(new Linear('key', channels, channels, initializer, `${path}.key`));
    this.valueProjection = this.addChild(new Linear('value', channels, channels, initializer, `${path}.value`));
    this.outputProjection = this.addChild(new Linear('output', channels, channels, initializer, `${path}.output`));
  }

  /**
   * @param queries `[queryCount, channels]`
   * @param keys `[keyCount, channels]`
   * @param values `[keyCount, channels]`
   * @param attentionBias optional additive logits `[queryCount, keyCount]` or `[heads, queryCount, keyCount]`
   *   (use large negative values to mask keys out).
   * @returns `[queryCount, channels]`
   */
  apply(queries: tf.Tensor2D, keys: tf.Tensor2D, values: tf.Tensor2D, attentionBias?: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const headChannels = this.channels / this.headCount;
      const splitHeads = (x: tf.Tensor): tf.Tensor3D =>
        // [rows, channels] → [heads, rows, headChannels]
        tf.transpose(tf.reshape(x, [-1, this.headCount, headChannels]), [1, 0, 2]) as tf.Tensor3D;
      const q = splitHeads(this.queryProjection.apply(queries));
      const k = splitHeads(this.keyProjection.apply(keys));
      const v = splitHeads(this.valueProjection.apply(values));
      let logits: tf.Tensor = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headChannels)); // [heads, q, k]
      if (attentionBias) logits = tf.add(logits, attentionBias);
      const weights = tf.softmax(logits);
      const attended = tf.matMul(weights, v); // [heads, q, headChannels]
      const merged = tf.reshape(tf.transpose(attended, [1, 0, 2]), [-1, this.channels]);
      return this.outputProjection.apply(merged) as tf.Tensor2D;
    });
  }
}
