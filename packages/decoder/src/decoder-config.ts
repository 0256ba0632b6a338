import { DecoderInputError } from './decoder-input-error.js';

/** Sizes of the click decoder. Only `levelChannels` is required. */
export interface ClickDecoderConfig {
  /** Feature channels of every backbone level, coarsest (F^0) first, finest (F^L) last. */
  levelChannels: readonly number[];
  /** Decoder width D: channels of queries, projected scene features and attention. Default 256. */
  width?: number;
  /** Attention heads; must divide `width`. Default 8. */
  headCount?: number;
  /** Hidden channels of each transformer block's feed-forward network. Default 4 × width. */
  feedForwardChannels?: number;
  /** Number of decoder stages L. Default 4 (the paper's "four repeated stages"). */
  stageCount?: number;
  /**
   * Backbone level each stage attends to (index into `levelChannels`). Default: stage i (from 0)
   * attends level min(i + 1, L), i.e. levels 1…L as in Eq. 3's F^i, clamped to the levels given.
   */
  stageLevels?: readonly number[];
  /** Number of learnable semantic prototypes N_c (= class count of the class head). Default 35. */
  prototypeCount?: number;
  /** Prototype dimension d_h (Eq. 6) and size of the semantic embedding E_s. Default 256. */
  prototypeChannels?: number;
  /** Number of learnable Fourier features (cos and sin of half as many frequencies); even. Default 64. */
  fourierFeatureCount?: number;
  /**
   * Standard deviation of the initial Fourier frequencies, in radians per normalised unit (positions
   * are normalised to [-1, 1] by the scene's largest half-extent). Default 10.
   */
  fourierScale?: number;
  /**
   * Most scene voxels one click-to-scene attention attends to. A level with more voxels is
   * subsampled with a fixed stride (every ⌈n / maxAttentionKeys⌉-th voxel in backbone order, which
   * follows a space-filling curve, so the sample covers the scene evenly). Default 4096.
   */
  maxAttentionKeys?: number;
  /**
   * Frequencies J of the click distance prior (`ClickDistancePrior`): a learned shift-invariant kernel
   * between voxel and click positions added, with a learned gain and bias per stage, to every stage's
   * mask logits. 0 (the default) turns it off and gives exactly the paper's Eq. 5.
   */
  distancePriorFrequencyCount?: number;
  /** Standard deviation of the prior's initial frequencies, radians per metre (kernel width ≈ 1.2 / scale metres). Default 3. */
  distancePriorScale?: number;
  /**
   * Geodesic click prior: the largest geodesic distance of interest, metres. When positive, every stage adds
   * `bias − gain · d` (a learned gain and bias per stage) to its mask logits, d being the distance from the
   * click to the voxel along the scene's surface graph (`SurfaceGraph` of `@pointclick/sampling`, capped
   * at this limit), which the caller computes and passes as `ClickDecoderInput.clickGeodesicDistances`.
   * 0 (the default) turns it off.
   */
  geodesicPriorLimit?: number;
  /**
   * Click-dependent reach of the geodesic prior: each stage scales its gain for click c by
   * `exp(GEODESIC_REACH_RANGE · tanh(Q_t[c] · r))`, r a learned `[width, 1]` vector created at zero (so a new
   * one gives the plain prior exactly), letting a click on a wall or floor reach farther than one on a
   * cushion. Needs `geodesicPriorLimit` > 0. Default false (the plain prior, one gain per stage).
   */
  geodesicReach?: boolean;
  /**
   * Backbone levels (indices into `levelChannels`) whose raw features the last stage's class head averages
   * over each click's predicted mask and adds, through a learned `[Σ channels, width]` map created at zero,
   * to the query it classifies (Eq. 6 reads φc(Q_t + A W) instead of φc(Q_t)). Only the last stage, whose
   * class logits no mask reads. Empty (the default): the paper's Eq. 6.
   */
  classPoolingLevels?: readonly number[];
  /**
   * With class pooling, also pool the predicted mask's shape (mean height above the scene's lowest voxel, height
   * and horizontal spread, ln voxel count: 4 more channels into the same map). Default false.
   */
  classPoolingGeometry?: boolean;
  /** Seed of the weight initialisation. Default 0. */
  seed?: number;
}

/** A configuration with every default filled in. */
export type ResolvedClickDecoderConfig = Required<ClickDecoderConfig>;

/** Sizes of the "lite" decoder preset (D = 128), for interactive use on wasm. */
export const LITE_DECODER_SIZES: Readonly<Omit<ClickDecoderConfig, 'levelChannels'>> = Object.freeze({
  width: 128,
  headCount: 4,
  feedForwardChannels: 256,
  prototypeChannels: 128,
  fourierFeatureCount: 32,
  maxAttentionKeys: 2048,
  distancePriorFrequencyCount: 32,
  distancePriorScale: 3,
  geodesicPriorLimit: 4,
});

function positiveInteger(field: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new DecoderInputError(field, 'a positive integer', String(value));
}

/** Fills defaults and checks every size. */
export function resolveDecoderConfig(config: ClickDecoderConfig): ResolvedClickDecoderConfig {
  const levelChannels = [...(config.levelChannels ?? [])];
  if (levelChannels.length === 0) throw new DecoderInputError('config.levelChannels', 'a non-empty array', '[]');
  levelChannels.forEach((channels, index) => positiveInteger(`config.levelChannels[${index}]`, channels));
  const finestLevel = levelChannels.length - 1;
  const classPoolingLevels: unknown = config.classPoolingLevels ?? [];
  if (!Array.isArray(classPoolingLevels)) {
    throw new DecoderInputError('config.classPoolingLevels', 'an array of level indices', JSON.stringify(classPoolingLevels));
  }
  const width = config.width ?? 256;
  const stageCount = config.stageCount ?? 4;
  const resolved: ResolvedClickDecoderConfig = {
    levelChannels,
    width,
    headCount: config.headCount ?? 8,
    feedForwardChannels: config.feedForwardChannels ?? 4 * width,
    stageCount,
    stageLevels: config.stageLevels
      ? [...config.stageLevels]
      : Array.from({ length: stageCount }, (_, stage) => Math.min(stage + 1, finestLevel)),
    prototypeCount: config.prototypeCount ?? 35,
    prototypeChannels: config.prototypeChannels ?? 256,
    fourierFeatureCount: config.fourierFeatureCount ?? 64,
    fourierScale: config.fourierScale ?? 10,
    maxAttentionKeys: config.maxAttentionKeys ?? 4096,
    distancePriorFrequencyCount: config.distancePriorFrequencyCount ?? 0,
    distancePriorScale: config.distancePriorScale ?? 3,
    geodesicPriorLimit: config.geodesicPriorLimit ?? 0,
    geodesicReach: config.geodesicReach ?? false,
    classPoolingLevels: [...(classPoolingLevels as number[])],
    classPoolingGeometry: config.classPoolingGeometry ?? false,
    seed: config.seed ?? 0,
  };
  for (const field of ['width', 'headCount', 'feedForwardChannels', 'stageCount', 'prototypeCount', 'prototypeChannels', 'fourierFeatureCount', 'maxAttentionKeys'] as const) {
    positiveInteger(`config.${field}`, resolved[field]);
  }
  if (resolved.width % resolved.headCount !== 0) {
    throw new DecoderInputError('config.headCount', `a divisor of width ${resolved.width}`, String(resolved.headCount));
  }
  if (resolved.fourierFeatureCount % 2 !== 0) {
    throw new DecoderInputError('config.fourierFeatureCount', 'even', String(resolved.fourierFeatureCount));
  }
  if (!Number.isInteger(resolved.distancePriorFrequencyCount) || resolved.distancePriorFrequencyCount < 0) {
    throw new DecoderInputError('config.distancePriorFrequencyCount', 'a non-negative integer', String(resolved.distancePriorFrequencyCount));
  }
  if (!(resolved.distancePriorScale > 0)) throw new DecoderInputError('config.distancePriorScale', 'positive', String(resolved.distancePriorScale));
  if (!(resolved.geodesicPriorLimit >= 0) || !Number.isFinite(resolved.geodesicPriorLimit)) {
    throw new DecoderInputError('config.geodesicPriorLimit', 'a finite number of metres ≥ 0', String(resolved.geodesicPriorLimit));
  }
  if (!(resolved.fourierScale > 0)) throw new DecoderInputError('config.fourierScale', 'positive', String(resolved.fourierScale));
  if (resolved.stageLevels.length !== stageCount) {
    throw new DecoderInputError('config.stageLevels.length', `stageCount (${stageCount})`, String(resolved.stageLevels.length));
  }
  resolved.stageLevels.forEach((level, stage) => {
    if (!Number.isInteger(level) || level < 0 || level > finestLevel) {
      throw new DecoderInputError(`config.stageLevels[${stage}]`, `a level index in [0, ${finestLevel}]`, String(level));
    }
  });
  if (typeof resolved.geodesicReach !== 'boolean') {
    throw new DecoderInputError('config.geodesicReach', 'true or false', JSON.stringify(config.geodesicReach));
  }
  if (resolved.geodesicReach && !(resolved.geodesicPriorLimit > 0)) {
    throw new DecoderInputError('config.geodesicReach', 'false while geodesicPriorLimit is 0 (the reach scales the geodesic prior)', 'true');
  }
  if (typeof resolved.classPoolingGeometry !== 'boolean') {
    throw new DecoderInputError('config.classPoolingGeometry', 'true or false', JSON.stringify(config.classPoolingGeometry));
  }
  resolved.classPoolingLevels.forEach((level, index) => {
    if (!Number.isInteger(level) || level < 0 || level > finestLevel) {
      throw new DecoderInputError(`config.classPoolingLevels[${index}]`, `a level index in [0, ${finestLevel}]`, String(level));
    }
    if (resolved.classPoolingLevels.indexOf(level) !== index) {
      throw new DecoderInputError(`config.classPoolingLevels[${index}]`, 'a level not listed before', String(level));
    }
  });
  return resolved;
}
