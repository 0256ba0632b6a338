import * as tf from '@tensorflow/tfjs-core';
import { Initializer, Linear, Mlp, Module } from '@pointclick/nn';
import { unsortedSegmentSum } from '@pointclick/tfjs-kernels';

/** Initial gain of the click distance prior: kernel 1 (at the click) → logit +4 with the bias below. */
const DISTANCE_PRIOR_INITIAL_GAIN = 8;
/** Initial bias of the click distance prior: kernel 0 (far from the click) → logit −4 (probability 0.018). */
const DISTANCE_PRIOR_INITIAL_BIAS = -4;

/** Initial gain of the geodesic click prior, per metre: the logit falls by 4 per metre of geodesic distance. */
const GEODESIC_PRIOR_INITIAL_GAIN = 4;
/** Initial bias of the geodesic click prior: +2 at the click, so the prior crosses 0 at 0.5 m. */
const GEODESIC_PRIOR_INITIAL_BIAS = 2;

/** Added to the mask mass before dividing, so an empty mask pools to ~0 instead of NaN. */
const MASK_MASS_EPSILON = 1e-6;

/** A backbone level as the adaptor sees it: raw features and the Linear projecting them to width D. */
export interface ProjectedLevel {
  /** Raw backbone features, `[voxelCount, channels]`. */
  features: tf.Tensor2D;
  /** Projection channels → D of this level. */
  projection: Linear;
  /** For every finest voxel, its voxel in this level; `undefined` when this is the finest level. */
  finestToLevel?: Int32Array;
}

/** Output of one {@link ConditionedQueryAdaptor} application. */
export interface AdaptorOutput {
  /** M^i, `[finestVoxelCount, clickCount]` (Eq. 5). */
  maskLogits: tf.Tensor2D;
  /** (Z^i)ᵀ, `[clickCount, prototypeCount]` (Eq. 6). */
  classLogits: tf.Tensor2D;
  /** Q_a^i, `[clickCount, width]` (Eq. 7); absent for the last stage, whose Q_a is never used. */
  adaptedQueries?: tf.Tensor2D;
}

/**
 * Conditioned query adaptor G of Eq. 4, Q_a^i = G(Q_t^i, F^L): mask head (Eq. 5), prototype class
 * head (Eq. 6), spatial embedding E_p (mask pooling), semantic embedding E_s (prototypes weighted by
 * the class softmax) and the fusion MLP φq (Eq. 7).
 */
export class ConditionedQueryAdaptor extends Module {
  /** φm of Eq. 5. */
  private readonly maskEmbedding: Mlp;
  /** φc of Eq. 6. */
  private readonly classEmbedding: Mlp;
  /** φq of Eq. 7; absent when the adaptor only predicts (last stage). */
  private readonly queryFusion?: Mlp;
  /** Learned gain and bias of the click distance prior (scalars), when the decoder has one. */
  private readonly distanceGain?: tf.Variable;
  private readonly distanceBias?: tf.Variable;
  /** Learned gain (per metre) and bias of the geodesic click prior (scalars), when the decoder has one. */
  private readonly geodesicGain?: tf.Variable;
  private readonly geodesicBias?: tf.Variable;

  constructor(
    name: string,
    width: number,
    prototypeChannels: number,
    adaptsQueries: boolean,
    initializer: Initializer,
    path: string,
    usesDistancePrior = false,
    usesGeodesicPrior = false,
  ) {
    super(name);
    if (usesDistancePrior) {
      this.distanceGain = this.addVariable('distance_gain', tf.scalar(DISTANCE_PRIOR_INITIAL_GAIN));
      this.distanceBias = this.addVariable('distance_bias', tf.scalar(DISTANCE_PRIOR_INITIAL_BIAS));
    }
    if (usesGeodesicPrior) {
      this.geodesicGain = this.addVariable('geodesic_gain', tf.scalar(GEODESIC_PRIOR_INITIAL_GAIN));
      this.geodesicBias = this.addVariable('geodesic_bias', tf.scalar(GEODESIC_PRIOR_INITIAL_BIAS));
    }
    this.maskEmbedding = this.addChild(new Mlp('mask_embedding', width, width, width, initializer, `${path}.mask_embedding`));
    this.classEmbedding = this.addChild(new Mlp('class_embedding', width, width, prototypeChannels, initializer, `${path}.class_embedding`));
    if (adaptsQueries) {
      this.queryFusion = this.addChild(
        new Mlp('query_fusion', 2 * width + prototypeChannels, width, width, initializer, `${path}.query_fusion`),
      );
    }
  }

  /**
   * Eq. 6: Z^i = P_s φc(Q_t^i)^T, returned transposed as `[clickCount, prototypeCount]` class logits.
   *
   * @param queries Q_t^i, `[clickCount, width]`.
   * @param prototypes P_s, `[prototypeCount, prototypeChannels]`.
   */
  classify(queries: tf.Tensor2D, prototypes: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const classEmbedding = this.classEmbedding.apply(queries) as tf.Tensor2D; // [clickCount, prototypeChannels]
      return tf.matMul(classEmbedding, prototypes, false, true) as tf.Tensor2D;
    });
  }

  /**
   * @param queries Q_t^i, `[clickCount, width]`.
   * @param finest F^L with its projection (the mask resolution).
   * @param pooled F^i of this stage with its projection, pooled into E_p.
   * @param prototypes P_s, `[prototypeCount, prototypeChannels]`.
   * @param distanceKernel The click distance prior's kernel, `[finestVoxelCount, clickCount]`; required
   *   when the adaptor was built with the prior, ignored otherwise.
   * @param geodesicDistances Geodesic voxel–click distances in metres, `[finestVoxelCount, clickCount]`;
   *   required when the adaptor was built with the geodesic prior, ignored otherwise.
   */
  apply(
    queries: tf.Tensor2D,
    finest: ProjectedLevel,
    pooled: ProjectedLevel,
    prototypes: tf.Tensor2D,
    distanceKernel?: tf.Tensor2D,
    geodesicDistances?: tf.Tensor2D,
  ): AdaptorOutput {
    return tf.tidy(() => {
      // Eq. 5: M^i = F^L φm(Q_t^i)^T with F^L = X W + b (X the raw finest features). Evaluated as
      // X (W φmᵀ) + b φmᵀ, the same product reassociated, so the [voxelCount, width] projection of
      // the finest level is never materialised: cost voxelCount·channels·clickCount instead of
      // voxelCount·channels·width.
      const maskEmbedding = this.maskEmbedding.apply(queries) as tf.Tensor2D; // [clickCount, width]
      const maskKernel = tf.matMul(finest.projection.weight, maskEmbedding, false, true); // [channels, clickCount]
      let maskLogits: tf.Tensor2D = tf.matMul(finest.features, maskKernel); // [finestVoxelCount, clickCount]
      if (finest.projection.bias) {
        maskLogits = tf.add(maskLogits, tf.matMul(tf.reshape(finest.projection.bias, [1, -1]) as tf.Tensor2D, maskEmbedding, false, true));
      }
      if (this.distanceGain && this.distanceBias) {
        if (!distanceKernel) throw new Error('ConditionedQueryAdaptor: built with a distance prior but applied without its kernel');
        maskLogits = tf.add(maskLogits, tf.add(tf.mul(distanceKernel, this.distanceGain), this.distanceBias));
      }
      if (this.geodesicGain && this.geodesicBias) {
        if (!geodesicDistances) throw new Error('ConditionedQueryAdaptor: built with a geodesic prior but applied without distances');
        maskLogits = tf.add(maskLogits, tf.sub(this.geodesicBias, tf.mul(geodesicDistances, this.geodesicGain)));
      }

      const classLogits = this.classify(queries, prototypes);

      if (!this.queryFusion) return { maskLogits, classLogits };

      // E_p: F^i pooled under σ(M^i), normalised by the mask mass. The finest-resolution weights are
      // summed per level-i voxel (σ(M) of all finest voxels inside it), which equals gathering F^i to
      // the finest level through finestToLevel and pooling there, at a fraction of the cost.
      const maskWeights = tf.sigmoid(maskLogits); // [finestVoxelCount, clickCount]
      const levelWeights: tf.Tensor2D = pooled.finestToLevel
        ? unsortedSegmentSum(maskWeights, pooled.finestToLevel, pooled.features.shape[0])
        : maskWeights; // [levelVoxelCount, clickCount]
      const mass = tf.reshape(tf.sum(maskWeights, 0), [-1, 1]); // [clickCount, 1]
      // Σ w (x W + b) = (Σ w x) W + (Σ w) b, again keeping the projection off the voxel axis.
      let pooledFeatures: tf.Tensor = tf.matMul(tf.matMul(levelWeights, pooled.features, true, false), pooled.projection.weight);
      if (pooled.projection.bias) pooledFeatures = tf.add(pooledFeatures, tf.mul(mass, pooled.projection.bias));
      const spatialEmbedding = tf.div(pooledFeatures, tf.add(mass, MASK_MASS_EPSILON)); // E_p, [clickCount, width]

      // E_s: the prototypes weighted by the class softmax, a differentiable "selection" of P_s by Z^i.
      const semanticEmbedding = tf.matMul(tf.softmax(classLogits), prototypes); // [clickCount, prototypeChannels]

      // Eq. 7: Q_a^i = φq(Concat(Q_t^i, E_p^i, E_s^i)).
      const adaptedQueries = this.queryFusion.apply(tf.concat([queries, spatialEmbedding, semanticEmbedding], 1)) as tf.Tensor2D;
      return { maskLogits, classLogits, adaptedQueries };
    });
  }
}
