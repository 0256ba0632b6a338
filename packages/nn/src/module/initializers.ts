import * as tf from '@tensorflow/tfjs-core';

/**
 * Deterministic weight initialisation: every variable draws from its own seed, derived from a model-wide
 * seed and the variable's name, so adding a layer does not change the initial values of the others.
 */
export class Initializer {
  /** Model-wide seed. */
  readonly seed: number;

  constructor(seed = 0) {
    this.seed = seed >>> 0;
  }

  /** Seed for a variable with the given dotted path. */
  seedFor(path: string): number {
    // FNV-1a over the path, mixed with the model seed.
    let hash = 0x811c9dc5 ^ this.seed;
    for (let index = 0; index < path.length; index++) {
      hash ^= path.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0) % 2147483647;
  }

  /** Truncated-normal-like uniform of Glorot/Xavier scale for a `[fanIn, fanOut]` weight. */
  glorotUniform(path: string, shape: number[], fanIn: number, fanOut: number): tf.Tensor {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return tf.randomUniform(shape, -limit, limit, 'float32', this.seedFor(path));
  }

  /** Normal distribution with the given standard deviation. */
  normal(path: string, shape: number[], standardDeviation: number): tf.Tensor {
    return tf.randomNormal(shape, 0, standardDeviation, 'float32', this.seedFor(path));
  }
}
