import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropyWithLogits, diceLoss, totalLoss } from '@pointclick/losses';
import type { AugmentedScene, TrainingStep, TrainingStepClick } from '@pointclick/datasets';
import { RegionDistanceIndex, simulateClicks, type RegionCache } from '@pointclick/metrics';
import {
  CLICK_LOCALITY_LOGIT_LIMIT,
  ClickGeodesicDistances,
  assignClickGroups,
  clickLocalityPenalties,
  type InteractiveSegmentationModel,
} from '@pointclick/segmenter';
import { computeSuperpoints } from '@pointclick/sampling';
import type { BackboneOutput } from '@pointclick/ptv3';

/** Object threshold the correction rounds label voxels with when the model's config names none (the segmenter's). */
const DEFAULT_OBJECT_THRESHOLD = 0.5;

/** Loss figures of one step (each summed over decoder stages). */
export interface StepLosses {
  loss: number;
  bce: number;
  dice: number;
  ce: number;
  /** Object-mask term before its own weight: Σ over stages of λ_BCE·BCE + λ_Dice·Dice of the grouped masks; 0 when off. */
  objectMask: number;
  /** Clicks the loss was computed with: the drawn ones plus any correction clicks. */
  clickCount: number;
}

/** Labels of the finest voxels, each taken from the first input point in the voxel. */
interface VoxelLabels {
  /** Instance id per voxel. */
  instance: Int32Array;
  /** Class index per voxel. */
  semantic: Int32Array;
  /** Index of that first input point per voxel: where a click on the voxel lands. */
  firstPoint: Int32Array;
}

/** Per finest-level voxel, the first input point in it and that point's instance and class. */
function voxelLabels(scene: AugmentedScene, inputToFinest: Int32Array, voxelCount: number): VoxelLabels {
  const firstPoint = new Int32Array(voxelCount).fill(-1);
  const instance = new Int32Array(voxelCount);
  const semantic = new Int32Array(voxelCount);
  for (let point = 0; point < scene.pointCount; point++) {
    const voxel = inputToFinest[point];
    if (firstPoint[voxel] !== -1) continue;
    firstPoint[voxel] = point;
    instance[voxel] = scene.instance[point];
    semantic[voxel] = scene.semantic[point];
  }
  return { instance, semantic, firstPoint };
}

/** Most frequent class index among the points of each instance. */
function instanceClasses(scene: AugmentedScene): Map<number, number> {
  const counts = new Map<number, Map<number, number>>();
  for (let point = 0; point < scene.pointCount; point++) {
    const id = scene.instance[point];
    if (id === 0) continue;
    let perClass = counts.get(id);
    if (!perClass) counts.set(id, (perClass = new Map<number, number>()));
    perClass.set(scene.semantic[point], (perClass.get(scene.semantic[point]) ?? 0) + 1);
  }
  const result = new Map<number, number>();
  for (const [id, perClass] of counts) result.set(id, [...perClass].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0]);
  return result;
}

/** The decoder's click inputs: each click's finest voxel and its position (`clickCount*3` metres). */
function clickInputs(clicks: readonly TrainingStepClick[], scene: AugmentedScene, inputToFinest: Int32Array) {
  const clickVoxelIndices = Int32Array.from(clicks, (click) => inputToFinest[click.pointIndex]);
  const clickPositions = new Float32Array(clicks.length * 3);
  clicks.forEach((click, slot) => clickPositions.set(scene.positions.subarray(click.pointIndex * 3, click.pointIndex * 3 + 3), slot * 3));
  return { clickVoxelIndices, clickPositions };
}

/**
 * AGILE3D's iterative training (paper §3.4 simulates clicks; AGILE3D adds them where the model errs): runs
 * the backbone and the decoder on the clicks so far, labels every voxel as the segmenter would (group max,
 * argmax, object threshold), and adds one click in each of the deepest error regions, up to one per target,
 * with the true label there. Runs before the step's gradient pass, outside any gradient tape, and reads the
 * masks back asynchronously (`data()`), so it never blocks the backend's queue; the cost is one more
 * backbone forward on correction steps.
 *
 * @param rounds Correction rounds (each adds up to one click per target object); 0 returns the drawn clicks.
 * @param frozenBackbone The scene's backbone output when the backbone is frozen (left for the caller to dispose);
 *   otherwise the backbone runs here.
 * @returns The drawn clicks followed by the correction clicks of every round.
 */
export async function drawCorrectionClicks(
  model: InteractiveSegmentationModel,
  scene: AugmentedScene,
  step: TrainingStep,
  rounds: number,
  frozenBackbone?: BackboneOutput,
): Promise<TrainingStepClick[]> {
  const clicks = [...step.clicks];
  if (rounds <= 0) return clicks;
  const backbone = frozenBackbone ?? model.backbone.apply({ positions: scene.positions, colors: scene.colors });
  try {
    const { levels, inputToFinest } = backbone;
    const finest = levels[levels.length - 1];
    const labels = voxelLabels(scene, inputToFinest, finest.features.shape[0]);
    const geodesic = ClickGeodesicDistances.forModel(model, finest.coordinates, scene.colors, inputToFinest);
    const targetSet = new Set(step.targetInstanceIds);
    const truth = Int32Array.from(labels.instance, (id) => (targetSet.has(id) ? id : 0));
    const index = new RegionDistanceIndex(finest.coordinates);
    const cache: RegionCache = new Map();
    const objectThreshold = model.config.objectThreshold ?? DEFAULT_OBJECT_THRESHOLD;
    for (let round = 0; round < rounds; round++) {
      const { clickVoxelIndices, clickPositions } = clickInputs(clicks, scene, inputToFinest);
      const clickGeodesicDistances = geodesic?.distances(clickVoxelIndices);
      const probabilities = tf.tidy(() => {
        const output = model.decoder.apply({ levels, clickVoxelIndices, clickPositions, clickGeodesicDistances });
        return tf.sigmoid(output.stages[output.stages.length - 1].maskLogits); // [voxelCount, clickCount]
      });
      const maskProbabilities = (await probabilities.data()) as Float32Array;
      probabilities.dispose();
      const predicted = assignClickGroups({
        clicks: clicks.map((click) => ({ objectId: click.instanceId, kind: click.instanceId === 0 ? 'background' : 'object' })),
        maskProbabilities,
        classProbabilities: new Float32Array(clicks.length),
        pointToVoxel: new Int32Array(0),
        objectThreshold,
        classNames: [],
        clickDistances: clickGeodesicDistances,
        localityGain: clickGeodesicDistances ? model.config.localityGain : undefined,
      }).voxelInstance;
      const added = simulateClicks(index, truth, predicted, { regionLimit: step.targetInstanceIds.length, tieBreak: 'positive', cache });
      if (added.length === 0) break;
      for (const click of added) clicks.push({ instanceId: click.trueLabel, pointIndex: labels.firstPoint[click.pointIndex] });
    }
  } finally {
    if (!frozenBackbone) backbone.dispose();
  }
  return clicks;
}

/**
 * Superpoint pooling of the mask logits for the loss (`loss.superpointPooling`), as the segmenter pools them
 * at inference: the crop's superpoints (`computeSuperpoints` over its points and colours, with the model's
 * superpoint `scale` and `minimumSize` when its config sets them), each voxel taking
 * the superpoint of its first point, and every voxel's logits replaced by the mean over its superpoint's
 * voxels. Differentiable (segment sum and gather); class logits are left as they are.
 */
function poolStagesBySuperpoint<Stage extends { maskLogits: tf.Tensor2D }>(
  stages: readonly Stage[],
  scene: AugmentedScene,
  firstPoint: Int32Array,
  settings: { scale?: number; minimumSize?: number },
): Stage[] {
  const superpoints = computeSuperpoints(scene.positions, { colors: scene.colors, scale: settings.scale, minimumSize: settings.minimumSize });
  const voxelSuperpoint = Int32Array.from(firstPoint, (point) => superpoints.labels[point]);
  const sizes = new Float32Array(superpoints.count);
  for (const superpoint of voxelSuperpoint) sizes[superpoint]++;
  const inverseSizes = Float32Array.from(sizes, (size) => (size > 0 ? 1 / size : 0));
  return stages.map((stage) => {
    const pooled = tf.tidy(() => {
      const segments = tf.tensor1d(voxelSuperpoint, 'int32');
      const means = tf.mul(tf.unsortedSegmentSum(stage.maskLogits, segments, superpoints.count), tf.tensor2d(inverseSizes, [superpoints.count, 1]));
      return tf.gather(means, segments) as tf.Tensor2D; // [voxelCount, clickCount]
    });
    return { ...stage, maskLogits: pooled };
  });
}

/**
 * Click locality on logits, by the segmenter's rule (`lowerClickProbability`): where the penalty is positive
 * the logit is clamped to ±`CLICK_LOCALITY_LOGIT_LIMIT` and lowered by it; elsewhere it is left as it is.
 *
 * @param logits `[voxelCount, clickCount]` mask logits.
 * @param penalties `[voxelCount, clickCount]` amounts in logits, ≥ 0 (`clickLocalityPenalties`).
 */
export function lowerClickLogits(logits: tf.Tensor2D, penalties: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const lowered = tf.sub(tf.clipByValue(logits, -CLICK_LOCALITY_LOGIT_LIMIT, CLICK_LOCALITY_LOGIT_LIMIT), penalties);
    return tf.where(tf.greater(penalties, 0), lowered, logits) as tf.Tensor2D;
  });
}

/** Added to the logits of a group's non-member clicks before the group maximum: never the maximum. */
const NOT_IN_GROUP = -1e4;

/**
 * The object-mask term: each object's clicks (and all background clicks, as one more group) are grouped as
 * the segmenter groups them — every click's logit lowered by its click locality (`clickLocalityPenalties`),
 * then the maximum over the group — and the grouped masks are scored with BCE and Dice against the objects'
 * masks, which are the per-click targets of any of the group's clicks. Weighted by `weights.bce` and
 * `weights.dice`, summed over stages.
 *
 * @param clickTargets `[voxelCount, clickCount]` row-major per-click targets of the loss (0 or 1).
 */
function objectMaskLoss(
  stages: readonly { maskLogits: tf.Tensor2D }[],
  clicks: readonly TrainingStepClick[],
  clickTargets: Float32Array,
  ignore: Float32Array,
  clickDistances: Float32Array | undefined,
  localityGain: number,
  weights: { bce: number; dice: number },
): tf.Scalar {
  const clickCount = clicks.length;
  const voxelCount = clickTargets.length / clickCount;
  const groupIds = [...new Set(clicks.map((click) => click.instanceId))];
  const groupCount = groupIds.length;
  const membership = new Float32Array(clickCount * groupCount).fill(NOT_IN_GROUP); // [clickCount, groupCount]
  clicks.forEach((click, column) => (membership[column * groupCount + groupIds.indexOf(click.instanceId)] = 0));
  // Every click of a group has its group's mask as target: take the column of the group's first click.
  const firstColumns = groupIds.map((groupId) => clicks.findIndex((click) => click.instanceId === groupId));
  const targets = new Float32Array(voxelCount * groupCount); // [voxelCount, groupCount]
  for (let voxel = 0; voxel < voxelCount; voxel++) {
    firstColumns.forEach((column, group) => (targets[voxel * groupCount + group] = clickTargets[voxel * clickCount + column]));
  }
  const penalty = clickDistances && localityGain > 0 ? clickLocalityPenalties(clickDistances, clickCount, localityGain) : undefined;
  return tf.tidy(() => {
    const memberTensor = tf.tensor3d(membership, [1, clickCount, groupCount]);
    const targetTensor = tf.tensor2d(targets, [voxelCount, groupCount]);
    const penaltyTensor = penalty ? tf.tensor2d(Float32Array.from(penalty), [voxelCount, clickCount]) : undefined;
    const ignoreTensor = tf.tensor1d(ignore);
    let sum: tf.Tensor = tf.scalar(0);
    for (const stage of stages) {
      const local = penaltyTensor ? lowerClickLogits(stage.maskLogits, penaltyTensor) : stage.maskLogits;
      const grouped = tf.max(tf.add(tf.expandDims(local, 2), memberTensor), 1) as tf.Tensor2D; // [voxelCount, groupCount]
      sum = tf.add(sum, tf.mul(binaryCrossEntropyWithLogits(grouped, targetTensor, { ignoreMask: ignoreTensor }), weights.bce));
      sum = tf.add(sum, tf.mul(diceLoss(grouped, targetTensor, { ignoreMask: ignoreTensor }), weights.dice));
    }
    return sum as tf.Scalar;
  });
}

/** What {@link computeStepLoss} returns. */
export interface StepLossResult {
  /** The weighted loss, a scalar on the gradient tape. */
  total: tf.Scalar;
  /**
   * `[loss, bce, dice, ce, objectMask]`, kept out of any enclosing `tf.tidy` / `tf.variableGrads` (the caller
   * disposes it, usually through {@link readStepLosses}), so the figures are read back after the step without blocking it.
   */
  terms: tf.Tensor1D;
  /** Clicks the loss was computed with. */
  clicks: readonly TrainingStepClick[];
  /** Voxels of the backbone's finest level (the network's input resolution). */
  voxelCount: number;
}

/**
 * Runs the model on one sample and returns the weighted loss of Eq. 8 summed over decoder stages, as a
 * scalar tensor on the gradient tape, plus its terms as a kept tensor (read them with {@link readStepLosses}).
 * Object clicks are supervised with their instance's mask; background clicks with everything that is not a
 * target; unlabeled voxels are ignored. Nothing is read back from the backend here, so a WebGPU step is never
 * blocked; error-driven correction clicks are drawn before, by {@link drawCorrectionClicks}, and passed as `step.clicks`.
 * With `frozenBackbone` (the scene's backbone output, computed outside the gradient tape) only the decoder is on the tape.
 */
export function computeStepLoss(
  model: InteractiveSegmentationModel,
  scene: AugmentedScene,
  step: TrainingStep,
  weights: { bce: number; dice: number; ce: number; objectMask?: number; superpointPooling?: boolean },
  frozenBackbone?: BackboneOutput,
): StepLossResult {
  const backbone = frozenBackbone ?? model.backbone.apply({ positions: scene.positions, colors: scene.colors });
  const finest = backbone.levels[backbone.levels.length - 1];
  const voxelCount = finest.features.shape[0];
  const labels = voxelLabels(scene, backbone.inputToFinest, voxelCount);
  const classes = instanceClasses(scene);
  const geodesic = ClickGeodesicDistances.forModel(model, finest.coordinates, scene.colors, backbone.inputToFinest);
  const clicks = step.clicks;
  const clickCount = clicks.length;
  const targets = new Float32Array(voxelCount * clickCount); // [voxelCount, clickCount]
  const targetSet = new Set(step.targetInstanceIds);
  const ignore = new Float32Array(voxelCount);
  for (let voxel = 0; voxel < voxelCount; voxel++) {
    const id = labels.instance[voxel];
    if (id <= 0) ignore[voxel] = 1;
    clicks.forEach((click, column) => {
      const positive = click.instanceId === 0 ? !targetSet.has(id) : id === click.instanceId;
      if (positive) targets[voxel * clickCount + column] = 1;
    });
  }
  const classLabels = Int32Array.from(clicks, (click) => (click.instanceId === 0 ? -1 : (classes.get(click.instanceId) ?? -1)));
  const { clickVoxelIndices, clickPositions } = clickInputs(clicks, scene, backbone.inputToFinest);

  const clickGeodesicDistances = geodesic?.distances(clickVoxelIndices);
  const output = model.decoder.apply({ levels: backbone.levels, clickVoxelIndices, clickPositions, clickGeodesicDistances });
  const superpointSettings = model.config.superpoints;
  const stages = weights.superpointPooling
    ? poolStagesBySuperpoint(output.stages, scene, labels.firstPoint, { scale: superpointSettings?.scale, minimumSize: superpointSettings?.minimumSize })
    : output.stages;
  const loss = totalLoss(
    {
      stages,
      targets: tf.tensor2d(targets, [voxelCount, clickCount]),
      classLabels,
      ignoreMask: ignore,
    },
    weights,
  );
  let total = loss.total;
  let objectMask: tf.Scalar = tf.scalar(0);
  if ((weights.objectMask ?? 0) > 0) {
    objectMask = objectMaskLoss(stages, clicks, targets, ignore, clickGeodesicDistances, model.config.localityGain ?? 0, weights);
    total = tf.add(total, tf.mul(objectMask, weights.objectMask ?? 0));
  }
  const terms = tf.keep(tf.stack([total, loss.bce, loss.dice, loss.ce, objectMask]) as tf.Tensor1D); // [5]
  return { total, terms, clicks, voxelCount };
}

/**
 * Reads the terms of {@link computeStepLoss} back asynchronously (`data()`, never `dataSync()`) and disposes them.
 * @param clickCount Clicks of the step, copied into the figures.
 */
export async function readStepLosses(terms: tf.Tensor1D, clickCount: number): Promise<StepLosses> {
  const [loss, bce, dice, ce, objectMask] = await terms.data();
  terms.dispose();
  return { loss, bce, dice, ce, objectMask, clickCount };
}
