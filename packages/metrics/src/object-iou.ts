import { assertSameLength } from './metrics-error.js';

/**
 * Intersection over union of one object: points labelled `objectId` in `predicted` against points
 * labelled `objectId` in `truth`.
 *
 * @param predicted - Predicted label per point.
 * @param truth - True label per point, same length.
 * @param objectId - Label of the object.
 * @returns IoU as a fraction in 0..1; 0 when the object is absent from both (empty union).
 */
export function computeObjectIou(predicted: ArrayLike<number>, truth: ArrayLike<number>, objectId: number): number {
  assertSameLength(predicted, truth);
  let intersection = 0;
  let union = 0;
  for (let point = 0; point < truth.length; point++) {
    const inPredicted = predicted[point] === objectId;
    const inTruth = truth[point] === objectId;
    if (inPredicted && inTruth) intersection++;
    if (inPredicted || inTruth) union++;
  }
  return union === 0 ? 0 : intersection / union;
}

/** Per-object and mean IoU of a scene, from {@link computeSceneIou}. */
export interface SceneIou {
  /** Mean of `objectIous` as a fraction in 0..1 (0 when there are no objects). */
  meanIou: number;
  /** IoU per target object id, fractions in 0..1. */
  objectIous: Map<number, number>;
}

/**
 * IoU of every target object of a scene and their mean, as AGILE3D's `mean_iou_scene` computes it: each
 * target is scored by IoU of `predicted == id` against `truth == id`; the scene score is the plain mean.
 * Computed in one pass over the points.
 *
 * @param predicted - Predicted label per point (an object id, or 0 for background).
 * @param truth - True label per point, same length.
 * @param objectIds - Target object ids; defaults to every non-zero label in `truth`, ascending.
 */
export function computeSceneIou(predicted: ArrayLike<number>, truth: ArrayLike<number>, objectIds?: readonly number[]): SceneIou {
  assertSameLength(predicted, truth);
  const targets = objectIds ?? [...new Set(Array.from(truth))].filter((label) => label !== 0).sort((a, b) => a - b);
  const slotOf = new Map<number, number>();
  targets.forEach((id, slot) => slotOf.set(id, slot));
  const intersections = new Float64Array(targets.length);
  const predictedCounts = new Float64Array(targets.length);
  const truthCounts = new Float64Array(targets.length);
  for (let point = 0; point < truth.length; point++) {
    const truthSlot = slotOf.get(truth[point]);
    const predictedSlot = slotOf.get(predicted[point]);
    if (truthSlot !== undefined) truthCounts[truthSlot]++;
    if (predictedSlot !== undefined) {
      predictedCounts[predictedSlot]++;
      if (predictedSlot === truthSlot) intersections[predictedSlot]++;
    }
  }
  const objectIous = new Map<number, number>();
  let sum = 0;
  targets.forEach((id, slot) => {
    const union = predictedCounts[slot] + truthCounts[slot] - intersections[slot];
    const iou = union === 0 ? 0 : intersections[slot] / union;
    objectIous.set(id, iou);
    sum += iou;
  });
  return { meanIou: targets.length === 0 ? 0 : sum / targets.length, objectIous };
}
