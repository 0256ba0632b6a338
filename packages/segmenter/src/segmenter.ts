import * as tf from '@tensorflow/tfjs-core';
import type { PointCloud } from '@pointclick/io';
import { computeSuperpoints, downsampleVoxelGrid, NeighborIndex, type SurfaceSearchThreads } from '@pointclick/sampling';
import type { InteractiveSegmentationModel } from './interactive-segmentation-model.js';
import { clickLabel, validateClick, type Click } from './click.js';
import { SegmenterInputError } from './segmenter-errors.js';
import { assignClickGroups, type SegmentedObject } from './click-grouping.js';
import { ClickGeodesicDistances } from './click-geodesic-distances.js';
import { correctionReachDivisors, divideClickDistances } from './correction-reach.js';
import { addDistanceSlopes, resolveStructuralReach, structuralReachSlopes } from './structural-reach.js';
import { blendSuperpointLogits, clickConstraintLabels, poolSuperpointLogits, SuperpointIndex } from './click-constraints.js';
import { AUTO_INPUT_SCALE_LIMIT, findSuperpointSettingProblem, type SuperpointSettings } from './segmenter-config.js';
import { averageStageClassLogits, calibrateClassLogits } from './class-calibration.js';
import { applyRotationEnsemble } from './feature-ensemble.js';
import { adaptClickProbabilities, superpointFeatures } from './click-adaptation.js';
import { buildSuperpointGraph, smoothSuperpointProbabilities, superpointEdgeWeights, type SuperpointGraph } from './superpoint-smoothing.js';
import { constrainedLabels, resolveConstraints, type SegmentationConstraints } from './point-constraints.js';

export type { SegmentedObject } from './click-grouping.js';

const DEFAULT_MAX_CLICKS = 100;
const DEFAULT_CLICK_TOLERANCE = 0.25;
const DEFAULT_OBJECT_THRESHOLD = 0.5;
/** Occupied voxels (at the model's grid) that `inputScale: 'auto'` brings a small scene up to. */
const AUTO_SCALE_VOXELS = 20_000;

/** Output of {@link Segmenter.segment}. */
export interface SegmentationResult {
  /** Per input point: the objectId that claims it, 0 for none. */
  instance: Int32Array;
  /** Objects in increasing objectId order. */
  objects: SegmentedObject[];
  /** Wall-clock time of the decoder pass in milliseconds. */
  decoderMilliseconds: number;
  /** Wall-clock time of the backbone pass in milliseconds when this call ran it, else 0. */
  backboneMilliseconds: number;
}

/** Options of the {@link Segmenter} constructor. */
export interface SegmenterOptions {
  /** Overrides the checkpoint's superpoint settings field by field (`{ pooling: false }` turns pooling off). */
  superpoints?: SuperpointSettings;
  /**
   * Helper threads for the geodesic click prior's graph searches: an update's new clicks are searched from in
   * parallel, the same distances to the bit. The calling thread blocks in `Atomics.wait` while helpers finish,
   * so use them in Node or in a web worker, not on a page's main thread. Node's `loadSegmenter` sets them by
   * default. Default here: none.
   */
  searchThreads?: SurfaceSearchThreads;
}

/** Options of {@link Segmenter.setScene}. */
export interface SceneOptions {
  /**
   * The scene's own over-segmentation (e.g. ScanNet's `segs.json` through `@pointclick/datasets`): a label
   * 0..count−1 per point. Without it the segmenter computes superpoints when its settings use them.
   */
  superpoints?: { labels: Int32Array; count: number };
}

type BackboneOutput = ReturnType<InteractiveSegmentationModel['backbone']['apply']>;

/** The finest level's raw features, `[voxelCount, channels]` (the mask head's input F^L). */
function finestFeatures(backboneOutput: BackboneOutput): BackboneOutput['levels'][number]['features'] {
  return backboneOutput.levels[backboneOutput.levels.length - 1].features;
}

interface SceneState {
  cloud: PointCloud;
  /** The cloud's positions times the input scale: what the network sees (the cloud's own array at scale 1). */
  networkPositions: Float32Array;
  /** The factor applied to the coordinates before the network. */
  inputScale: number;
  /** The scene's superpoints, when click constraints or pooling are on. */
  superpoints?: SuperpointIndex;
  neighborIndex?: NeighborIndex;
  backboneOutput?: BackboneOutput;
  /** Click-independent decoder work (attention keys and values) for the cached features. */
  decoderScene?: ReturnType<InteractiveSegmentationModel['decoder']['prepareScene']>;
  /** Geodesic click distances over the finest voxels, when the decoder has the geodesic prior. */
  geodesic?: ClickGeodesicDistances;
  /** Standardised mean finest features per superpoint (`superpointFeatures`), read once when click adaptation or smoothing is on. */
  superpointFeatures?: Float32Array;
  /** The superpoint contact graph and its edge weights, built at the first smoothed update. */
  superpointSmoothing?: { graph: SuperpointGraph; weights: Float32Array };
}

/**
 * Interactive segmentation of one scene at a time. The backbone runs once per scene (lazily, at the first
 * `segment`) and its multi-scale features stay cached; every later click update reruns only the decoder.
 */
export class Segmenter {
  /** The network. */
  readonly model: InteractiveSegmentationModel;
  private scene?: SceneState;
  private readonly options: SegmenterOptions;

  constructor(model: InteractiveSegmentationModel, options: SegmenterOptions = {}) {
    this.model = model;
    this.options = options;
    const voxelLogitProblem = findSuperpointSettingProblem(options.superpoints ?? {});
    if (voxelLogitProblem) {
      const { field, value, expected } = voxelLogitProblem;
      throw new SegmenterInputError(`Segmenter: options.superpoints.${field} is ${String(value)}; expected ${expected}`);
    }
    const combined = findSuperpointSettingProblem(this.superpointSettings);
    if (combined) {
      throw new SegmenterInputError(`Segmenter: superpoints.${combined.field} (options over the checkpoint) is ${String(combined.value)}; expected ${combined.expected}`);
    }
    if (options.searchThreads !== undefined) {
      const { count, spawn } = options.searchThreads;
      if (!Number.isInteger(count) || count < 1 || typeof spawn !== 'function') {
        throw new SegmenterInputError(`Segmenter: options.searchThreads is { count: ${String(count)}, spawn: ${typeof spawn} }; expected a positive integer count and a spawn function`);
      }
    }
    if ((this.superpointSettings.voxelLogitWeight ?? 0) > 0 && model.config.clickAdaptation) {
      throw new SegmenterInputError('Segmenter: superpoints.voxelLogitWeight must be 0 when the checkpoint sets clickAdaptation (adaptation works on one probability per superpoint)');
    }
    model.setTraining(false);
  }

  /** Superpoint settings in force: the constructor's over the checkpoint's over the defaults (both on). */
  get superpointSettings(): Required<Pick<SuperpointSettings, 'clickConstraints' | 'pooling'>> & SuperpointSettings {
    return { clickConstraints: true, pooling: true, ...this.model.config.superpoints, ...this.options.superpoints };
  }

  /** The helper threads of the geodesic click searches, if any (see {@link SegmenterOptions.searchThreads}). */
  get searchThreads(): SurfaceSearchThreads | undefined {
    return this.options.searchThreads;
  }

  /** Class names of the checkpoint, by class index. */
  get classNames(): string[] {
    return this.model.config.classNames;
  }

  /**
   * Sets the scene to segment, dropping the cached features of the previous one. Superpoints (when the
   * settings use them) are computed here, once per scene, unless `options.superpoints` gives them.
   */
  setScene(cloud: PointCloud, options: SceneOptions = {}): void {
    if (!cloud || cloud.pointCount <= 0) {
      throw new SegmenterInputError('setScene: the cloud is empty; a scene needs at least one point');
    }
    if (cloud.positions.length !== cloud.pointCount * 3) {
      throw new SegmenterInputError(
        `setScene: positions has ${cloud.positions.length} values but pointCount ${cloud.pointCount} needs ${cloud.pointCount * 3}`,
      );
    }
    // Checked here rather than at the first segment, so a bad cloud fails where it is given.
    const { positions } = cloud;
    for (let offset = 0; offset < positions.length; offset++) {
      if (!Number.isFinite(positions[offset])) {
        throw new SegmenterInputError(
          `setScene: positions[${offset}] (point ${Math.floor(offset / 3)}, ${'xyz'[offset % 3]}) is ${positions[offset]}; every coordinate must be finite`,
        );
      }
    }
    const given = options.superpoints;
    if (given && given.labels.length !== cloud.pointCount) {
      throw new SegmenterInputError(`setScene: superpoints has ${given.labels.length} labels but the cloud has ${cloud.pointCount} points`);
    }
    let superpoints: SuperpointIndex | undefined;
    const settings = this.superpointSettings;
    if (settings.clickConstraints || settings.pooling) {
      const { labels, count } = given ?? computeSuperpoints(cloud.positions, { colors: cloud.colors, scale: settings.scale, minimumSize: settings.minimumSize });
      try {
        superpoints = new SuperpointIndex(labels, count);
      } catch (error) {
        if (error instanceof RangeError) throw new SegmenterInputError(`setScene: ${error.message}`);
        throw error;
      }
    }
    const inputScale = this.resolveInputScale(cloud.positions);
    const networkPositions = inputScale === 1 ? cloud.positions : Float32Array.from(cloud.positions, (value) => value * inputScale);
    this.clearScene();
    this.scene = { cloud, superpoints, networkPositions, inputScale };
  }

  /** The input scale of the current scene (1 when none is set or the checkpoint asks for none). */
  get inputScale(): number {
    return this.scene?.inputScale ?? 1;
  }

  /**
   * The factor by which a scene's coordinates are multiplied before the network sees them (config
   * `inputScale`): a number as given, or for `'auto'` the factor that brings a small scene (fewer than
   * AUTO_SCALE_VOXELS occupied voxels at the model's grid) up to about that many, at most AUTO_INPUT_SCALE_LIMIT
   * (occupied voxels of a scanned surface grow with the square of the scale).
   */
  private resolveInputScale(positions: Float32Array): number {
    const setting = this.model.config.inputScale ?? 1;
    if (setting !== 'auto') return setting;
    const voxelCount = downsampleVoxelGrid(positions, this.model.backbone.config.gridSize).voxelCount;
    if (voxelCount >= AUTO_SCALE_VOXELS) return 1;
    return Math.min(AUTO_INPUT_SCALE_LIMIT, Math.round(Math.sqrt(AUTO_SCALE_VOXELS / voxelCount) * 4) / 4);
  }

  /** Whether a scene is set and its backbone features are cached. */
  get hasCachedFeatures(): boolean {
    return this.scene?.backboneOutput !== undefined;
  }

  /**
   * Runs the decoder for `clicks` over the current scene and returns per-point object ids.
   *
   * @param constraints Hand corrections (rule 11 of the README): points painted into an object stay in it and
   *   points erased from it stay out, whatever the model and the clicks say; clicks sampled from them join the
   *   decoder's input so its masks follow. Without it (or with empty sets) the result is that of the clicks alone.
   */
  segment(clicks: Click[], constraints?: SegmentationConstraints): SegmentationResult {
    const run = this.startRun(clicks, constraints);
    if (!run.tensors) return run.empty;
    const [maskTensor, classTensor] = run.tensors;
    try {
      return run.finish(maskTensor.dataSync() as Float32Array, classTensor.dataSync() as Float32Array);
    } finally {
      tf.dispose([maskTensor, classTensor]);
    }
  }

  /**
   * {@link segment} with asynchronous read-back (`tensor.data()`), for backends that cannot read
   * synchronously without stalling (WebGPU in a browser). Same result.
   */
  async segmentAsync(clicks: Click[], constraints?: SegmentationConstraints): Promise<SegmentationResult> {
    const run = this.startRun(clicks, constraints);
    if (!run.tensors) return run.empty;
    const [maskTensor, classTensor] = run.tensors;
    try {
      // The superpoint features that smoothing and click adaptation read, fetched here without blocking (WebGPU).
      await this.fetchSuperpointFeatures();
      const [maskProbabilities, classProbabilities] = await Promise.all([maskTensor.data(), classTensor.data()]);
      return run.finish(maskProbabilities as Float32Array, classProbabilities as Float32Array);
    } finally {
      tf.dispose([maskTensor, classTensor]);
    }
  }

  /**
   * Validates the clicks, runs the backbone if the scene has no cached features, and queues the decoder.
   * Returns the decoder's output tensors and a function that turns their values into the result.
   */
  private startRun(userClicks: Click[], constraints: SegmentationConstraints | undefined):
    | { tensors: undefined; empty: SegmentationResult }
    | {
        tensors: [tf.Tensor, tf.Tensor];
        finish: (maskProbabilities: Float32Array, classProbabilities: Float32Array) => SegmentationResult;
      } {
    const scene = this.scene;
    if (!scene) throw new SegmenterInputError('segment called before setScene');
    const config = this.model.config;
    const maxClicks = config.maxClicks ?? DEFAULT_MAX_CLICKS;
    if (userClicks.length > maxClicks) {
      throw new SegmenterInputError(`segment: ${userClicks.length} clicks exceed the configured maximum of ${maxClicks}`);
    }
    userClicks.forEach(validateClick);
    const resolved = constraints ? resolveConstraints(constraints, scene.cloud.positions, maxClicks - userClicks.length) : undefined;
    // The clicks sampled from the constraints go after the user's: the decoder sees them as any other click.
    const clicks = resolved && resolved.clicks.length > 0 ? [...userClicks, ...resolved.clicks] : userClicks;
    const pointIndices = this.resolveClickPoints(scene, clicks);

    let backboneMilliseconds = 0;
    if (!scene.backboneOutput) {
      const started = performance.now();
      const backbone = this.model.backbone;
      scene.backboneOutput = applyRotationEnsemble((input) => backbone.apply(input), { positions: scene.networkPositions, colors: scene.cloud.colors }, config.testTimeRotations ?? 1);
      scene.decoderScene = this.model.decoder.prepareScene(scene.backboneOutput.levels);
      backboneMilliseconds = performance.now() - started;
    }
    const { levels, inputToFinest } = scene.backboneOutput;
    if (clicks.length === 0) {
      return {
        tensors: undefined,
        empty: { instance: new Int32Array(scene.cloud.pointCount), objects: [], decoderMilliseconds: 0, backboneMilliseconds },
      };
    }

    const started = performance.now();
    const clickVoxelIndices = Int32Array.from(pointIndices, (pointIndex) => inputToFinest[pointIndex]);
    const clickPositions = new Float32Array(clicks.length * 3);
    pointIndices.forEach((pointIndex, clickIndex) => {
      clickPositions.set(scene.networkPositions.subarray(pointIndex * 3, pointIndex * 3 + 3), clickIndex * 3);
    });
    const settings = this.superpointSettings;
    // The settings can change after construction (a checkpoint's config edited in place): checked at every run.
    const settingProblem = findSuperpointSettingProblem(settings);
    if (settingProblem) throw new SegmenterInputError(`segment: superpoints.${settingProblem.field} is ${String(settingProblem.value)}; expected ${settingProblem.expected}`);
    const reachDivisors = config.correctionReach ? correctionReachDivisors(clicks, config.correctionReach) : undefined;
    // The searches start now, on the helper threads if any, and overlap the decoder's first click transformer; the
    // decoder finishes them when its first adaptor needs the distances (the same values as searched beforehand).
    const finishGeodesicDistances = this.startGeodesicDistances(scene, clickVoxelIndices);
    const superpoints = scene.superpoints;
    const pooled = settings.pooling && superpoints !== undefined;
    // config.correctionReach: the prior of an object's later clicks reads shorter distances; grouping keeps the plain ones.
    // Divided once, when first read (by the decoder, then by the structural reach's slopes).
    let dividedDistances: Float32Array | undefined;
    const priorDistances =
      finishGeodesicDistances &&
      (reachDivisors ? () => (dividedDistances ??= divideClickDistances(finishGeodesicDistances(), reachDivisors)) : finishGeodesicDistances);
    // config.structuralReach: the last stage's prior changed per click by its class, on the logits after the decoder.
    const structuralReach = config.structuralReach && priorDistances ? resolveStructuralReach(config.structuralReach, this.classNames) : undefined;
    let tensors: [tf.Tensor, tf.Tensor];
    try {
      tensors = this.decode(levels, clickVoxelIndices, clickPositions, priorDistances, scene.decoderScene, pooled || structuralReach !== undefined);
    } finally {
      // Collected whatever happened in the decoder, so no search is left running into the next update.
      finishGeodesicDistances?.();
    }
    const clickGeodesicDistances = finishGeodesicDistances?.();
    const finish = (maskValues: Float32Array, classProbabilities: Float32Array): SegmentationResult => {
      // maskValues: [voxelCount, clickCount] logits when pooled or with the structural reach, else probabilities (read
      // from a tensor disposed right after this call, so free to change in place); classProbabilities: [clickCount, classCount].
      if (structuralReach && priorDistances) {
        const slopes = structuralReachSlopes(clicks, classProbabilities, this.classNames.length, structuralReach, this.lastStageGeodesicGain());
        addDistanceSlopes(maskValues, priorDistances(), slopes);
        if (!pooled) for (let entry = 0; entry < maskValues.length; entry++) maskValues[entry] = 1 / (1 + Math.exp(-maskValues[entry]));
      }
      const decoderMilliseconds = performance.now() - started;
      const localityGain = clickGeodesicDistances ? config.localityGain : undefined;
      let maskProbabilities = maskValues;
      let pointToRow = inputToFinest;
      let clickDistances = clickGeodesicDistances;
      const voxelWeights = pooled ? clickVoxelWeights(clicks, settings) : undefined;
      if (pooled && voxelWeights) {
        const blended = blendSuperpointLogits(maskValues, inputToFinest, superpoints, voxelWeights, (localityGain ?? 0) > 0 ? clickGeodesicDistances : undefined);
        maskProbabilities = blended.probabilities;
        clickDistances = blended.values;
        pointToRow = blended.pointToPiece;
      } else if (pooled) {
        const pooling = poolSuperpointLogits(maskValues, clicks.length, inputToFinest, superpoints, (localityGain ?? 0) > 0 ? clickGeodesicDistances : undefined);
        maskProbabilities = pooling.probabilities;
        clickDistances = pooling.values;
        pointToRow = superpoints.labels;
        if (config.clickAdaptation) maskProbabilities = this.adapt(scene, clicks, pointIndices, maskProbabilities, config.clickAdaptation.regularization);
        if ((settings.smoothing ?? 0) > 0) maskProbabilities = this.smooth(scene, clicks, pointIndices, maskProbabilities, settings.smoothing!);
      }
      const clickForcedLabels = settings.clickConstraints && superpoints ? clickConstraintLabels(clicks, pointIndices, superpoints, scene.cloud.positions) : undefined;
      // Rule 11: the hand corrections go over the click constraints, as the final word.
      const { forcedLabels, excludedPoints } = resolved
        ? constrainedLabels(resolved, clickForcedLabels, scene.cloud.pointCount)
        : { forcedLabels: clickForcedLabels, excludedPoints: undefined };
      // §3.1 post-processing: group max, argmax over groups, object threshold, then back to every input point.
      const { instance, objects } = assignClickGroups({
        clicks,
        maskProbabilities,
        classProbabilities,
        pointToVoxel: pointToRow,
        objectThreshold: config.objectThreshold ?? DEFAULT_OBJECT_THRESHOLD,
        classNames: this.classNames,
        clickDistances,
        localityGain: clickDistances ? localityGain : undefined,
        forcedLabels,
        excludedPoints,
      });
      return { instance, objects, decoderMilliseconds, backboneMilliseconds };
    };
    return { tensors, finish };
  }

  /**
   * Reads the finest backbone features asynchronously and caches their superpoint means when smoothing or click
   * adaptation will need them and the scene has none yet; otherwise does nothing.
   */
  private async fetchSuperpointFeatures(): Promise<void> {
    const scene = this.scene;
    const settings = this.superpointSettings;
    const needed = settings.pooling && ((settings.smoothing ?? 0) > 0 || this.model.config.clickAdaptation !== undefined);
    if (!needed || !scene?.superpoints || !scene.backboneOutput || scene.superpointFeatures) return;
    const values = (await finestFeatures(scene.backboneOutput).data()) as Float32Array;
    // The scene may have changed while the read was pending.
    if (this.scene !== scene || scene.superpointFeatures || !scene.superpoints || !scene.backboneOutput) return;
    this.superpointFeaturesOf(scene, scene.superpoints, scene.backboneOutput, values);
  }

  /**
   * The scene's standardised mean finest features per superpoint, computed at the first call from `values` or, when
   * not given, one synchronous read of the finest features (blocking on WebGPU; `segmentAsync` reads them ahead).
   * The finest level alone: the coarser levels side by side fitted worse in click adaptation on the ScanNet selection
   * rooms (trainer README, session 11).
   */
  private superpointFeaturesOf(scene: SceneState, superpoints: SuperpointIndex, backboneOutput: BackboneOutput, values?: Float32Array): Float32Array {
    const finest = finestFeatures(backboneOutput);
    scene.superpointFeatures ??= superpointFeatures(values ?? (finest.dataSync() as Float32Array), finest.shape[1], backboneOutput.inputToFinest, superpoints);
    return scene.superpointFeatures;
  }

  /** Online click adaptation of the superpoint-pooled probabilities (`config.clickAdaptation`). */
  private adapt(scene: SceneState, clicks: Click[], pointIndices: Int32Array, probabilities: Float32Array, regularization: number): Float32Array {
    const superpoints = scene.superpoints;
    const backboneOutput = scene.backboneOutput;
    if (!superpoints || !backboneOutput) return probabilities;
    const features = this.superpointFeaturesOf(scene, superpoints, backboneOutput);
    const channels = finestFeatures(backboneOutput).shape[1];
    const clickSuperpoints = Int32Array.from(pointIndices, (point) => superpoints.labels[point]);
    return adaptClickProbabilities({ clicks, clickSuperpoints, probabilities, features, channels, regularization }).probabilities;
  }

  /** Mean-field smoothing of the superpoint-pooled probabilities over the superpoint graph (`superpoints.smoothing`). */
  private smooth(scene: SceneState, clicks: Click[], pointIndices: Int32Array, probabilities: Float32Array, strength: number): Float32Array {
    const superpoints = scene.superpoints;
    const backboneOutput = scene.backboneOutput;
    if (!superpoints || !backboneOutput) return probabilities;
    if (!scene.superpointSmoothing) {
      const features = this.superpointFeaturesOf(scene, superpoints, backboneOutput);
      // The graph's cells are the network's voxels, in the coordinates the network sees.
      const graph = buildSuperpointGraph(scene.networkPositions, this.model.backbone.config.gridSize, superpoints);
      scene.superpointSmoothing = { graph, weights: superpointEdgeWeights(graph, features, finestFeatures(backboneOutput).shape[1]) };
    }
    const { graph, weights } = scene.superpointSmoothing;
    const clickSuperpoints = Int32Array.from(pointIndices, (point) => superpoints.labels[point]);
    return smoothSuperpointProbabilities({ clicks, clickSuperpoints, probabilities, graph, weights, strength, superpoints });
  }

  /**
   * The decoder's geodesic prior input for these clicks, as a function that finishes the searches started here
   * (`ClickGeodesicDistances.startDistances`), or undefined when the decoder has no such prior.
   */
  private startGeodesicDistances(scene: SceneState, clickVoxelIndices: Int32Array): (() => Float32Array) | undefined {
    if (!scene.backboneOutput) return undefined;
    const { levels, inputToFinest } = scene.backboneOutput;
    scene.geodesic ??= ClickGeodesicDistances.forModel(
      this.model, levels[levels.length - 1].coordinates, scene.cloud.colors, inputToFinest, scene.inputScale, this.options.searchThreads,
    );
    return scene.geodesic?.startDistances(clickVoxelIndices);
  }

  /**
   * The decoder pass of an update: the last stage's mask values (raw logits when `logits`, since pooling averages
   * logits and the structural reach adds to them, else probabilities) and class probabilities (the mean of the last
   * `config.classStageCount` stages' class logits, then `config.calibration`: temperature scaling and the logit
   * adjustment of the class prior). Tensors only: tidy walks whatever it returns element by element looking for
   * tensors, which for a [voxelCount, clickCount] Float32Array would cost more than the decoder itself.
   */
  private decode(
    levels: BackboneOutput['levels'],
    clickVoxelIndices: Int32Array,
    clickPositions: Float32Array,
    clickGeodesicDistances: (() => Float32Array) | undefined,
    scene: SceneState['decoderScene'],
    logits: boolean,
  ): [tf.Tensor, tf.Tensor] {
    return tf.tidy(() => {
      const output = this.model.decoder.apply({ levels, clickVoxelIndices, clickPositions, clickGeodesicDistances, scene });
      const last = output.stages[output.stages.length - 1];
      const classLogits = calibrateClassLogits(averageStageClassLogits(output.stages, this.model.config.classStageCount), this.model.config.calibration);
      return [logits ? last.maskLogits.clone() : tf.sigmoid(last.maskLogits), tf.softmax(classLogits)] as [tf.Tensor, tf.Tensor];
    });
  }

  /** The last decoder stage's learned geodesic gain g (logits per metre), read at each update (training may change it). */
  private lastStageGeodesicGain(): number {
    const name = `stage_${this.model.decoder.config.stageCount - 1}.adaptor.geodesic_gain`;
    const variable = this.model.decoder.namedVariables().get(name);
    if (!variable) throw new SegmenterInputError(`segment: structuralReach needs the decoder's geodesic prior, but the model has no '${name}'`);
    return (variable.dataSync() as Float32Array)[0];
  }

  /** Frees the cached scene features (the model stays loaded). */
  clearScene(): void {
    this.scene?.decoderScene?.dispose();
    this.scene?.backboneOutput?.dispose();
    this.scene?.geodesic?.dispose();
    this.scene = undefined;
  }

  /** Frees the scene features and every model weight. */
  dispose(): void {
    this.clearScene();
    this.model.dispose();
  }

  private resolveClickPoints(scene: SceneState, clicks: Click[]): Int32Array {
    const tolerance = this.model.config.clickTolerance ?? DEFAULT_CLICK_TOLERANCE;
    const pointIndices = new Int32Array(clicks.length);
    clicks.forEach((click, index) => {
      if ('pointIndex' in click) {
        if (click.pointIndex < 0 || click.pointIndex >= scene.cloud.pointCount) {
          throw new SegmenterInputError(
            `click ${index}: pointIndex ${click.pointIndex} is outside the scene's ${scene.cloud.pointCount} points`,
          );
        }
        pointIndices[index] = click.pointIndex;
        return;
      }
      scene.neighborIndex ??= new NeighborIndex(scene.cloud.positions);
      const [x, y, z] = click.position;
      const nearest = scene.neighborIndex.nearest(x, y, z);
      if (nearest.distance > tolerance) {
        throw new SegmenterInputError(
          `click ${index}: position [${click.position.join(', ')}] is ${nearest.distance.toFixed(3)} m from the nearest point; the tolerance is ${tolerance} m`,
        );
      }
      pointIndices[index] = nearest.index;
    });
    return pointIndices;
  }
}

/**
 * Each click's weight of the voxel logits in superpoint pooling (`superpoints.voxelLogitWeight`): the weight for a
 * click whose label (its object, or background) has at least `voxelLogitClicks` clicks, else 0; undefined when
 * every weight is 0 (plain pooling).
 */
function clickVoxelWeights(clicks: readonly Click[], settings: SuperpointSettings): Float32Array | undefined {
  const weight = settings.voxelLogitWeight ?? 0;
  if (weight === 0) return undefined;
  const clicksPerLabel = new Map<number, number>();
  for (const click of clicks) clicksPerLabel.set(clickLabel(click), (clicksPerLabel.get(clickLabel(click)) ?? 0) + 1);
  const fromClicks = settings.voxelLogitClicks ?? 1;
  const weights = Float32Array.from(clicks, (click) => ((clicksPerLabel.get(clickLabel(click)) ?? 0) >= fromClicks ? weight : 0));
  return weights.some((value) => value > 0) ? weights : undefined;
}
