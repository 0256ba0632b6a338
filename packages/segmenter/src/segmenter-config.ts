import type { createPointTransformerV3 } from '@pointclick/ptv3';
import type { createClickDecoder } from '@pointclick/decoder';
import type { TrainingProvenance } from './training-provenance.js';

/** Architecture of the backbone, as `createPointTransformerV3` accepts it. */
export type BackboneConfig = Exclude<Parameters<typeof createPointTransformerV3>[0], string | undefined>;
/** Architecture of the decoder, as `createClickDecoder` accepts it. */
export type DecoderConfig = Parameters<typeof createClickDecoder>[0];

/** Current checkpoint format version; bumped on any incompatible change of the JSON or weight layout. */
export const CHECKPOINT_FORMAT_VERSION = 3;

/** The values `testTimeRotations` takes: copies turned by quarter turns only, so every copy's voxel grid is the scene's. */
export const TEST_TIME_ROTATIONS: readonly number[] = [1, 2, 4];

/** Largest factor `inputScale: 'auto'` applies (and the scale from which `scaledSceneLimit` applies whole). */
export const AUTO_INPUT_SCALE_LIMIT = 4;

/** Everything needed to rebuild a segmenter, stored as the checkpoint's JSON. */
export interface SegmenterConfig {
  /** Backbone architecture; its `gridSize` (voxel edge length in metres of the input grid) is the model's. */
  backbone: BackboneConfig;
  /** Decoder architecture. */
  decoder: DecoderConfig;
  /** Class names by class index of the decoder's class head. */
  classNames: string[];
  /** Surface graph the decoder's geodesic click prior is measured on (decoders with `geodesicPriorLimit` > 0). */
  geodesicGraph?: GeodesicGraphSettings;
  /** Most clicks accepted by one `segment` call. Default 100. */
  maxClicks?: number;
  /** A position click farther than this from every point is rejected, in metres. Default 0.25. */
  clickTolerance?: number;
  /** Sigmoid mask probability an object needs to claim a point. Default 0.5. */
  objectThreshold?: number;
  /**
   * Click locality at grouping, logits per metre of geodesic distance (decoders with the geodesic prior only;
   * see `ClickGroupingInput.localityGain`). Default 0 (off).
   */
  localityGain?: number;
  /**
   * Factor the scene's coordinates are multiplied by before the network sees them, so small objects span
   * more voxels: a positive number, or `'auto'` (per scene: scenes with fewer than 20,000 occupied voxels at
   * `backbone.gridSize` are scaled up towards that many, by at most 4; larger scenes are left as they are). Default 1.
   */
  inputScale?: number | 'auto';
  /** Superpoint post-processing (click constraints and pooling); both on when absent. */
  superpoints?: SuperpointSettings;
  /** Calibration of the class probabilities; absent: temperature 1 (the softmax of the logits as they are). */
  calibration?: ClassCalibration;
  /**
   * Decoder stages whose class logits (Eq. 6, one head per stage over the same prototypes) are averaged into the
   * shown class, counted from the last: 1 shows the last stage's alone, the decoder's stage count all of them. The
   * calibration applies to the average. An integer from 1 to `decoder.stageCount`; default 1. Masks are unaffected.
   */
  classStageCount?: number;
  /**
   * Online click adaptation (`adaptClickProbabilities`): each object with two or more clicks gets a linear
   * correction of its mask logits over the superpoints' finest features, fitted to the superpoints its clicks
   * and the other labels' clicks fall in. Needs superpoint pooling. Absent: off.
   */
  clickAdaptation?: ClickAdaptationSettings;
  /**
   * Reach of an object's later clicks (decoders with the geodesic prior only): the prior reads the k-th click of an
   * object (k ≥ 2, in click order) with its geodesic distances divided by factor^(k−1), at most as far from 1 as
   * `limit`: a factor above 1 lets a correction click grow the mask farther, below 1 keeps it closer. First clicks, background clicks and click
   * locality at grouping keep the plain distances. Absent: off (every click as the model was trained).
   */
  correctionReach?: CorrectionReachSettings;
  /**
   * Reach of a click by its class (decoders with the geodesic prior and without its learned reach only): the last
   * decoder stage's geodesic prior b − g·d of a click whose shown class probabilities put mass p on `classes`
   * falls by m·g per metre instead, m = 1 − (1 − factor)·p (`structuralReachSlopes`), so a click the class head
   * calls a wall or a floor reaches farther along its surface. Background clicks, the earlier stages and click
   * locality at grouping are unchanged. Absent: off.
   */
  structuralReach?: StructuralReachSettings;
  /**
   * Test-time rotations (`applyRotationEnsemble`): the backbone runs on the scene turned about the vertical axis
   * by 0°, 360°/n, … and each voxel's features are averaged over the n copies. 1, 2 or 4; n backbone passes per
   * scene (the first click costs about n times the backbone's share), click updates unchanged. Default 1 (off).
   */
  testTimeRotations?: number;
  /**
   * Training-data provenance: the scenes the weights were trained on, over the whole fine-tuning lineage
   * (`TrainingProvenance`). Absent: unknown (files written before it was recorded). Not used for inference.
   */
  provenance?: TrainingProvenance;
}

/** Settings of `SegmenterConfig.correctionReach` (see `correctionReachDivisors`). */
export interface CorrectionReachSettings {
  /** Divisor of an object's second click's geodesic distances, multiplied again at each later click: a finite number > 0. */
  factor: number;
  /** Divisor farthest from 1 (the largest for a factor ≥ 1, the smallest below), a finite number > 0. Default: `factor` (every later click the same). */
  limit?: number;
}

/** Settings of `SegmenterConfig.structuralReach` (see `structuralReachSlopes`). */
export interface StructuralReachSettings {
  /** Multiplier of the last stage's geodesic gain for a click certainly of `classes`: a finite number ≥ 0 (< 1 reaches farther). */
  factor: number;
  /** Class names (of the model's `classNames`) that count as structural. Default: wall, floor, ceiling. */
  classes?: string[];
}

/** Settings of the online click adaptation. */
export interface ClickAdaptationSettings {
  /** L2 penalty λ of the fit against the mean cross-entropy of the clicked superpoints; a finite number > 0 (larger: smaller corrections). */
  regularization: number;
}

/**
 * Calibration of the class head: class probabilities are softmax(classLogits / temperature + classBias)
 * (`calibrateClassLogits`), with the temperature fitted on selection scenes (`pointclick-train calibrate`) so a
 * shown confidence of 70 % is right about 70 % of the time. The temperature changes confidences, never the
 * order of the classes; the bias (post-hoc logit adjustment, Menon et al. 2021) may reorder them.
 */
export interface ClassCalibration {
  /** Divides the class logits before the softmax; a finite number > 0 (> 1 softens over-confident classes). */
  temperature: number;
  /**
   * Added to the scaled logits, one finite number per class name (logits, mean 0): −τ·ln p_c for the training
   * class prior p_c, so classes the training set over-represents lose the head start they learned. Absent: none.
   */
  classBias?: number[];
}

/**
 * How the segmenter uses superpoints, the scene's geometric over-segmentation (`computeSuperpoints` of
 * `@pointclick/sampling`, or one the dataset ships, e.g. ScanNet's `segs.json`). Superpoints are computed once
 * per scene in `Segmenter.setScene`; click updates stay decoder-only.
 */
export interface SuperpointSettings {
  /**
   * Click constraints: every point of a click's own superpoint takes the click's label (its object, or none
   * for a background click) whatever the model says; where clicks of different labels share a superpoint,
   * each of its points takes the nearest of them. Default true.
   */
  clickConstraints?: boolean;
  /**
   * Superpoint pooling: each click's mask logits are averaged over the points of every superpoint before
   * grouping, so a superpoint gets one label. Default true.
   */
  pooling?: boolean;
  /**
   * Weight w ∈ [0, 1] of each voxel's own mask logit beside its superpoint's mean when pooling: every point takes
   * w·(its voxel's logit) + (1 − w)·(its superpoint's mean logit). 0 (the default) is plain pooling, one label per
   * superpoint; above 0, a boundary the network draws confidently through a superpoint survives pooling while
   * weak disagreement inside one is still smoothed over (a superpoint that straddles two objects caps the IoU
   * plain pooling can reach). Ignored when pooling is off; cannot be combined with `clickAdaptation`.
   */
  voxelLogitWeight?: number;
  /**
   * Clicks a label (an object, or the background) needs before `voxelLogitWeight` applies to its clicks' masks;
   * below, they are pooled plainly. An integer ≥ 1. Default 1 (from the first click).
   */
  voxelLogitClicks?: number;
  /**
   * Strength β (logits, ≥ 0) of the mean-field smoothing of each click's pooled mask over the superpoint contact
   * graph (`smoothSuperpointProbabilities`): an unsure superpoint follows its touching superpoints that look like it
   * in the finest backbone features; one whose pooled logit exceeds β in size never changes side. 0 or absent:
   * off. Needs plain pooling (`voxelLogitWeight` 0).
   */
  smoothing?: number;
  /** Felzenszwalb–Huttenlocher scale of `computeSuperpoints` (larger: larger superpoints). Default: sampling's. */
  scale?: number;
  /** Smallest superpoint, in points, of `computeSuperpoints`. Default: sampling's. */
  minimumSize?: number;
}

/**
 * The first of `voxelLogitWeight` (a number in [0, 1]), `voxelLogitClicks` (an integer ≥ 1) and `smoothing` (a
 * finite number ≥ 0) that is given and out of range, with what was expected, or the combination of smoothing with
 * a voxel logit weight; undefined when all are absent or valid. Shared by the checkpoint reader and the
 * `Segmenter` constructor's options, which word their errors each their own way.
 */
export function findSuperpointSettingProblem(settings: { voxelLogitWeight?: unknown; voxelLogitClicks?: unknown; smoothing?: unknown }): { field: 'voxelLogitWeight' | 'voxelLogitClicks' | 'smoothing'; value: unknown; expected: string } | undefined {
  const { voxelLogitWeight: weight, voxelLogitClicks: clicks, smoothing } = settings;
  if (weight !== undefined && !(typeof weight === 'number' && weight >= 0 && weight <= 1)) return { field: 'voxelLogitWeight', value: weight, expected: 'a number in [0, 1]' };
  if (clicks !== undefined && !(Number.isInteger(clicks) && (clicks as number) >= 1)) return { field: 'voxelLogitClicks', value: clicks, expected: 'an integer ≥ 1 (clicks)' };
  if (smoothing !== undefined && !(typeof smoothing === 'number' && smoothing >= 0 && Number.isFinite(smoothing))) return { field: 'smoothing', value: smoothing, expected: 'a finite number ≥ 0 (logits)' };
  if (typeof smoothing === 'number' && smoothing > 0 && typeof weight === 'number' && weight > 0) {
    return { field: 'smoothing', value: smoothing, expected: '0 or absent when voxelLogitWeight is above 0 (smoothing works on one probability per superpoint)' };
  }
  return undefined;
}

/**
 * The surface graph over the finest backbone voxels on which the segmenter measures the geodesic distances
 * of the decoder's click prior (`SurfaceGraph` of `@pointclick/sampling`). The decoder only takes the
 * distances, capped at its `geodesicPriorLimit`; how the graph is built is the segmenter's setting.
 */
export interface GeodesicGraphSettings {
  /** Neighbours per voxel of the graph, a positive integer. Default 12. */
  neighborCount?: number;
  /** Colour penalty of the graph's edges, ≥ 0 (see `SurfaceGraphOptions.colorWeight`). Default 4. */
  colorWeight?: number;
  /**
   * Cost factor of graph edges along flat surfaces, in (0, 1] (see `SurfaceGraphOptions.flatEdgeFactor`; voxel
   * normals by PCA of their graph neighbours): below 1, distances along a wall, floor or table top shrink by up
   * to this factor while creases keep their cost, so the click prior reaches farther over one surface than
   * across an edge. Default 1 (plain colour-penalised lengths, as every model before session 15 was trained).
   */
  flatEdgeFactor?: number;
  /**
   * Cap of the click distances, in network metres (after the input scale), on scenes the input scale enlarges
   * (`inputScale: 'auto'` enlarges tabletop-sized scans by 4), used in place of the decoder's
   * `geodesicPriorLimit` when smaller: there an object spans a fraction of a metre of the scan, and the prior's
   * penalty far from a click is floored sooner. It applies whole from scale {@link AUTO_INPUT_SCALE_LIMIT} up and
   * geometrically in between (see `geodesicLimitAtScale`), so a small room scaled by 1.25 keeps most of the
   * room cap. A number > 0; absent: the decoder's limit on every scene. An inference setting: training measures
   * distances with the decoder's limit.
   */
  scaledSceneLimit?: number;
}

/** {@link GeodesicGraphSettings} with the defaults filled in (`scaledSceneLimit` stays absent when unset). */
export type ResolvedGeodesicGraph = Required<Omit<GeodesicGraphSettings, 'scaledSceneLimit'>> & Pick<GeodesicGraphSettings, 'scaledSceneLimit'>;
