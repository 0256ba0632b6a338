import { clickLabel, type Click } from './click.js';

/** A scene's superpoints as point lists: the points of superpoint s are `members[offsets[s] … offsets[s + 1])`. */
export class SuperpointIndex {
  /** Superpoint of every point, 0..count−1. */
  readonly labels: Int32Array;
  /** Number of superpoints. */
  readonly count: number;
  /** `count + 1` starts into `members`. */
  readonly offsets: Int32Array;
  /** Point indices grouped by superpoint, increasing inside each. */
  readonly members: Int32Array;

  /**
   * @param labels Superpoint per point, each in 0..count−1.
   * @param count Number of superpoints.
   * @throws RangeError when a label is outside 0..count−1.
   */
  constructor(labels: Int32Array, count: number) {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`SuperpointIndex: count must be an integer ≥ 0, got ${count}`);
    const offsets = new Int32Array(count + 1);
    for (let point = 0; point < labels.length; point++) {
      const label = labels[point];
      if (!(label >= 0 && label < count)) {
        throw new RangeError(`SuperpointIndex: labels[${point}] is ${label}; superpoint labels must lie in 0..${count - 1}`);
      }
      offsets[label + 1]++;
    }
    for (let superpoint = 0; superpoint < count; superpoint++) offsets[superpoint + 1] += offsets[superpoint];
    const fill = offsets.slice(0, count);
    const members = new Int32Array(labels.length);
    for (let point = 0; point < labels.length; point++) members[fill[labels[point]]++] = point;
    this.labels = labels;
    this.count = count;
    this.offsets = offsets;
    this.members = members;
  }

  /** {@link memberVoxels} of the last map asked for. */
  private memberVoxelCache?: { pointToVoxel: Int32Array; voxels: Int32Array };

  /**
   * The voxel (row) of every point in `members` order under `pointToVoxel`, cached for the last map given: a
   * scene's point → voxel map stays the same array for all its click updates, so pooling reads one array per
   * point instead of two. The map must not be modified while it is in use.
   */
  memberVoxels(pointToVoxel: Int32Array): Int32Array {
    const cached = this.memberVoxelCache;
    if (cached && cached.pointToVoxel === pointToVoxel) return cached.voxels;
    const { members } = this;
    const voxels = new Int32Array(members.length);
    for (let slot = 0; slot < members.length; slot++) voxels[slot] = pointToVoxel[members[slot]];
    this.memberVoxelCache = { pointToVoxel, voxels };
    return voxels;
  }

  /** {@link voxelPieces} of the last map asked for. */
  private pieceCache?: { pointToVoxel: Int32Array; pieces: VoxelPieces };

  /**
   * The scene cut into pieces, each the points one superpoint shares with one voxel under `pointToVoxel`,
   * cached for the last map given (the same array for all of a scene's click updates; it must not be modified
   * while in use). Pieces are numbered superpoint by superpoint, in the order of each one's first member.
   */
  voxelPieces(pointToVoxel: Int32Array): VoxelPieces {
    const cached = this.pieceCache;
    if (cached && cached.pointToVoxel === pointToVoxel) return cached.pieces;
    const voxels = this.memberVoxels(pointToVoxel);
    const { members, offsets, count } = this;
    let voxelCount = 0;
    for (const voxel of voxels) if (voxel >= voxelCount) voxelCount = voxel + 1;
    // The piece of each voxel inside the superpoint being walked, valid where `stamp` holds that superpoint.
    const pieceOfVoxel = new Int32Array(voxelCount);
    const stamp = new Int32Array(voxelCount).fill(-1);
    const pointToPiece = new Int32Array(members.length);
    const pieceVoxels: number[] = [];
    const pieceSuperpoints: number[] = [];
    for (let superpoint = 0; superpoint < count; superpoint++) {
      for (let slot = offsets[superpoint]; slot < offsets[superpoint + 1]; slot++) {
        const voxel = voxels[slot];
        if (stamp[voxel] !== superpoint) {
          stamp[voxel] = superpoint;
          pieceOfVoxel[voxel] = pieceVoxels.length;
          pieceVoxels.push(voxel);
          pieceSuperpoints.push(superpoint);
        }
        pointToPiece[members[slot]] = pieceOfVoxel[voxel];
      }
    }
    const pieces = { pointToPiece, voxels: Int32Array.from(pieceVoxels), superpoints: Int32Array.from(pieceSuperpoints) };
    this.pieceCache = { pointToVoxel, pieces };
    return pieces;
  }

  /** Number of points of superpoint `superpoint`. */
  sizeOf(superpoint: number): number {
    return this.offsets[superpoint + 1] - this.offsets[superpoint];
  }
}

/** The points one superpoint shares with one voxel, from {@link SuperpointIndex.voxelPieces}. */
export interface VoxelPieces {
  /** Piece of every point. */
  pointToPiece: Int32Array;
  /** Voxel of every piece. */
  voxels: Int32Array;
  /** Superpoint of every piece. */
  superpoints: Int32Array;
}

/** No constraint on a point in the result of {@link clickConstraintLabels}. */
export const UNCONSTRAINED = -1;

/** Probabilities are kept inside [ε, 1 − ε] before their logit is taken, so a saturated 0 or 1 stays finite. */
const PROBABILITY_EPSILON = 1e-6;

/** The logit of a probability clamped to [ε, 1 − ε] (ε = 10⁻⁶), finite for 0 and 1. */
export function clampedLogit(probability: number): number {
  const clamped = Math.min(Math.max(probability, PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON);
  return Math.log(clamped / (1 - clamped));
}

/** Superpoint-pooled masks of a set of clicks, the input of the steps that refine them (adaptation, smoothing). */
export interface PooledClickMasks {
  /** The clicks, in the order of the probability columns. */
  clicks: readonly Pick<Click, 'objectId' | 'kind'>[];
  /** The superpoint of every click's point. */
  clickSuperpoints: Int32Array;
  /** Superpoint-pooled mask probabilities, `[superpointCount, clickCount]` row-major; not modified. */
  probabilities: Float32Array;
}

/**
 * Click constraints: the label every point of a clicked superpoint must take, whatever the model says —
 * the click's `objectId` for an object click, 0 for a background click. Where clicks with different labels
 * fall in one superpoint, each of its points takes the label of its nearest such click (Euclidean; ties go
 * to the earlier click), so every click keeps at least its own point.
 *
 * @param clicks The clicks, in order.
 * @param clickPointIndices The point each click resolved to.
 * @param superpoints The scene's superpoints.
 * @param positions `pointCount·3` coordinates in metres.
 * @returns Per point: the forced label (objectId, or 0 for background), or {@link UNCONSTRAINED}.
 */
export function clickConstraintLabels(
  clicks: readonly Pick<Click, 'objectId' | 'kind'>[],
  clickPointIndices: Int32Array,
  superpoints: SuperpointIndex,
  positions: Float32Array,
): Int32Array {
  const labels = new Int32Array(superpoints.labels.length).fill(UNCONSTRAINED);
  const clicksBySuperpoint = new Map<number, number[]>();
  clicks.forEach((_, click) => {
    const superpoint = superpoints.labels[clickPointIndices[click]];
    const list = clicksBySuperpoint.get(superpoint);
    if (list) list.push(click);
    else clicksBySuperpoint.set(superpoint, [click]);
  });
  const labelOf = (click: number) => clickLabel(clicks[click]);
  for (const [superpoint, members] of clicksBySuperpoint) {
    const start = superpoints.offsets[superpoint];
    const end = superpoints.offsets[superpoint + 1];
    const first = labelOf(members[0]);
    if (members.every((click) => labelOf(click) === first)) {
      for (let slot = start; slot < end; slot++) labels[superpoints.members[slot]] = first;
      continue;
    }
    for (let slot = start; slot < end; slot++) {
      const point = superpoints.members[slot];
      let nearest = -1;
      let nearestDistance = Infinity;
      for (const click of members) {
        const clicked = clickPointIndices[click] * 3;
        const dx = positions[point * 3] - positions[clicked];
        const dy = positions[point * 3 + 1] - positions[clicked + 1];
        const dz = positions[point * 3 + 2] - positions[clicked + 2];
        const distance = dx * dx + dy * dy + dz * dz;
        if (distance < nearestDistance) {
          nearestDistance = distance;
          nearest = click;
        }
      }
      labels[point] = labelOf(nearest);
    }
  }
  return labels;
}

/**
 * Superpoint pooling: the mean of each click's mask logits over the points of every superpoint, returned as
 * sigmoid probabilities `[superpointCount, clickCount]`; optionally the mean of a per-voxel value of the same
 * layout (the clicks' geodesic distances) over the same points.
 *
 * @param maskLogits `[voxelCount, clickCount]` row-major mask logits.
 * @param clickCount Clicks per row.
 * @param pointToVoxel Voxel (row) of every point.
 * @param superpoints The scene's superpoints over the same points.
 * @param voxelValues Optional `[voxelCount, clickCount]` values to average the same way.
 */
export function poolSuperpointLogits(
  maskLogits: Float32Array,
  clickCount: number,
  pointToVoxel: Int32Array,
  superpoints: SuperpointIndex,
  voxelValues?: Float32Array,
): { probabilities: Float32Array; values?: Float32Array } {
  if (pointToVoxel.length !== superpoints.labels.length) {
    throw new RangeError(`poolSuperpointLogits: ${pointToVoxel.length} points in pointToVoxel but ${superpoints.labels.length} superpoint labels`);
  }
  const meanLogits = superpointMeans(maskLogits, clickCount, pointToVoxel, superpoints);
  const probabilities = new Float32Array(meanLogits.length);
  for (let superpoint = 0; superpoint < superpoints.count; superpoint++) {
    if (superpoints.sizeOf(superpoint) === 0) continue; // an empty superpoint keeps probability 0
    for (let entry = superpoint * clickCount; entry < (superpoint + 1) * clickCount; entry++) probabilities[entry] = 1 / (1 + Math.exp(-meanLogits[entry]));
  }
  const values = voxelValues ? Float32Array.from(superpointMeans(voxelValues, clickCount, pointToVoxel, superpoints)) : undefined;
  return { probabilities, values };
}

/**
 * The mean of a per-voxel row over the points of every superpoint, `[superpointCount, width]` (float64; 0 for an
 * empty superpoint): each point contributes its voxel's row. The caller checks that `pointToVoxel` and the
 * superpoint labels cover the same points.
 *
 * @param values `[voxelCount, width]` row-major values.
 * @param width Values per row.
 * @param pointToVoxel Voxel (row) of every point.
 * @param superpoints The scene's superpoints over the same points.
 */
export function superpointMeans(values: Float32Array, width: number, pointToVoxel: Int32Array, superpoints: SuperpointIndex): Float64Array {
  const { count, offsets } = superpoints;
  const voxels = superpoints.memberVoxels(pointToVoxel);
  const means = new Float64Array(count * width);
  // One superpoint and one column at a time, its points in increasing order: each sum adds the same values in
  // the same order as a pass over all points would, in a local accumulator (about 0.7× the time of summing all
  // columns of a row together into a [width] array on the bench scene; the same sums to the bit).
  for (let superpoint = 0; superpoint < count; superpoint++) {
    const start = offsets[superpoint];
    const end = offsets[superpoint + 1];
    if (end === start) continue;
    const size = end - start;
    for (let column = 0, entry = superpoint * width; column < width; column++, entry++) {
      let sum = 0;
      for (let slot = start; slot < end; slot++) sum += values[voxels[slot] * width + column];
      means[entry] = sum / size;
    }
  }
  return means;
}

/**
 * Superpoint pooling that keeps part of each voxel's own evidence: every piece (the points one superpoint shares
 * with one voxel, {@link SuperpointIndex.voxelPieces}) takes, for click c, `w_c·(its voxel's logit) + (1 − w_c)·(its
 * superpoint's mean logit)`, returned as sigmoid probabilities `[pieceCount, clickCount]` with the point → piece
 * map; `voxelValues` (the clicks' geodesic distances) are blended the same way. A click with weight 0 gives every
 * piece its superpoint's {@link poolSuperpointLogits} probability.
 *
 * @param maskLogits `[voxelCount, clickCount]` row-major mask logits.
 * @param pointToVoxel Voxel (row) of every point.
 * @param superpoints The scene's superpoints over the same points.
 * @param voxelWeights Weight of the voxel's own logit for each click, each in [0, 1]; its length is the click count.
 * @param voxelValues Optional `[voxelCount, clickCount]` values to blend the same way.
 */
export function blendSuperpointLogits(
  maskLogits: Float32Array,
  pointToVoxel: Int32Array,
  superpoints: SuperpointIndex,
  voxelWeights: ArrayLike<number>,
  voxelValues?: Float32Array,
): { probabilities: Float32Array; values?: Float32Array; pointToPiece: Int32Array } {
  if (pointToVoxel.length !== superpoints.labels.length) {
    throw new RangeError(`blendSuperpointLogits: ${pointToVoxel.length} points in pointToVoxel but ${superpoints.labels.length} superpoint labels`);
  }
  const clickCount = voxelWeights.length;
  for (let click = 0; click < clickCount; click++) {
    const weight = voxelWeights[click];
    if (!(weight >= 0 && weight <= 1)) throw new RangeError(`blendSuperpointLogits: voxelWeights[${click}] is ${weight}; weights must lie in [0, 1]`);
  }
  const pieces = superpoints.voxelPieces(pointToVoxel);
  const blend = (values: Float32Array, means: Float64Array, sigmoid: boolean): Float32Array => {
    const out = new Float32Array(pieces.voxels.length * clickCount);
    for (let piece = 0; piece < pieces.voxels.length; piece++) {
      const voxelRow = pieces.voxels[piece] * clickCount;
      const superpointRow = pieces.superpoints[piece] * clickCount;
      for (let click = 0; click < clickCount; click++) {
        const weight = voxelWeights[click];
        const value = weight * values[voxelRow + click] + (1 - weight) * means[superpointRow + click];
        out[piece * clickCount + click] = sigmoid ? 1 / (1 + Math.exp(-value)) : value;
      }
    }
    return out;
  };
  const probabilities = blend(maskLogits, superpointMeans(maskLogits, clickCount, pointToVoxel, superpoints), true);
  const values = voxelValues ? blend(voxelValues, superpointMeans(voxelValues, clickCount, pointToVoxel, superpoints), false) : undefined;
  return { probabilities, values, pointToPiece: pieces.pointToPiece };
}
