import * as tf from '@tensorflow/tfjs-core';
import { Initializer, Module } from '@pointclick/nn';
import type { SceneFrame } from './fourier-positional-encoding.js';

/**
 * A learnable, shift-invariant spatial kernel between voxels and clicks, added to the mask logits of
 * every stage (an extension of Eq. 5; off by default, see `ClickDecoderConfig.distancePriorFrequencyCount`).
 *
 * With Φ(x) = [cos(x W), sin(x W)] / √J for positions x in metres and J learned frequencies W
 * (`[3, J]`, radians per metre), Φ(p)·Φ(c) = (1/J) Σ_j cos(w_j·(p − c)): 1 when the voxel is the click,
 * falling towards 0 with distance like a Gaussian of width ~1/‖w‖ (random Fourier features). It depends
 * only on p − c, so it means the same in a 10,000-point training crop and in a whole room, and it gives
 * a freshly initialised model a "near the click" mask that the feature term of Eq. 5 then sharpens.
 */
export class ClickDistancePrior extends Module {
  /** Number of frequencies J. */
  readonly frequencyCount: number;
  /** `[3, J]` learned frequencies W, radians per metre. */
  readonly frequencies: tf.Variable;

  constructor(name: string, frequencyCount: number, scale: number, initializer: Initializer, path: string) {
    super(name);
    this.frequencyCount = frequencyCount;
    this.frequencies = this.addVariable('frequencies', initializer.normal(`${path}.frequencies`, [3, frequencyCount], scale));
  }

  /**
   * Φ of `positions` (count*3, metres), centred on the frame's centre for float32 precision.
   * @returns `[count, 2J]`
   */
  embed(positions: Float32Array, frame: SceneFrame): tf.Tensor2D {
    const count = positions.length / 3;
    const centred = new Float32Array(positions.length);
    for (let offset = 0; offset < positions.length; offset += 3) {
      centred[offset] = positions[offset] - frame.center[0];
      centred[offset + 1] = positions[offset + 1] - frame.center[1];
      centred[offset + 2] = positions[offset + 2] - frame.center[2];
    }
    return tf.tidy(() => {
      const phases = tf.matMul(tf.tensor2d(centred, [count, 3]), this.frequencies); // [count, J]
      return tf.mul(tf.concat([tf.cos(phases), tf.sin(phases)], 1), 1 / Math.sqrt(this.frequencyCount)) as tf.Tensor2D;
    });
  }

  /**
   * The kernel between every voxel and every click.
   * @param voxelEmbedding Φ of the finest voxels, `[voxelCount, 2J]`.
   * @param clickEmbedding Φ of the clicks, `[clickCount, 2J]`.
   * @returns `[voxelCount, clickCount]`, values in [-1, 1].
   */
  kernel(voxelEmbedding: tf.Tensor2D, clickEmbedding: tf.Tensor2D): tf.Tensor2D {
    return tf.matMul(voxelEmbedding, clickEmbedding, false, true);
  }
}
