import * as tf from '@tensorflow/tfjs-core';
import { Initializer, LayerNorm, Mlp, Module, MultiHeadAttention, type ProjectedKeyValues } from '@pointclick/nn';

/**
 * Transformer block T of Eq. 3, Q_t^i = T(Q_a^{i-1}, F^i): click-to-scene cross-attention (C2S),
 * click-to-click self-attention (C2C) and a feed-forward network (FFN), each with a residual and a
 * post-LayerNorm as in Mask3D/AGILE3D. Positional encodings are added to queries and keys, never to
 * values. Nothing depends on the order of the clicks, so the block is permutation-equivariant.
 */
export class ClickTransformerBlock extends Module {
  /** C2S; its key/value half is computed once per scene ({@link prepareScene}). */
  private readonly crossAttention: MultiHeadAttention;
  private readonly crossNorm: LayerNorm;
  private readonly selfAttention: MultiHeadAttention;
  private readonly selfNorm: LayerNorm;
  private readonly feedForward: Mlp;
  private readonly feedForwardNorm: LayerNorm;

  constructor(name: string, width: number, headCount: number, feedForwardChannels: number, initializer: Initializer, path: string) {
    super(name);
    this.crossAttention = this.addChild(new MultiHeadAttention('cross_attention', width, headCount, initializer, `${path}.cross_attention`));
    this.crossNorm = this.addChild(new LayerNorm('cross_norm', width));
    this.selfAttention = this.addChild(new MultiHeadAttention('self_attention', width, headCount, initializer, `${path}.self_attention`));
    this.selfNorm = this.addChild(new LayerNorm('self_norm', width));
    this.feedForward = this.addChild(new Mlp('feed_forward', width, feedForwardChannels, width, initializer, `${path}.feed_forward`));
    this.feedForwardNorm = this.addChild(new LayerNorm('feed_forward_norm', width));
  }

  /**
   * The click-independent part of C2S: keys F^i + PE and values F^i, projected per head. Computed
   * once per scene when the clicks change but the scene does not.
   * @param sceneFeatures Projected F^i of the attended voxels, `[keyCount, width]`.
   * @param sceneEncoding Positional encoding of those voxels, `[keyCount, width]`.
   */
  prepareScene(sceneFeatures: tf.Tensor2D, sceneEncoding: tf.Tensor2D): ProjectedKeyValues {
    const keys = tf.add(sceneFeatures, sceneEncoding) as tf.Tensor2D;
    const scene = this.crossAttention.projectKeyValues(keys, sceneFeatures);
    keys.dispose();
    return scene;
  }

  /**
   * @param queries Q_a^{i-1}, `[clickCount, width]`.
   * @param queryEncoding Positional encoding of the clicks, `[clickCount, width]`.
   * @param scene The stage's scene from {@link prepareScene}.
   * @returns Q_t^i, `[clickCount, width]`.
   */
  apply(queries: tf.Tensor2D, queryEncoding: tf.Tensor2D, scene: ProjectedKeyValues): tf.Tensor2D {
    return tf.tidy(() => {
      // C2S: clicks gather evidence from the scene.
      const attended = this.crossAttention.attendProjected(tf.add(queries, queryEncoding) as tf.Tensor2D, scene);
      let state = this.crossNorm.apply(tf.add(queries, attended)) as tf.Tensor2D;
      // C2C: clicks exchange information (one click's object is the other clicks' background).
      const positioned = tf.add(state, queryEncoding) as tf.Tensor2D;
      state = this.selfNorm.apply(tf.add(state, this.selfAttention.apply(positioned, positioned, state))) as tf.Tensor2D;
      // FFN
      return this.feedForwardNorm.apply(tf.add(state, this.feedForward.apply(state))) as tf.Tensor2D;
    });
  }
}
