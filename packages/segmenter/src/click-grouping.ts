import type { Click } from './click.js';

/** One segmented object of a segmentation result. */
export interface SegmentedObject {
  /** The `objectId` of the clicks that made it. */
  objectId: number;
  /** Index of the predicted class in the checkpoint's class names. */
  classIndex: number;
  /** Name of the predicted class. */
  className: string;
  /** Softmax probability of the predicted class, averaged over the object's clicks (0…1). */
  classProbability: number;
  /**
   * Every class's softmax probability averaged over the object's clicks, by class index (0…1, summing to 1):
   * the order in which to offer the classes. `classIndex` is its largest entry.
   */
  classProbabilities: Float32Array;
  /** Mean mask probability (0…1) over the input points the object claims; 0 when it claims none. */
  score: number;
  /** Input points labelled with this object. */
  pointCount: number;
}

/** Input of {@link assignClickGroups}. */
export interface ClickGroupingInput {
  /** The clicks, in the column order of `maskProbabilities` and the row order of `classProbabilities`. */
  clicks: readonly Pick<Click, 'objectId' | 'kind'>[];
  /** `[voxelCount, clickCount]` row-major sigmoid mask probabilities (0…1) of every click. */
  maskProbabilities: Float32Array;
  /** `[clickCount, classCount]` row-major softmax class probabilities of every click. */
  classProbabilities: Float32Array;
  /** For every input point, its row of `maskProbabilities` (its voxel, or its superpoint when pooled). */
  pointToVoxel: Int32Array;
  /** Mask probability (0…1) an object's group needs, at least, to claim a voxel. */
  objectThreshold: number;
  /** Class names by class index; a missing name reads `class <index>`. */
  classNames: readonly string[];
  /**
   * `[voxelCount, clickCount]` row-major geodesic distances in metres from every click to every voxel, as
   * the decoder's geodesic prior receives them; needed only with a positive `localityGain`.
   */
  clickDistances?: Float32Array;
  /**
   * Click locality, in logits per metre (≥ 0; 0 or absent: off). Before grouping, every click's mask logit at
   * a voxel falls by `localityGain · (d − dNearest)`, where d is the click's geodesic distance to the voxel
   * and dNearest that of the voxel's nearest click: the nearest click keeps its probability, farther clicks
   * must be that much more confident to take the voxel from it.
   */
  localityGain?: number;
  /**
   * Per input point: a label the point must take whatever the scores say (an objectId of the object clicks,
   * or 0 for none), or −1 for none forced — the click constraints of `clickConstraintLabels`.
   */
  forcedLabels?: Int32Array;
  /**
   * Per objectId: a flag per input point, 1 where the object may not claim the point (points erased from it by
   * hand). A point its voxel would give to such an object goes to none instead. Forced labels are not checked:
   * the caller frees a forced label that an exclusion contradicts.
   */
  excludedPoints?: ReadonlyMap<number, Uint8Array>;
}

/** Output of {@link assignClickGroups}. */
export interface ClickGroupingResult {
  /** Per input point: the objectId that claims it, 0 for none. */
  instance: Int32Array;
  /** Per voxel: the objectId that claims it, 0 for none. */
  voxelInstance: Int32Array;
  /** One entry per distinct objectId of the object clicks, in increasing objectId order. */
  objects: SegmentedObject[];
}

/**
 * Paper §3.1 post-processing. Clicks of one `objectId` (kind `'object'`) form a group whose score per
 * voxel is the maximum of its clicks' mask probabilities; all background clicks form one more group.
 * Each voxel goes to the group with the highest score (the ArgMax that makes masks mutually exclusive),
 * and an object keeps it only when that score is at least `objectThreshold`; otherwise it stays 0.
 *
 * Ties: between objects the smaller objectId wins; between an object and the background the background
 * wins (a voxel is labelled only when an object is strictly more likely than every background click).
 * Voxel labels are then copied to every input point through `pointToVoxel`.
 *
 * @throws RangeError when the array lengths disagree with the click count.
 */
export function assignClickGroups(input: ClickGroupingInput): ClickGroupingResult {
  const { clicks, maskProbabilities, classProbabilities, pointToVoxel, objectThreshold, classNames } = input;
  const clickCount = clicks.length;
  if (clickCount === 0) {
    return { instance: new Int32Array(pointToVoxel.length), voxelInstance: new Int32Array(0), objects: [] };
  }
  if (maskProbabilities.length % clickCount !== 0 || classProbabilities.length % clickCount !== 0) {
    throw new RangeError(
      `assignClickGroups: ${clickCount} clicks need maskProbabilities and classProbabilities with a multiple of ${clickCount} values, got ${maskProbabilities.length} and ${classProbabilities.length}`,
    );
  }
  const voxelCount = maskProbabilities.length / clickCount;
  const localityGain = input.localityGain ?? 0;
  if (!(localityGain >= 0) || !Number.isFinite(localityGain)) throw new RangeError(`assignClickGroups: localityGain must be a finite number ≥ 0, got ${localityGain}`);
  if (localityGain > 0 && input.clickDistances?.length !== maskProbabilities.length) {
    throw new RangeError(
      `assignClickGroups: localityGain ${localityGain} needs clickDistances with ${maskProbabilities.length} values (voxelCount·clickCount), got ${input.clickDistances?.length ?? 'none'}`,
    );
  }
  const penalties = localityGain > 0 ? clickLocalityPenalties(input.clickDistances!, clickCount, localityGain) : undefined;
  const classCount = classProbabilities.length / clickCount;
  const objectIds = [...new Set(clicks.filter((click) => click.kind === 'object').map((click) => click.objectId))].sort((a, b) => a - b);
  const groupCount = objectIds.length;
  const backgroundGroup = groupCount; // the last slot of groupScores
  const groupOfClick = Int32Array.from(clicks, (click) => (click.kind === 'background' ? backgroundGroup : objectIds.indexOf(click.objectId)));

  /** A click's score at an entry (row · clickCount + click): its probability, lowered by click locality. */
  const clickScore = (entry: number): number => (penalties ? lowerClickProbability(maskProbabilities[entry], penalties[entry]) : maskProbabilities[entry]);
  /** A group's score at a row: the maximum of its clicks' scores. */
  const groupScoreAt = (voxel: number, group: number): number => {
    let score = 0;
    for (let click = 0, row = voxel * clickCount; click < clickCount; click++) {
      if (groupOfClick[click] === group) score = Math.max(score, clickScore(row + click));
    }
    return score;
  };

  const voxelInstance = new Int32Array(voxelCount);
  const voxelScore = new Float32Array(voxelCount);
  const voxelGroup = new Int32Array(voxelCount).fill(-1);
  const groupScores = new Float32Array(groupCount + 1);
  for (let voxel = 0; voxel < voxelCount; voxel++) {
    // -1 below any probability, so a group with no clicks (no background clicks) never wins.
    groupScores.fill(-1);
    const row = voxel * clickCount;
    for (let click = 0; click < clickCount; click++) {
      const group = groupOfClick[click];
      const probability = clickScore(row + click);
      if (probability > groupScores[group]) groupScores[group] = probability;
    }
    let best = 0;
    for (let group = 1; group < groupCount; group++) if (groupScores[group] > groupScores[best]) best = group;
    if (groupCount > 0 && groupScores[best] > groupScores[backgroundGroup] && groupScores[best] >= objectThreshold) {
      voxelInstance[voxel] = objectIds[best];
      voxelScore[voxel] = groupScores[best];
      voxelGroup[voxel] = best;
    }
  }

  const instance = new Int32Array(pointToVoxel.length);
  const pointCounts = new Float64Array(groupCount);
  const scoreSums = new Float64Array(groupCount);
  const { forcedLabels, excludedPoints } = input;
  if (forcedLabels && forcedLabels.length !== pointToVoxel.length) {
    throw new RangeError(`assignClickGroups: forcedLabels has ${forcedLabels.length} values, pointToVoxel ${pointToVoxel.length}`);
  }
  // Per group: its objectId's exclusion flags, if any.
  const excludedByGroup = objectIds.map((objectId) => excludedPoints?.get(objectId));
  for (const [objectId, flags] of excludedPoints ?? []) {
    if (flags.length !== pointToVoxel.length) {
      throw new RangeError(`assignClickGroups: excludedPoints of object ${objectId} has ${flags.length} flags, pointToVoxel ${pointToVoxel.length}`);
    }
  }
  for (let point = 0; point < instance.length; point++) {
    const voxel = pointToVoxel[point];
    const forced = forcedLabels ? forcedLabels[point] : -1;
    if (forced >= 0) {
      if (forced === 0) continue;
      const group = objectIds.indexOf(forced);
      if (group < 0) throw new RangeError(`assignClickGroups: forcedLabels[${point}] is ${forced}, which no object click has`);
      instance[point] = forced;
      pointCounts[group]++;
      scoreSums[group] += voxelGroup[voxel] === group ? voxelScore[voxel] : groupScoreAt(voxel, group);
      continue;
    }
    const group = voxelGroup[voxel];
    if (group >= 0 && excludedByGroup[group]?.[point] !== 1) {
      instance[point] = objectIds[group];
      pointCounts[group]++;
      scoreSums[group] += voxelScore[voxel];
    }
  }

  const objects = objectIds.map((objectId, group): SegmentedObject => {
    const meanClass = new Float64Array(classCount);
    let members = 0;
    for (let click = 0; click < clickCount; click++) {
      if (groupOfClick[click] !== group) continue;
      members++;
      for (let classIndex = 0; classIndex < classCount; classIndex++) meanClass[classIndex] += classProbabilities[click * classCount + classIndex];
    }
    let classIndex = 0;
    for (let candidate = 1; candidate < classCount; candidate++) if (meanClass[candidate] > meanClass[classIndex]) classIndex = candidate;
    const pointCount = pointCounts[group];
    return {
      objectId,
      classIndex,
      className: classNames[classIndex] ?? `class ${classIndex}`,
      classProbability: classCount > 0 ? meanClass[classIndex] / members : 0,
      classProbabilities: Float32Array.from(meanClass, (sum) => sum / members),
      score: pointCount > 0 ? scoreSums[group] / pointCount : 0,
      pointCount,
    };
  });
  return { instance, voxelInstance, objects };
}

/**
 * Click locality (see `ClickGroupingInput.localityGain`): for every voxel and click, the amount in logits by
 * which the click's mask logit is lowered, `localityGain · (d − dNearest)`, d being the click's distance to
 * the voxel and dNearest that of the voxel's nearest click (0 for the nearest click itself).
 *
 * @param clickDistances `[voxelCount, clickCount]` row-major geodesic distances in metres.
 * @param clickCount Clicks per row.
 * @param localityGain Logits per metre.
 * @returns `[voxelCount, clickCount]` row-major amounts in logits, all ≥ 0 (float64).
 */
export function clickLocalityPenalties(clickDistances: Float32Array, clickCount: number, localityGain: number): Float64Array {
  // Float64: the amounts are the exact products the grouping compares, not float32 roundings of them.
  const penalties = new Float64Array(clickDistances.length);
  for (let row = 0; row < clickDistances.length; row += clickCount) {
    let nearest = Infinity;
    for (let click = 0; click < clickCount; click++) nearest = Math.min(nearest, clickDistances[row + click]);
    for (let click = 0; click < clickCount; click++) penalties[row + click] = localityGain * (clickDistances[row + click] - nearest);
  }
  return penalties;
}

/**
 * Probabilities are clamped to [PROBABILITY_LIMIT, 1 − PROBABILITY_LIMIT] before click locality lowers them:
 * a float32 sigmoid reads exactly 1 from logits of about 17 up, and such a click must still lose a voxel to a
 * nearer one once its penalty passes that logit.
 */
const PROBABILITY_LIMIT = 1e-7;

/**
 * The same clamp in logits: ±log((1 − 1e-7) / 1e-7) ≈ ±16.12. Code that lowers logits rather than
 * probabilities (the trainer's object-mask loss) clamps them to this before subtracting the penalty, so both
 * apply one rule: `sigmoid(clamp(logit) − amount)` where amount > 0, the logit unchanged elsewhere.
 */
export const CLICK_LOCALITY_LOGIT_LIMIT = Math.log((1 - PROBABILITY_LIMIT) / PROBABILITY_LIMIT);

/**
 * Click locality on one entry: sigmoid(logit(p) − amount) of the clamped probability p, computed as
 * p / (p + (1 − p)·e^amount): one exponential and no logarithm per entry. The probability itself when amount
 * is 0 (or less).
 *
 * @param probability Mask probability, 0…1.
 * @param amount Logits to subtract (`clickLocalityPenalties`).
 */
export function lowerClickProbability(probability: number, amount: number): number {
  if (amount <= 0) return probability;
  const clamped = Math.min(Math.max(probability, PROBABILITY_LIMIT), 1 - PROBABILITY_LIMIT);
  return clamped / (clamped + (1 - clamped) * Math.exp(amount));
}
