import { sampleFarthestPoints } from '@pointclick/sampling';
import type { Click } from './click.js';
import { SegmenterInputError } from './segmenter-errors.js';
import { UNCONSTRAINED } from './click-constraints.js';

/** Point indices per objectId: a `Map` or a plain object keyed by objectId. */
export type PointSets = ReadonlyMap<number, ArrayLike<number>> | Readonly<Record<number, ArrayLike<number>>>;

/**
 * Hand corrections given to {@link Segmenter.segment} beside the clicks (a brush or lasso in an app): points
 * painted into an object and points erased from it. They are the final word over the model and the clicks.
 */
export interface SegmentationConstraints {
  /** objectId → point indices painted into that object: they take the object whatever the model or the clicks say. */
  include?: PointSets;
  /** objectId → point indices erased from that object: the object never claims them (they go to none). */
  exclude?: PointSets;
  /**
   * Clicks sampled from every painted set (object clicks) and every erased set (background clicks), so the
   * decoder's own masks follow the corrections: farthest point sampling over the set's points, started at the
   * point nearest to the set's centroid. Fewer when the clicks would pass the checkpoint's `maxClicks`.
   * Default {@link CONSTRAINT_CLICKS_PER_SET}.
   */
  clicksPerSet?: number;
}

/** Default of {@link SegmentationConstraints.clicksPerSet}. */
export const CONSTRAINT_CLICKS_PER_SET = 3;

/** Constraints checked against the scene, with the clicks they add. */
export interface ResolvedConstraints {
  /** objectId → painted point indices (distinct, increasing). */
  include: Map<number, Int32Array>;
  /** objectId → erased point indices (distinct, increasing). */
  exclude: Map<number, Int32Array>;
  /** Clicks sampled from the sets: object clicks from painted sets, then background clicks from erased ones. */
  clicks: Click[];
}

function entriesOf(sets: PointSets | undefined): [number, ArrayLike<number>][] {
  if (!sets) return [];
  if (sets instanceof Map) return [...(sets as ReadonlyMap<number, ArrayLike<number>>).entries()];
  return Object.entries(sets as Record<string, ArrayLike<number>>).map(([key, points]) => [Number(key), points]);
}

/** Checks one side (`include` or `exclude`) and returns its non-empty sets as sorted distinct indices. */
function checkSets(sets: PointSets | undefined, side: 'include' | 'exclude', pointCount: number): Map<number, Int32Array> {
  const checked = new Map<number, Int32Array>();
  for (const [objectId, points] of entriesOf(sets)) {
    if (!Number.isInteger(objectId) || objectId <= 0) {
      throw new SegmenterInputError(`segment: constraints.${side} has the key ${String(objectId)}; keys must be positive integer objectIds`);
    }
    if (!points || typeof points.length !== 'number') {
      throw new SegmenterInputError(`segment: constraints.${side}[${objectId}] must be an array of point indices`);
    }
    for (let slot = 0; slot < points.length; slot++) {
      const point = points[slot];
      if (!Number.isInteger(point) || point < 0 || point >= pointCount) {
        throw new SegmenterInputError(
          `segment: constraints.${side}[${objectId}][${slot}] is ${String(point)}; point indices must be integers in 0…${pointCount - 1}`,
        );
      }
    }
    if (points.length === 0) continue;
    const sorted = Int32Array.from(points).sort();
    let distinct = 1;
    for (let slot = 1; slot < sorted.length; slot++) if (sorted[slot] !== sorted[distinct - 1]) sorted[distinct++] = sorted[slot];
    checked.set(objectId, sorted.slice(0, distinct));
  }
  return checked;
}

/** The set's point nearest to its centroid (metres), where farthest point sampling starts. */
function centralPoint(points: Int32Array, positions: Float32Array): number {
  const centroid = [0, 0, 0];
  for (const point of points) for (let axis = 0; axis < 3; axis++) centroid[axis] += positions[point * 3 + axis];
  for (let axis = 0; axis < 3; axis++) centroid[axis] /= points.length;
  let best = points[0];
  let bestDistance = Infinity;
  for (const point of points) {
    const distance = (positions[point * 3] - centroid[0]) ** 2 + (positions[point * 3 + 1] - centroid[1]) ** 2 + (positions[point * 3 + 2] - centroid[2]) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [point, distance];
  }
  return best;
}

/**
 * Checks `constraints` against a scene of `positions` (a typed error naming the side, objectId and slot of a
 * bad entry, or a point painted into two objects, or painted and erased for one object) and samples the clicks
 * they add, at most `availableClicks` in all.
 *
 * @param positions `pointCount·3` coordinates in metres.
 * @param availableClicks Clicks the decoder still takes beside the user's own.
 */
export function resolveConstraints(constraints: SegmentationConstraints, positions: Float32Array, availableClicks: number): ResolvedConstraints {
  const pointCount = positions.length / 3;
  const include = checkSets(constraints.include, 'include', pointCount);
  const exclude = checkSets(constraints.exclude, 'exclude', pointCount);
  const owner = new Map<number, number>();
  for (const [objectId, points] of include) {
    for (const point of points) {
      const other = owner.get(point);
      if (other !== undefined) {
        throw new SegmenterInputError(`segment: point ${point} is in constraints.include[${other}] and constraints.include[${objectId}]; a point is painted into one object at most`);
      }
      owner.set(point, objectId);
    }
  }
  for (const [objectId, points] of exclude) {
    for (const point of points) {
      if (owner.get(point) === objectId) {
        throw new SegmenterInputError(`segment: point ${point} is in both constraints.include[${objectId}] and constraints.exclude[${objectId}]`);
      }
    }
  }
  const requested = constraints.clicksPerSet ?? CONSTRAINT_CLICKS_PER_SET;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new SegmenterInputError(`segment: constraints.clicksPerSet must be an integer ≥ 1, got ${String(requested)}`);
  }
  const setCount = include.size + exclude.size;
  if (setCount > availableClicks) {
    throw new SegmenterInputError(
      `segment: the constraints hold ${setCount} point sets, each needing at least one click, but only ${availableClicks} clicks are left under the configured maximum`,
    );
  }
  const perSet = setCount > 0 ? Math.min(requested, Math.floor(availableClicks / setCount)) : 0;
  const clicks: Click[] = [];
  const sample = (sets: Map<number, Int32Array>, kind: Click['kind']) => {
    for (const [objectId, points] of sets) {
      const chosen = sampleFarthestPoints(positions, perSet, { subset: points, startIndex: centralPoint(points, positions) });
      for (const pointIndex of chosen) clicks.push({ pointIndex, objectId, kind });
    }
  };
  sample(include, 'object');
  sample(exclude, 'background');
  return { include, exclude, clicks };
}

/**
 * Applies the constraints to the per-point forced labels of the click constraints (or to none): painted points
 * take their object; an erased point whose click constraint forced the object it was erased from is freed, so
 * that the exclusion decides. Returns the forced labels and, per objectId, a per-point flag (1 = erased) for
 * `assignClickGroups`' `excludedPoints`.
 *
 * @param forcedLabels The click constraints' labels, or undefined when they are off.
 * @param pointCount Points of the scene.
 */
export function constrainedLabels(
  resolved: ResolvedConstraints,
  forcedLabels: Int32Array | undefined,
  pointCount: number,
): { forcedLabels: Int32Array | undefined; excludedPoints: Map<number, Uint8Array> | undefined } {
  if (resolved.include.size === 0 && resolved.exclude.size === 0) return { forcedLabels, excludedPoints: undefined };
  const labels = forcedLabels ?? new Int32Array(pointCount).fill(UNCONSTRAINED);
  const excludedPoints = new Map<number, Uint8Array>();
  for (const [objectId, points] of resolved.exclude) {
    const flags = new Uint8Array(pointCount);
    for (const point of points) {
      flags[point] = 1;
      if (labels[point] === objectId) labels[point] = UNCONSTRAINED;
    }
    excludedPoints.set(objectId, flags);
  }
  for (const [objectId, points] of resolved.include) for (const point of points) labels[point] = objectId;
  return { forcedLabels: labels, excludedPoints: excludedPoints.size > 0 ? excludedPoints : undefined };
}
