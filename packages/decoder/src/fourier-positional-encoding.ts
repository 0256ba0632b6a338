import * as tf from '@tensorflow/tfjs-core';
import { Initializer, Mlp, Module } from '@pointclick/nn';

/** Axis-aligned scene bounds used to normalise positions before the Fourier encoding. */
export interface SceneFrame {
  /** Centre of the bounding box, metres (x, y, z). */
  center: [number, number, number];
  /** Half of the box's largest edge, metres (≥ 1e-6), so normalised positions lie in [-1, 1]. */
  halfExtent: number;
}

/** Bounding box of `coordinates` (count*3 metres), as a {@link SceneFrame}. */
export function computeSceneFrame(coordinates: Float32Array): SceneFrame {
  const minimum = [Infinity, Infinity, Infinity];
  const maximum = [-Infinity, -Infinity, -Infinity];
  for (let offset = 0; offset < coordinates.length; offset += 3) {
    for (let axis = 0; axis < 3; axis++) {
      const value = coordinates[offset + axis];
      if (value < minimum[axis]) minimum[axis] = value;
      if (value > maximum[axis]) maximum[axis] = value;
    }
  }
  if (coordinates.length === 0) return { center: [0, 0, 0], halfExtent: 1 };
  const center: [number, number, number] = [0, 1, 2].map((axis) => (minimum[axis] + maximum[axis]) / 2) as [number, number, number];
  const halfExtent = Math.max(1e-6, ...[0, 1, 2].map((axis) => (maximum[axis] - minimum[axis]) / 2));
  return { center, halfExtent };
}

/**
 * Learnable Fourier features (Li et al. 2021, "Learnable Fourier Features for Multi-Dimensional
 * Spatial Positional Encoding"): PE(p) = MLP(1/√F · [cos(p̂ W_r), sin(p̂ W_r)]) with p̂ the position
 * normalised by the scene frame and W_r a learned `[3, F/2]` frequency matrix. Shared by voxel and
 * click positions so both live in one embedding space.
 */
export class FourierPositionalEncoding extends Module {
  /** Number of Fourier features F (cos and sin). */
  readonly featureCount: number;
  /** Output channels. */
  readonly outputChannels: number;
  /** `[3, featureCount / 2]` learned frequencies W_r, radians per normalised unit. */
  readonly frequencies: tf.Variable;
  private readonly mlp: Mlp;

  constructor(name: string, featureCount: number, outputChannels: number, scale: number, initializer: Initializer, path: string) {
    super(name);
    this.featureCount = featureCount;
    this.outputChannels = outputChannels;
    this.frequencies = this.addVariable('frequencies', initializer.normal(`${path}.frequencies`, [3, featureCount / 2], scale));
    this.mlp = this.addChild(new Mlp('mlp', featureCount, outputChannels, outputChannels, initializer, `${path}.mlp`));
  }

  /**
   * @param positions `count*3` positions in metres.
   * @returns `[count, outputChannels]`
   */
  apply(positions: Float32Array, frame: SceneFrame): tf.Tensor2D {
    const count = positions.length / 3;
    const normalised = new Float32Array(positions.length);
    const scale = 1 / frame.halfExtent;
    for (let offset = 0; offset < positions.length; offset += 3) {
      normalised[offset] = (positions[offset] - frame.center[0]) * scale;
      normalised[offset + 1] = (positions[offset + 1] - frame.center[1]) * scale;
      normalised[offset + 2] = (positions[offset + 2] - frame.center[2]) * scale;
    }
    return tf.tidy(() => {
      const phases = tf.matMul(tf.tensor2d(normalised, [count, 3]), this.frequencies); // [count, F/2]
      const features = tf.mul(tf.concat([tf.cos(phases), tf.sin(phases)], 1), 1 / Math.sqrt(this.featureCount)); // [count, F]
      return this.mlp.apply(features) as tf.Tensor2D;
    });
  }
}
