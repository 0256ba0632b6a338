import * as tf from '@tensorflow/tfjs-core';
import { Initializer, Linear, Module, ModuleGroup, type ProjectedKeyValues } from '@pointclick/nn';
import { gatherRows } from '@pointclick/tfjs-kernels';
import { ClickDistancePrior } from './click-distance-prior.js';
import { ClickTransformerBlock } from './click-transformer-block.js';
import { CLASS_GEOMETRY_CHANNELS, ConditionedQueryAdaptor, type ProjectedLevel } from './conditioned-query-adaptor.js';
import { resolveDecoderConfig, type ClickDecoderConfig, type ResolvedClickDecoderConfig } from './decoder-config.js';
import { DecoderInputError } from './decoder-input-error.js';
import { computeSceneFrame, FourierPositionalEncoding, type SceneFrame } from './fourier-positional-encoding.js';

/**
 * One backbone level, structurally compatible with `@pointclick/ptv3`'s `BackboneLevel` (the
 * decoder does not depend on the backbone package).
 */
export interface DecoderLevel {
  /** `[voxelCount, channels]` features. */
  features: tf.Tensor2D;
  /** `voxelCount*3` voxel positions in metres. */
  coordinates: Float32Array;
  /** For every voxel of the finest level, its index in this level (`finestVoxelCount` entries). */
  finestToLevel: Int32Array;
  /** Voxel edge length in metres (not used by the decoder; part of the backbone's output). */
  voxelSize?: number;
}

/** Input of {@link ClickDecoder.apply}. */
export interface ClickDecoderInput {
  /** Backbone levels, `levels[0]` = coarsest F^0 … `levels[L]` = finest F^L. */
  levels: readonly DecoderLevel[];
  /** For every click, the finest-level voxel nearest to it (Eq. 2's Lookup, computed by the caller), `[clickCount]`. */
  clickVoxelIndices: Int32Array;
  /** `clickCount*3` click positions in metres. */
  clickPositions: Float32Array;
  /**
   * Geodesic distance in metres from every click to every finest voxel, `[finestVoxelCount, clickCount]`
   * row-major, capped at `config.geodesicPriorLimit`: required when the geodesic click prior is on
   * (`geodesicPriorLimit > 0`), ignored otherwise. Measure it on `SurfaceGraph` of `@pointclick/sampling`
   * built over the finest voxels with the configured neighbour count and colour weight.
   *
   * May be a function that returns them: it is called once, after the first stage's click transformer and before
   * anything reads the distances, so searches running on other threads overlap the work before it.
   */
  clickGeodesicDistances?: Float32Array | (() => Float32Array);
  /**
   * The click-independent work for these `levels`, from {@link ClickDecoder.prepareScene}: pass it
   * when only the clicks change (interactive inference). Leave it out when training, so gradients
   * reach the scene-side weights.
   */
  scene?: DecoderScene;
  /** Also return every stage's transformed queries Q_t^i (`DecoderStageOutput.queries`). Default false. */
  keepQueries?: boolean;
}

/**
 * Click-independent part of a decoder pass for one scene: the scene frame and every stage's projected
 * attention keys and values. Valid for the weights it was made with; dispose it when the scene changes.
 */
export interface DecoderScene {
  /** Bounds used to normalise positions. */
  frame: SceneFrame;
  /** Per stage, the projected keys and values of its click-to-scene attention. */
  stageScenes: ProjectedKeyValues[];
  /** Φ of the finest voxels for the click distance prior, `[finestVoxelCount, 2J]`; absent without the prior. */
  distanceEmbedding?: tf.Tensor2D;
  /** Frees the tensors. */
  dispose(): void;
}

/** Predictions of one decoder stage. */
export interface DecoderStageOutput {
  /** M^i, `[finestVoxelCount, clickCount]` mask logits (Eq. 5). */
  maskLogits: tf.Tensor2D;
  /** (Z^i)ᵀ, `[clickCount, prototypeCount]` class logits (Eq. 6). */
  classLogits: tf.Tensor2D;
  /** Q_t^i, `[clickCount, width]`: the queries the stage's heads read; only with `keepQueries`. */
  queries?: tf.Tensor2D;
  /**
   * The mask-pooled features the class head read with Q_t^i, `[clickCount, Σ channels of classPoolingLevels]`;
   * only with `keepQueries`, and only for the stage with class pooling (the last, when configured).
   */
  classFeatures?: tf.Tensor2D;
}

/** Output of {@link ClickDecoder.apply}: every stage, for deep supervision; the last is the prediction. */
export interface ClickDecoderOutput {
  /** One entry per stage, first to last. */
  stages: DecoderStageOutput[];
}

/** Channels of the last stage's pooled class features (0: no class pooling): its class pooling levels', plus the geometry's. */
export function classFeatureChannels(config: ResolvedClickDecoderConfig): number {
  const levels = config.classPoolingLevels.reduce((sum, level) => sum + config.levelChannels[level], 0);
  return levels + (config.classPoolingGeometry ? CLASS_GEOMETRY_CHANNELS : 0);
}

/** Finest voxel positions for the class geometry, `[voxelCount, 3]`: x, y less their mean, z above the lowest voxel. */
function classGeometryPositions(coordinates: Float32Array): tf.Tensor2D {
  const voxelCount = coordinates.length / 3;
  let sumX = 0;
  let sumY = 0;
  let lowest = Infinity;
  for (let offset = 0; offset < coordinates.length; offset += 3) {
    sumX += coordinates[offset];
    sumY += coordinates[offset + 1];
    lowest = Math.min(lowest, coordinates[offset + 2]);
  }
  const positions = new Float32Array(coordinates.length);
  for (let offset = 0; offset < coordinates.length; offset += 3) {
    positions[offset] = coordinates[offset] - sumX / voxelCount;
    positions[offset + 1] = coordinates[offset + 1] - sumY / voxelCount;
    positions[offset + 2] = coordinates[offset + 2] - lowest;
  }
  return tf.tensor2d(positions, [voxelCount, 3]);
}

/** Row indices `⌊j·n/count⌋`, j < count: an even, deterministic subsample of n rows. */
function strideIndices(rowCount: number, count: number): Int32Array {
  const indices = new Int32Array(count);
  for (let index = 0; index < count; index++) indices[index] = Math.floor((index * rowCount) / count);
  return indices;
}

/** Gathers `indices` rows of a `count*3` coordinate array. */
function gatherCoordinates(coordinates: Float32Array, indices: Int32Array): Float32Array {
  const result = new Float32Array(indices.length * 3);
  indices.forEach((row, index) => result.set(coordinates.subarray(row * 3, row * 3 + 3), index * 3));
  return result;
}

/**
 * The click-query mask decoder: queries from clicks (Eq. 2), L stages of transformer block (Eq. 3)
 * and conditioned query adaptor (Eqs. 4–7), masks and prototype class logits from every stage.
 *
 * Variables (checkpoint names): `level_projection_<level>` for each used backbone level,
 * `positional_encoding`, `stage_<i>.transformer`, `stage_<i>.adaptor`, `prototypes`, and with the click
 * distance prior `distance_prior` plus `stage_<i>.adaptor.distance_gain` / `distance_bias`, with the geodesic
 * click prior `stage_<i>.adaptor.geodesic_gain` / `geodesic_bias`, and with class pooling the last stage's
 * `stage_<L-1>.adaptor.class_pooling`.
 */
export class ClickDecoder extends Module {
  /** The configuration with defaults filled in. */
  readonly config: ResolvedClickDecoderConfig;
  /** P_s, `[prototypeCount, prototypeChannels]` learnable semantic prototypes (Eq. 6). */
  readonly prototypes: tf.Variable;
  private readonly levelProjections = new Map<number, Linear>();
  private readonly positionalEncoding: FourierPositionalEncoding;
  private readonly transformers: ClickTransformerBlock[] = [];
  private readonly adaptors: ConditionedQueryAdaptor[] = [];
  private readonly distancePrior?: ClickDistancePrior;

  constructor(config: ClickDecoderConfig) {
    super('click_decoder');
    this.config = resolveDecoderConfig(config);
    const { levelChannels, width, headCount, feedForwardChannels, stageCount, stageLevels, prototypeCount, prototypeChannels } = this.config;
    const initializer = new Initializer(this.config.seed);
    const finestLevel = levelChannels.length - 1;
    const classPoolingChannels = classFeatureChannels(this.config);
    // Only levels something reads get a projection, so every variable receives a gradient.
    const usedLevels = [...new Set([...stageLevels, finestLevel])].sort((a, b) => a - b);
    for (const level of usedLevels) {
      const name = `level_projection_${level}`;
      this.levelProjections.set(level, this.addChild(new Linear(name, levelChannels[level], width, initializer, name)));
    }
    this.positionalEncoding = this.addChild(
      new FourierPositionalEncoding('positional_encoding', this.config.fourierFeatureCount, width, this.config.fourierScale, initializer, 'positional_encoding'),
    );
    for (let stage = 0; stage < stageCount; stage++) {
      // Groups one stage's transformer and adaptor under `stage_<i>` in the variable tree.
      const stageModule = this.addChild(new ModuleGroup(`stage_${stage}`));
      this.transformers.push(
        stageModule.add(new ClickTransformerBlock('transformer', width, headCount, feedForwardChannels, initializer, `stage_${stage}.transformer`)),
      );
      this.adaptors.push(
        stageModule.add(
          new ConditionedQueryAdaptor(
            'adaptor', width, prototypeChannels, stage < stageCount - 1, initializer, `stage_${stage}.adaptor`,
            this.config.distancePriorFrequencyCount > 0, this.config.geodesicPriorLimit > 0,
            stage === stageCount - 1 ? classPoolingChannels : 0, this.config.geodesicReach,
          ),
        ),
      );
    }
    if (this.config.distancePriorFrequencyCount > 0) {
      this.distancePrior = this.addChild(
        new ClickDistancePrior('distance_prior', this.config.distancePriorFrequencyCount, this.config.distancePriorScale, initializer, 'distance_prior'),
      );
    }
    this.prototypes = this.addVariable('prototypes', initializer.normal('prototypes', [prototypeCount, prototypeChannels], 1 / Math.sqrt(prototypeChannels)));
  }

  /**
   * Runs the decoder. Every returned tensor is new; dispose them (or apply inside `tf.tidy`).
   * On wasm, import `@pointclick/tfjs-kernels/wasm` first (row gather and segment sum kernels).
   */
  apply(input: ClickDecoderInput): ClickDecoderOutput {
    this.checkInput(input);
    const { levels, clickVoxelIndices, clickPositions } = input;
    const finestLevel = levels.length - 1;
    const finest = levels[finestLevel];
    // tidy keeps only what is returned: every stage's mask and class logits, interleaved.
    const outputs = tf.tidy(() => {
      const scene = input.scene ?? this.buildScene(levels);
      const finestProjection = this.levelProjections.get(finestLevel)!;
      // Eq. 2: Q = F^L[Lookup(C, S)], projected to the decoder width.
      let queries = finestProjection.apply(gatherRows(finest.features, clickVoxelIndices)) as tf.Tensor2D; // [clickCount, width]
      const queryEncoding = this.positionalEncoding.apply(clickPositions, scene.frame); // [clickCount, width]
      const finestInput: ProjectedLevel = { features: finest.features, projection: finestProjection };
      // Click distance prior (when configured): one [finestVoxelCount, clickCount] kernel for all stages.
      let distanceKernel: tf.Tensor2D | undefined;
      if (this.distancePrior) {
        const voxelEmbedding = input.scene?.distanceEmbedding ?? this.distancePrior.embed(finest.coordinates, scene.frame);
        distanceKernel = this.distancePrior.kernel(voxelEmbedding, this.distancePrior.embed(clickPositions, scene.frame));
      }
      // The geodesic prior's [finestVoxelCount, clickCount] tensor, made when the first adaptor needs it.
      let geodesicDistances: tf.Tensor2D | undefined;
      const geodesicInput = this.config.geodesicPriorLimit > 0 ? input.clickGeodesicDistances : undefined;
      const readGeodesicDistances = (): tf.Tensor2D | undefined => {
        if (geodesicDistances || !geodesicInput) return geodesicDistances;
        const values = typeof geodesicInput === 'function' ? geodesicInput() : geodesicInput;
        this.checkGeodesicDistances(values, finest.features.shape[0], clickVoxelIndices.length);
        geodesicDistances = tf.tensor2d(values, [finest.features.shape[0], clickVoxelIndices.length]);
        return geodesicDistances;
      };
      const classLevels = this.config.classPoolingLevels.map((level) => ({
        features: levels[level].features,
        finestToLevel: level === finestLevel ? undefined : levels[level].finestToLevel,
      }));
      const classPositions = this.config.classPoolingGeometry ? classGeometryPositions(finest.coordinates) : undefined;
      const stages: DecoderStageOutput[] = [];
      for (let stage = 0; stage < this.config.stageCount; stage++) {
        const levelIndex = this.config.stageLevels[stage];
        const level = levels[levelIndex];
        // Eq. 3: Q_t^i = T(Q_a^{i-1}, F^i)
        const transformed = this.transformers[stage].apply(queries, queryEncoding, scene.stageScenes[stage]);
        // Eq. 4: Q_a^i = G(Q_t^i, F^L)
        const pooled: ProjectedLevel = {
          features: level.features,
          projection: this.levelProjections.get(levelIndex)!,
          finestToLevel: levelIndex === finestLevel ? undefined : level.finestToLevel,
        };
        const { maskLogits, classLogits, classFeatures, adaptedQueries } = this.adaptors[stage].apply(
          transformed, finestInput, pooled, this.prototypes as tf.Tensor2D, distanceKernel, readGeodesicDistances(), classLevels, classPositions,
        );
        stages.push({ maskLogits, classLogits, queries: input.keepQueries ? transformed : undefined, classFeatures: input.keepQueries ? classFeatures : undefined });
        if (adaptedQueries) queries = adaptedQueries;
      }
      // tidy returns a flat list: per stage its mask and class logits, then (with keepQueries) the queries and
      // the class features where the stage has them; the counts below say how to cut it again.
      return stages.flatMap((stage) => [stage.maskLogits, stage.classLogits, ...(stage.queries ? [stage.queries] : []), ...(stage.classFeatures ? [stage.classFeatures] : [])]);
    });
    const stages: DecoderStageOutput[] = [];
    let index = 0;
    for (let stage = 0; stage < this.config.stageCount; stage++) {
      const output: DecoderStageOutput = { maskLogits: outputs[index++], classLogits: outputs[index++] };
      if (input.keepQueries) {
        output.queries = outputs[index++];
        if (this.adaptors[stage].hasClassPooling) output.classFeatures = outputs[index++];
      }
      stages.push(output);
    }
    return { stages };
  }

  /**
   * Eq. 6 of one stage for given transformed queries: the class logits `[clickCount, prototypeCount]` that
   * stage's head gives Q_t (from `apply` with `keepQueries`). Lets a class head be trained on stored queries.
   *
   * @param stage Stage index, 0 … stageCount − 1.
   * @param queries Q_t of that stage, `[clickCount, width]`.
   * @param classFeatures The stage's mask-pooled features (`DecoderStageOutput.classFeatures`),
   *   `[clickCount, Σ channels of classPoolingLevels]`: required for the stage with class pooling, ignored otherwise.
   */
  classifyQueries(stage: number, queries: tf.Tensor2D, classFeatures?: tf.Tensor2D): tf.Tensor2D {
    const adaptor = this.adaptors[stage];
    if (!adaptor) throw new DecoderInputError('stage', `a stage index in [0, ${this.config.stageCount})`, String(stage));
    if (queries.rank !== 2 || queries.shape[1] !== this.config.width) {
      throw new DecoderInputError('queries.shape', `[clickCount, ${this.config.width}]`, `[${queries.shape}]`);
    }
    if (!adaptor.hasClassPooling) return adaptor.classify(queries, this.prototypes as tf.Tensor2D);
    const channels = classFeatureChannels(this.config);
    if (!classFeatures || classFeatures.rank !== 2 || classFeatures.shape[0] !== queries.shape[0] || classFeatures.shape[1] !== channels) {
      throw new DecoderInputError('classFeatures.shape', `[${queries.shape[0]}, ${channels}] (stage ${stage} has class pooling)`, classFeatures ? `[${classFeatures.shape}]` : 'none');
    }
    return adaptor.classify(queries, this.prototypes as tf.Tensor2D, classFeatures);
  }

  /**
   * Computes the click-independent work for a scene once (projections, positional encodings, keys
   * and values of every stage's attention), for repeated {@link apply} calls with changing clicks.
   * Inference only: it is not differentiated through when passed to `apply`.
   */
  prepareScene(levels: readonly DecoderLevel[]): DecoderScene {
    this.checkLevels(levels);
    const frame = computeSceneFrame(levels[levels.length - 1].coordinates);
    const tensors = tf.tidy(() => this.buildScene(levels).stageScenes.flatMap((scene) => [scene.keys, scene.values]));
    const stageScenes: ProjectedKeyValues[] = [];
    for (let index = 0; index < tensors.length; index += 2) {
      stageScenes.push({ keys: tensors[index], values: tensors[index + 1] });
    }
    const distanceEmbedding = this.distancePrior?.embed(levels[levels.length - 1].coordinates, frame);
    return {
      frame,
      stageScenes,
      distanceEmbedding,
      dispose: () => tf.dispose([...tensors, ...(distanceEmbedding ? [distanceEmbedding] : [])]),
    };
  }

  /** Scene frame and every stage's projected keys and values (inside the caller's tidy). */
  private buildScene(levels: readonly DecoderLevel[]): { frame: SceneFrame; stageScenes: ProjectedKeyValues[] } {
    const frame = computeSceneFrame(levels[levels.length - 1].coordinates);
    const stageScenes = this.config.stageLevels.map((levelIndex, stage) => {
      const { features, encoding } = this.attendedScene(levels[levelIndex], this.levelProjections.get(levelIndex)!, frame);
      return this.transformers[stage].prepareScene(features, encoding);
    });
    return { frame, stageScenes };
  }

  /**
   * Key/value side of one stage's click-to-scene attention: the level's voxels (stride-subsampled to
   * at most `maxAttentionKeys`, see the config), projected to the width, and their positional encoding.
   */
  private attendedScene(level: DecoderLevel, projection: Linear, frame: SceneFrame): { features: tf.Tensor2D; encoding: tf.Tensor2D } {
    const voxelCount = level.features.shape[0];
    if (voxelCount <= this.config.maxAttentionKeys) {
      return { features: projection.apply(level.features) as tf.Tensor2D, encoding: this.positionalEncoding.apply(level.coordinates, frame) };
    }
    const indices = strideIndices(voxelCount, this.config.maxAttentionKeys);
    return {
      features: projection.apply(gatherRows(level.features, indices)) as tf.Tensor2D,
      encoding: this.positionalEncoding.apply(gatherCoordinates(level.coordinates, indices), frame),
    };
  }

  private checkGeodesicDistances(values: Float32Array | undefined, finestCount: number, clickCount: number): void {
    const expected = finestCount * clickCount;
    if (typeof values?.length !== 'number') {
      throw new DecoderInputError('clickGeodesicDistances', `${expected} values (finestVoxelCount*clickCount)`, values === null ? 'null' : typeof values);
    }
    if (values.length !== expected) {
      throw new DecoderInputError('clickGeodesicDistances.length', `${expected} (finestVoxelCount*clickCount)`, String(values.length));
    }
  }

  private checkInput(input: ClickDecoderInput): void {
    const { levels, clickVoxelIndices, clickPositions, scene } = input;
    this.checkLevels(levels);
    if (scene && scene.stageScenes.length !== this.config.stageCount) {
      throw new DecoderInputError('scene.stageScenes.length', `stageCount (${this.config.stageCount})`, String(scene.stageScenes.length));
    }
    const finestCount = levels[levels.length - 1].features.shape[0];
    if (clickVoxelIndices.length === 0) throw new DecoderInputError('clickVoxelIndices.length', 'at least 1', '0');
    if (clickPositions.length !== clickVoxelIndices.length * 3) {
      throw new DecoderInputError('clickPositions.length', `${clickVoxelIndices.length * 3} (clickCount*3)`, String(clickPositions.length));
    }
    if (this.config.geodesicPriorLimit > 0) {
      const received = input.clickGeodesicDistances;
      if (!received) {
        const expected = levels[levels.length - 1].features.shape[0] * clickVoxelIndices.length;
        throw new DecoderInputError('clickGeodesicDistances', `${expected} values (finestVoxelCount*clickCount; the geodesic prior is on)`, 'none');
      }
      // A function's values are checked when it is called.
      if (typeof received !== 'function') this.checkGeodesicDistances(received, levels[levels.length - 1].features.shape[0], clickVoxelIndices.length);
    }
    clickVoxelIndices.forEach((voxel, click) => {
      if (!Number.isInteger(voxel) || voxel < 0 || voxel >= finestCount) {
        throw new DecoderInputError(`clickVoxelIndices[${click}]`, `a finest voxel index in [0, ${finestCount})`, String(voxel));
      }
    });
  }

  private checkLevels(levels: readonly DecoderLevel[]): void {
    const { levelChannels } = this.config;
    if (levels.length !== levelChannels.length) {
      throw new DecoderInputError('levels.length', `${levelChannels.length} (config.levelChannels)`, String(levels.length));
    }
    const finestCount = levels[levels.length - 1].features.shape[0];
    levels.forEach((level, index) => {
      const { features, coordinates, finestToLevel } = level;
      if (features.rank !== 2 || features.shape[1] !== levelChannels[index]) {
        throw new DecoderInputError(`levels[${index}].features.shape`, `[voxelCount, ${levelChannels[index]}]`, `[${features.shape}]`);
      }
      if (features.dtype !== 'float32') throw new DecoderInputError(`levels[${index}].features.dtype`, 'float32', features.dtype);
      if (coordinates.length !== features.shape[0] * 3) {
        throw new DecoderInputError(`levels[${index}].coordinates.length`, `${features.shape[0] * 3} (voxelCount*3)`, String(coordinates.length));
      }
      if (index < levels.length - 1 && (this.config.stageLevels.includes(index) || this.config.classPoolingLevels.includes(index))) {
        if (finestToLevel.length !== finestCount) {
          throw new DecoderInputError(`levels[${index}].finestToLevel.length`, `${finestCount} (finest voxel count)`, String(finestToLevel.length));
        }
        const voxelCount = features.shape[0];
        for (let offset = 0; offset < finestToLevel.length; offset++) {
          const target = finestToLevel[offset];
          if (!(target >= 0 && target < voxelCount)) {
            throw new DecoderInputError(`levels[${index}].finestToLevel[${offset}]`, `in [0, ${voxelCount})`, String(target));
          }
        }
      }
    });
  }
}

/** Builds a {@link ClickDecoder}; see {@link ClickDecoderConfig} for the sizes and their defaults. */
export function createClickDecoder(config: ClickDecoderConfig): ClickDecoder {
  return new ClickDecoder(config);
}
