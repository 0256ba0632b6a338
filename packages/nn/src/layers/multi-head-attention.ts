import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module/module.js';
import type { Initializer } from '../module/initializers.js';
import { Linear } from './linear.js';

/** Keys and values projected and split into heads by {@link MultiHeadAttention.projectKeyValues}. */
export interface ProjectedKeyValues {
  /** `[heads, keyCount, headChannels]` */
  keys: tf.Tensor3D;
  /** `[heads, keyCount, headChannels]` */
  values: tf.Tensor3D;
}

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
   * The query-independent half: keys and values projected and split into heads, for callers that attend to
   * the same keys with many query sets (the click decoder projects a scene once per scene). The caller owns
   * (disposes) the result.
   * @param keys `[keyCount, channels]`
   * @param values `[keyCount, channels]`
   */
  projectKeyValues(keys: tf.Tensor2D, values: tf.Tensor2D): ProjectedKeyValues {
    const [projectedKeys, projectedValues] = tf.tidy(() => [this.splitHeads(this.keyProjection.apply(keys)), this.splitHeads(this.valueProjection.apply(values))]);
    return { keys: projectedKeys, values: projectedValues };
  }

  /**
   * softmax(Q Kᵀ / √d + bias) V per head over keys and values from {@link projectKeyValues}, then the output
   * projection.
   * @param queries `[queryCount, channels]`
   * @param attentionBias optional additive logits `[queryCount, keyCount]` or `[heads, queryCount, keyCount]`
   *   (use large negative values to mask keys out).
   * @returns `[queryCount, channels]`
   */
  attendProjected(queries: tf.Tensor2D, projected: ProjectedKeyValues, attentionBias?: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const headChannels = this.channels / this.headCount;
      const q = this.splitHeads(this.queryProjection.apply(queries));
      let logits: tf.Tensor = tf.mul(tf.matMul(q, projected.keys, false, true), 1 / Math.sqrt(headChannels)); // [heads, q, k]
      if (attentionBias) logits = tf.add(logits, attentionBias);
      const weights = tf.softmax(logits);
      const attended = tf.matMul(weights, projected.values); // [heads, q, headChannels]
      const merged = tf.reshape(tf.transpose(attended, [1, 0, 2]), [-1, this.channels]);
      return this.outputProjection.apply(merged) as tf.Tensor2D;
    });
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
    return tf.tidy(() => this.attendProjected(queries, this.projectKeyValues(keys, values), attentionBias));
  }

  private splitHeads(x: tf.Tensor): tf.Tensor3D {
    // [rows, channels] → [heads, rows, headChannels]
    return tf.transpose(tf.reshape(x, [-1, this.headCount, this.channels / this.headCount]), [1, 0, 2]) as tf.Tensor3D;
  }
}
