import * as tf from '@tensorflow/tfjs-core';
import { Initializer, Linear, Mlp, Module } from '@pointclick/nn';
import { maskLogitsWithPriors, unsortedSegmentSum, type MaskLogitsPriors } from '@pointclick/tfjs-kernels';

/** Initial gain of the click distance prior: kernel 1 (at the click) → logit +4 with the bias below. */
const DISTANCE_PRIOR_INITIAL_GAIN = 8;
/** Initial bias of the click distance prior: kernel 0 (far from the click) → logit −4 (probability 0.018). */
const DISTANCE_PRIOR_INITIAL_BIAS = -4;

/** Initial gain of the geodesic click prior, per metre: the logit falls by 4 per metre of geodesic distance. */
const GEODESIC_PRIOR_INITIAL_GAIN = 4;
/** Initial bias of the geodesic click prior: +2 at the click, so the prior crosses 0 at 0.5 m. */
const GEODESIC_PRIOR_INITIAL_BIAS = 2;

/**
 * Largest change of a click's geodesic gain by the click-dependent reach, in e-folds: the gain of a click is the
 * stage's gain times exp(±2) at most (×0.14 … ×7.4), so no query can switch the prior off or make it a wall.
 */
export const GEODESIC_REACH_RANGE = 2;

/** Added to the mask mass before dividing, so an empty mask pools to ~0 instead of NaN. */
const MASK_MASS_EPSILON = 1e-6;

/** Channels the class pooling's geometry adds: mean height, height spread, horizontal spread, log voxel count. */
export const CLASS_GEOMETRY_CHANNELS = 4;

/** A backbone level's raw features, as mask pooling reads them. */
export interface PooledLevel {
  /** Raw backbone features, `[voxelCount, channels]`. */
  features: tf.Tensor2D;
  /** For every finest voxel, its voxel in this level; `undefined` when this is the finest level. */
  finestToLevel?: Int32Array;
}

/** A backbone level as the adaptor sees it: raw features and the Linear projecting them to width D. */
export interface ProjectedLevel extends PooledLevel {
  /** Projection channels → D of this level. */
  projection: Linear;
}

/** Output of one {@link ConditionedQueryAdaptor} application. */
export interface AdaptorOutput {
  /** M^i, `[finestVoxelCount, clickCount]` (Eq. 5). */
  maskLogits: tf.Tensor2D;
  /** (Z^i)ᵀ, `[clickCount, prototypeCount]` (Eq. 6). */
  classLogits: tf.Tensor2D;
  /**
   * The raw features of the class pooling levels averaged over the click's predicted mask (M^i > 0), levels
   * side by side, then (with class geometry) the mask's shape, `[clickCount, classPoolingChannels]`; present
   * only when the adaptor has class pooling.
   */
  classFeatures?: tf.Tensor2D;
  /** Q_a^i, `[clickCount, width]` (Eq. 7); absent for the last stage, whose Q_a is never used. */
  adaptedQueries?: tf.Tensor2D;
}

/**
 * The finest-resolution `weights` summed per voxel of `level` (all finest voxels inside it),
 * `[levelVoxelCount, clickCount]`; the weights themselves when the level is the finest. Pooling the level's
 * features with these equals gathering them to the finest level and pooling there, at a fraction of the cost,
 * and their column sums equal the finest weights' column sums over a much shorter axis.
 *
 * @param weights Per finest voxel and click, `[finestVoxelCount, clickCount]`.
 */
function weightsPerLevelVoxel(weights: tf.Tensor2D, level: PooledLevel): tf.Tensor2D {
  return level.finestToLevel ? unsortedSegmentSum(weights, level.finestToLevel, level.features.shape[0]) : weights;
}

/**
 * Σ over the finest voxels of `weights` × the level's features at that voxel, `[clickCount, channels]`.
 *
 * @param weights Per finest voxel and click, `[finestVoxelCount, clickCount]`.
 */
function poolOverFinestVoxels(weights: tf.Tensor2D, level: PooledLevel): tf.Tensor2D {
  return tf.matMul(weightsPerLevelVoxel(weights, level), level.features, true, false);
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
  /**
   * W of the class pooling, `[classPoolingChannels, width]`: maps the mask-pooled features into the query
   * space before φc. Zero when created, so a new one leaves the class logits as they were. Absent without pooling.
   */
  private readonly classPooling?: tf.Variable;
  /** φq of Eq. 7; absent when the adaptor only predicts (last stage). */
  private readonly queryFusion?: Mlp;
  /** Learned gain and bias of the click distance prior (scalars), when the decoder has one. */
  private readonly distanceGain?: tf.Variable;
  private readonly distanceBias?: tf.Variable;
  /** Learned gain (per metre) and bias of the geodesic click prior (scalars), when the decoder has one. */
  private readonly geodesicGain?: tf.Variable;
  private readonly geodesicBias?: tf.Variable;
  /** r of the click-dependent reach, `[width, 1]` (see `ClickDecoderConfig.geodesicReach`), when the decoder has it. */
  private readonly geodesicReach?: tf.Variable;

  constructor(
    name: string,
    width: number,
    prototypeChannels: number,
    adaptsQueries: boolean,
    initializer: Initializer,
    path: string,
    usesDistancePrior = false,
    usesGeodesicPrior = false,
    classPoolingChannels = 0,
    usesGeodesicReach = false,
  ) {
    super(name);
    if (usesDistancePrior) {
      this.distanceGain = this.addVariable('distance_gain', tf.scalar(DISTANCE_PRIOR_INITIAL_GAIN));
      this.distanceBias = this.addVariable('distance_bias', tf.scalar(DISTANCE_PRIOR_INITIAL_BIAS));
    }
    if (usesGeodesicPrior) {
      this.geodesicGain = this.addVariable('geodesic_gain', tf.scalar(GEODESIC_PRIOR_INITIAL_GAIN));
      this.geodesicBias = this.addVariable('geodesic_bias', tf.scalar(GEODESIC_PRIOR_INITIAL_BIAS));
      if (usesGeodesicReach) this.geodesicReach = this.addVariable('geodesic_reach', tf.zeros([width, 1]));
    }
    this.maskEmbedding = this.addChild(new Mlp('mask_embedding', width, width, width, initializer, `${path}.mask_embedding`));
    this.classEmbedding = this.addChild(new Mlp('class_embedding', width, width, prototypeChannels, initializer, `${path}.class_embedding`));
    if (classPoolingChannels > 0) this.classPooling = this.addVariable('class_pooling', tf.zeros([classPoolingChannels, width]));
    if (adaptsQueries) {
      this.queryFusion = this.addChild(
        new Mlp('query_fusion', 2 * width + prototypeChannels, width, width, initializer, `${path}.query_fusion`),
      );
    }
  }

  /**
   * The geodesic distances as the prior reads them: unchanged without the click-dependent reach, else each click's
   * column times its reach factor exp(GEODESIC_REACH_RANGE · tanh(Q_t[c] · r)) — the same as scaling that click's
   * gain, without a per-click gain in the mask-logits kernel.
   *
   * @param distances G, `[finestVoxelCount, clickCount]` metres.
   * @param queries Q_t^i, `[clickCount, width]`.
   */
  private reachScaled(distances: tf.Tensor2D, queries: tf.Tensor2D): tf.Tensor2D {
    if (!this.geodesicReach) return distances;
    const factors = tf.exp(tf.mul(tf.tanh(tf.matMul(queries, this.geodesicReach)), GEODESIC_REACH_RANGE)); // [clickCount, 1]
    return tf.mul(distances, tf.reshape(factors, [1, -1]));
  }

  /** Whether the class head also reads mask-pooled features (`classify` then needs them). */
  get hasClassPooling(): boolean {
    return this.classPooling !== undefined;
  }

  /**
   * Eq. 6: Z^i = P_s φc(Q_t^i)^T, returned transposed as `[clickCount, prototypeCount]` class logits. With
   * class pooling the head reads Q_t^i + A^i W instead of Q_t^i (A^i the mask-pooled features): the prototypes
   * stay the kernel, only φc's input gains what the object's voxels look like.
   *
   * @param queries Q_t^i, `[clickCount, width]`.
   * @param prototypes P_s, `[prototypeCount, prototypeChannels]`.
   * @param classFeatures A^i, `[clickCount, classPoolingChannels]` (`AdaptorOutput.classFeatures`); required
   *   with class pooling, ignored without.
   */
  classify(queries: tf.Tensor2D, prototypes: tf.Tensor2D, classFeatures?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let input = queries;
      if (this.classPooling) {
        if (!classFeatures) throw new Error('ConditionedQueryAdaptor: built with class pooling but classified without pooled features');
        input = tf.add(queries, tf.matMul(classFeatures, this.classPooling));
      }
      const classEmbedding = this.classEmbedding.apply(input) as tf.Tensor2D; // [clickCount, prototypeChannels]
      return tf.matMul(classEmbedding, prototypes, false, true) as tf.Tensor2D;
    });
  }

  /**
   * A^i: each level's raw features averaged over the voxels of the click's predicted mask (M^i > 0, the
   * voxels the click's object would get at probability 0.5), levels side by side; with `positions`, then the
   * mask's shape: mean height above the scene's lowest voxel, standard deviation of the height and of the
   * horizontal position (metres, unchanged by a turn about z), and ln(1 + voxel count). An empty mask pools to ~0.
   *
   * @param maskLogits M^i, `[finestVoxelCount, clickCount]`.
   * @param positions Finest voxel positions with x, y centred and z above the lowest voxel, `[finestVoxelCount, 3]`.
   * @returns `[clickCount, Σ level channels (+ CLASS_GEOMETRY_CHANNELS)]`.
   */
  private poolClassFeatures(maskLogits: tf.Tensor2D, levels: readonly PooledLevel[], positions?: tf.Tensor2D): tf.Tensor2D {
    const inside = tf.cast(tf.greater(maskLogits, 0), 'float32') as tf.Tensor2D; // [finestVoxelCount, clickCount]
    const count = tf.reshape(tf.sum(inside, 0), [-1, 1]); // [clickCount, 1]
    const divisor = tf.add(count, MASK_MASS_EPSILON);
    const pooled = levels.map((level) => tf.div(poolOverFinestVoxels(inside, level), divisor)); // [clickCount, channels] each
    if (positions) {
      const mean = tf.div(tf.matMul(inside, positions, true, false), divisor); // [clickCount, 3]
      const meanSquare = tf.div(tf.matMul(inside, tf.square(positions), true, false), divisor);
      const variance = tf.relu(tf.sub(meanSquare, tf.square(mean))); // [clickCount, 3]
      const [varianceX, varianceY, varianceZ] = tf.split(variance, 3, 1);
      pooled.push(tf.concat([tf.slice(mean, [0, 2], [-1, 1]), tf.sqrt(varianceZ), tf.sqrt(tf.add(varianceX, varianceY)), tf.log1p(count)], 1));
    }
    return (pooled.length === 1 ? pooled[0] : tf.concat(pooled, 1)) as tf.Tensor2D;
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
   * @param classLevels The levels the class head pools under the predicted mask, in the order of the
   *   configuration's `classPoolingLevels`; required when the adaptor was built with class pooling.
   * @param classPositions The finest voxels' positions for the class geometry (x, y centred, z above the lowest
   *   voxel), `[finestVoxelCount, 3]`; given exactly when the configuration has `classPoolingGeometry`.
   */
  apply(
    queries: tf.Tensor2D,
    finest: ProjectedLevel,
    pooled: ProjectedLevel,
    prototypes: tf.Tensor2D,
    distanceKernel?: tf.Tensor2D,
    geodesicDistances?: tf.Tensor2D,
    classLevels?: readonly PooledLevel[],
    classPositions?: tf.Tensor2D,
  ): AdaptorOutput {
    return tf.tidy(() => {
      // Eq. 5: M^i = F^L φm(Q_t^i)^T with F^L = X W + b (X the raw finest features). Evaluated as
      // X (W φmᵀ) + b φmᵀ, the same product reassociated, so the [voxelCount, width] projection of
      // the finest level is never materialised: cost voxelCount·channels·clickCount instead of
      // voxelCount·channels·width.
      const maskEmbedding = this.maskEmbedding.apply(queries) as tf.Tensor2D; // [clickCount, width]
      const maskKernel = tf.matMul(finest.projection.weight, maskEmbedding, false, true); // [channels, clickCount]
      const maskProduct: tf.Tensor2D = tf.matMul(finest.features, maskKernel); // [finestVoxelCount, clickCount]
      const priors: MaskLogitsPriors = {};
      if (finest.projection.bias) {
        priors.rowBias = tf.matMul(tf.reshape(finest.projection.bias, [1, -1]) as tf.Tensor2D, maskEmbedding, false, true); // [1, clickCount]
      }
      if (this.distanceGain && this.distanceBias) {
        if (!distanceKernel) throw new Error('ConditionedQueryAdaptor: built with a distance prior but applied without its kernel');
        priors.distance = { values: distanceKernel, gain: this.distanceGain as tf.Scalar, bias: this.distanceBias as tf.Scalar };
      }
      if (this.geodesicGain && this.geodesicBias) {
        if (!geodesicDistances) throw new Error('ConditionedQueryAdaptor: built with a geodesic prior but applied without distances');
        priors.geodesic = { values: this.reachScaled(geodesicDistances, queries), gain: this.geodesicGain as tf.Scalar, bias: this.geodesicBias as tf.Scalar };
      }
      // M^i = M + b φmᵀ + (gain·K + bias) + (bias − gain·G) in one pass over [finestVoxelCount, clickCount].
      const maskLogits = maskLogitsWithPriors(maskProduct, priors);

      let classFeatures: tf.Tensor2D | undefined;
      if (this.classPooling) {
        if (!classLevels || (classLevels.length === 0 && !classPositions)) throw new Error('ConditionedQueryAdaptor: built with class pooling but applied without its levels');
        classFeatures = this.poolClassFeatures(maskLogits, classLevels, classPositions);
      }
      // Eq. 6 (with the mask-pooled features when the adaptor has class pooling).
      const classLogits = this.classify(queries, prototypes, classFeatures);

      if (!this.queryFusion) return classFeatures ? { maskLogits, classLogits, classFeatures } : { maskLogits, classLogits };

      // E_p: F^i pooled under σ(M^i), normalised by the mask mass.
      const maskWeights = tf.sigmoid(maskLogits); // [finestVoxelCount, clickCount]
      const levelWeights = weightsPerLevelVoxel(maskWeights, pooled); // [levelVoxelCount, clickCount]
      // Σ w over the finest voxels, summed per level voxel first: the same mass, without a pass over the finest axis.
      const mass = tf.reshape(tf.sum(levelWeights, 0), [-1, 1]); // [clickCount, 1]
      // Σ w (x W + b) = (Σ w x) W + (Σ w) b, again keeping the projection off the voxel axis.
      let pooledFeatures: tf.Tensor = tf.matMul(tf.matMul(levelWeights, pooled.features, true, false), pooled.projection.weight);
      if (pooled.projection.bias) pooledFeatures = tf.add(pooledFeatures, tf.mul(mass, pooled.projection.bias));
      const spatialEmbedding = tf.div(pooledFeatures, tf.add(mass, MASK_MASS_EPSILON)); // E_p, [clickCount, width]

      // E_s: the prototypes weighted by the class softmax, a differentiable "selection" of P_s by Z^i.
      const semanticEmbedding = tf.matMul(tf.softmax(classLogits), prototypes); // [clickCount, prototypeChannels]

      // Eq. 7: Q_a^i = φq(Concat(Q_t^i, E_p^i, E_s^i)).
      const adaptedQueries = this.queryFusion.apply(tf.concat([queries, spatialEmbedding, semanticEmbedding], 1)) as tf.Tensor2D;
      return classFeatures ? { maskLogits, classLogits, classFeatures, adaptedQueries } : { maskLogits, classLogits, adaptedQueries };
    });
  }
}
