import * as tf from '@tensorflow/tfjs-core';
import type { PointCloud } from '@pointclick/io';
import { NeighborIndex } from '@pointclick/sampling';
import type { InteractiveSegmentationModel } from './interactive-segmentation-model.js';
import { validateClick, type Click } from './click.js';
import { SegmenterInputError } from './segmenter-errors.js';
import { assignClickGroups, type SegmentedObject } from './click-grouping.js';
import { ClickGeodesicDistances } from './click-geodesic-distances.js';

export type { SegmentedObject } from './click-grouping.js';

const DEFAULT_MAX_CLICKS = 100;
const DEFAULT_CLICK_TOLERANCE = 0.25;
const DEFAULT_OBJECT_THRESHOLD = 0.5;

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

interface SceneState {
  cloud: PointCloud;
  neighborIndex?: NeighborIndex;
  backboneOutput?: ReturnType<InteractiveSegmentationModel['backbone']['apply']>;
  /** Click-independent decoder work (attention keys and values) for the cached features. */
  decoderScene?: ReturnType<InteractiveSegmentationModel['decoder']['prepareScene']>;
  /** Geodesic click distances over the finest voxels, when the decoder has the geodesic prior. */
  geodesic?: ClickGeodesicDistances;
}

/**
 * Interactive segmentation of one scene at a time. The backbone runs once per scene (lazily, at the first
 * `segment`) and its multi-scale features stay cached; every later click update reruns only the decoder.
 */
export class Segmenter {
  /** The network. */
  readonly model: InteractiveSegmentationModel;
  private scene?: SceneState;

  constructor(model: InteractiveSegmentationModel) {
    this.model = model;
    model.setTraining(false);
  }

  /** Class names of the checkpoint, by class index. */
  get classNames(): string[] {
    return this.model.config.classNames;
  }

  /** Sets the scene to segment, dropping the cached features of the previous one. */
  setScene(cloud: PointCloud): void {
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
    this.clearScene();
    this.scene = { cloud };
  }

  /** Whether a scene is set and its backbone features are cached. */
  get hasCachedFeatures(): boolean {
    return this.scene?.backboneOutput !== undefined;
  }

  /** Runs the decoder for `clicks` over the current scene and returns per-point object ids. */
  segment(clicks: Click[]): SegmentationResult {
    const run = this.startRun(clicks);
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
  async segmentAsync(clicks: Click[]): Promise<SegmentationResult> {
    const run = this.startRun(clicks);
    if (!run.tensors) return run.empty;
    const [maskTensor, classTensor] = run.tensors;
    try {
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
  private startRun(clicks: Click[]):
    | { tensors: undefined; empty: SegmentationResult }
    | {
        tensors: [tf.Tensor, tf.Tensor];
        finish: (maskProbabilities: Float32Array, classProbabilities: Float32Array) => SegmentationResult;
      } {
    const scene = this.scene;
    if (!scene) throw new SegmenterInputError('segment called before setScene');
    const config = this.model.config;
    const maxClicks = config.maxClicks ?? DEFAULT_MAX_CLICKS;
    if (clicks.length > maxClicks) {
      throw new SegmenterInputError(`segment: ${clicks.length} clicks exceed the configured maximum of ${maxClicks}`);
    }
    clicks.forEach(validateClick);
    const pointIndices = this.resolveClickPoints(scene, clicks);

    let backboneMilliseconds = 0;
    if (!scene.backboneOutput) {
      const started = performance.now();
      scene.backboneOutput = this.model.backbone.apply({ positions: scene.cloud.positions, colors: scene.cloud.colors });
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
      clickPositions.set(scene.cloud.positions.subarray(pointIndex * 3, pointIndex * 3 + 3), clickIndex * 3);
    });
    // The tidy returns tensors, never the read-back arrays: tidy walks whatever it returns element by element
    // looking for tensors, which for a [voxelCount, clickCount] Float32Array cost more than the decoder itself.
    const clickGeodesicDistances = this.geodesicDistances(scene, clickVoxelIndices);
    const tensors = tf.tidy(() => {
      const output = this.model.decoder.apply({ levels, clickVoxelIndices, clickPositions, clickGeodesicDistances, scene: scene.decoderScene });
      const last = output.stages[output.stages.length - 1];
      return [tf.sigmoid(last.maskLogits), tf.softmax(last.classLogits)] as [tf.Tensor, tf.Tensor];
    });
    const finish = (maskProbabilities: Float32Array, classProbabilities: Float32Array): SegmentationResult => {
      // maskProbabilities: [voxelCount, clickCount]; classProbabilities: [clickCount, classCount].
      const decoderMilliseconds = performance.now() - started;
      // §3.1 post-processing: group max, argmax over groups, object threshold, then back to every input point.
      const { instance, objects } = assignClickGroups({
        clicks,
        maskProbabilities,
        classProbabilities,
        pointToVoxel: inputToFinest,
        objectThreshold: config.objectThreshold ?? DEFAULT_OBJECT_THRESHOLD,
        classNames: this.classNames,
        clickDistances: clickGeodesicDistances,
        localityGain: clickGeodesicDistances ? config.localityGain : undefined,
      });
      return { instance, objects, decoderMilliseconds, backboneMilliseconds };
    };
    return { tensors, finish };
  }

  /** The decoder's geodesic prior input for these clicks, or undefined when the decoder has no such prior. */
  private geodesicDistances(scene: SceneState, clickVoxelIndices: Int32Array): Float32Array | undefined {
    if (!scene.backboneOutput) return undefined;
    const { levels, inputToFinest } = scene.backboneOutput;
    scene.geodesic ??= ClickGeodesicDistances.forDecoder(this.model.decoder.config, levels[levels.length - 1].coordinates, scene.cloud.colors, inputToFinest);
    return scene.geodesic?.distances(clickVoxelIndices);
  }

  /** Frees the cached scene features (the model stays loaded). */
  clearScene(): void {
    this.scene?.decoderScene?.dispose();
    this.scene?.backboneOutput?.dispose();
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
