import * as tf from '@tensorflow/tfjs-core';
import { Initializer, Linear, Module } from '@pointclick/nn';

/** Keys and values of one click-to-scene attention, projected and split into heads. */
export interface ProjectedScene {
  /** `[heads, keyCount, headChannels]` */
  keys: tf.Tensor3D;
  /** `[heads, keyCount, headChannels]` */
  values: tf.Tensor3D;
}

/**
 * Multi-head cross-attention from click queries to scene voxels, split in two so the click-independent
 * half (key and value projections of the scene) can be computed once per scene and reused for every
 * new set of clicks. Same math and variable names (`query`, `key`, `value`, `output`) as
 * `MultiHeadAttention` of `@pointclick/nn`.
 */
export class ClickSceneAttention extends Module {
  /** Model width. */
  readonly channels: number;
  /** Number of heads; divides `channels`. */
  readonly headCount: number;
  private readonly queryProjection: Linear;
  private readonly keyProjection: Linear;
  private readonly valueProjection: Linear;
  private readonly outputProjection: Linear;

  constructor(name: string, channels: number, headCount: number, initializer: Initializer, path: string) {
    super(name);
    this.channels = channels;
    this.headCount = headCount;
    this.queryProjection = this.addChild(new Linear('query', channels, channels, initializer, `${path}.query`));
    this.keyProjection = this.addChild(new Linear('key', channels, channels, initializer, `${path}.key`));
    this.valueProjection = this.addChild(new Linear('value', channels, channels, initializer, `${path}.value`));
    this.outputProjection = this.addChild(new Linear('output', channels, channels, initializer, `${path}.output`));
  }

  private splitHeads(x: tf.Tensor): tf.Tensor3D {
    // [rows, channels] → [heads, rows, headChannels]
    return tf.transpose(tf.reshape(x, [-1, this.headCount, this.channels / this.headCount]), [1, 0, 2]) as tf.Tensor3D;
  }

  /**
   * The click-independent half.
   * @param keys `[keyCount, channels]` (scene features plus positional encoding).
   * @param values `[keyCount, channels]` (scene features).
   */
  projectScene(keys: tf.Tensor2D, values: tf.Tensor2D): ProjectedScene {
    const [projectedKeys, projectedValues] = tf.tidy(() => [
      this.splitHeads(this.keyProjection.apply(keys)),
      this.splitHeads(this.valueProjection.apply(values)),
    ]);
    return { keys: projectedKeys, values: projectedValues };
  }

  /**
   * softmax(Q Kᵀ / √d) V per head, then the output projection.
   * @param queries `[queryCount, channels]`
   * @returns `[queryCount, channels]`
   */
  attend(queries: tf.Tensor2D, scene: ProjectedScene): tf.Tensor2D {
    return tf.tidy(() => {
      const headChannels = this.channels / this.headCount;
      const q = this.splitHeads(this.queryProjection.apply(queries));
      const logits = tf.mul(tf.matMul(q, scene.keys, false, true), 1 / Math.sqrt(headChannels)); // [heads, queryCount, keyCount]
      const attended = tf.matMul(tf.softmax(logits), scene.values); // [heads, queryCount, headChannels]
      return this.outputProjection.apply(tf.reshape(tf.transpose(attended, [1, 0, 2]), [-1, this.channels])) as tf.Tensor2D;
    });
  }
}
