import { MetricsInputError, assertSameLength } from './metrics-error.js';

/** Options of {@link measureSuperpointCeiling}. */
export interface SuperpointCeilingOptions {
  /** Objects with fewer points are left out of the ceilings (not of the purity). Default 1. */
  minimumObjectPoints?: number;
}

/** The best IoU whole superpoints give one object. */
export interface ObjectCeiling {
  /** Instance id of the object. */
  objectId: number;
  /** Its points. */
  points: number;
  /** Highest IoU (0..1) of any union of whole superpoints with the object. */
  ceiling: number;
}

/** Output of {@link measureSuperpointCeiling}. */
export interface SuperpointCeiling {
  /** Superpoints that hold at least one point. */
  superpointCount: number;
  /** Points per non-empty superpoint, on average. */
  meanSuperpointSize: number;
  /**
   * Share (0..1) of the annotated points (instance ≠ 0) whose superpoint's most frequent annotated instance is
   * their own.
   */
  purity: number;
  /** Annotated points (instance ≠ 0), the points `purity` is a share of. */
  annotatedPoints: number;
  /** One entry per object of at least `minimumObjectPoints` points, by increasing objectId. */
  objects: ObjectCeiling[];
  /** Mean of the objects' ceilings (0..1; 0 without objects). */
  meanCeiling: number;
}

/**
 * How far a labelling that gives every superpoint one label (superpoint pooling, click constraints) can go:
 * for each annotated object, the highest IoU any union of whole superpoints reaches, and the superpoints'
 * purity. The union that maximises I / (n + P − I) (I object points in it, P its points, n the object's) is a
 * prefix of the superpoints in decreasing order of their share of object points — with λ the best IoU, a
 * superpoint improves I − λ(n + P − I) exactly when its share exceeds λ / (1 + λ) — so one sort per object
 * finds it. Unannotated points (instance 0) count against an object as any other point not its own, as
 * in {@link computeObjectIou}.
 *
 * @param superpointLabels Superpoint of every point, integers ≥ 0.
 * @param instance Instance id of every point, 0 = unannotated.
 * @throws {@link MetricsInputError} on arrays of different lengths, a negative or non-integer superpoint label,
 *   or a bad `minimumObjectPoints`.
 */
export function measureSuperpointCeiling(
  superpointLabels: ArrayLike<number>,
  instance: ArrayLike<number>,
  options: SuperpointCeilingOptions = {},
): SuperpointCeiling {
  assertSameLength(superpointLabels, instance, 'superpointLabels', 'instance');
  const minimumObjectPoints = options.minimumObjectPoints ?? 1;
  if (!Number.isInteger(minimumObjectPoints) || minimumObjectPoints < 1) {
    throw new MetricsInputError('options', 'minimumObjectPoints', 'an integer ≥ 1 (points)', String(minimumObjectPoints));
  }
  let labelCount = 0;
  for (let point = 0; point < superpointLabels.length; point++) {
    const label = superpointLabels[point];
    if (!Number.isInteger(label) || label < 0) throw new MetricsInputError('superpointLabels', `[${point}]`, 'an integer ≥ 0', String(label));
    if (label >= labelCount) labelCount = label + 1;
  }
  const sizes = new Float64Array(labelCount);
  for (let point = 0; point < superpointLabels.length; point++) sizes[superpointLabels[point]]++;
  // Object points per (superpoint, object), and each object's points.
  const shared = new Map<number, Map<number, number>>();
  const objectPoints = new Map<number, number>();
  for (let point = 0; point < instance.length; point++) {
    const object = instance[point];
    if (object === 0) continue;
    objectPoints.set(object, (objectPoints.get(object) ?? 0) + 1);
    let perSuperpoint = shared.get(object);
    if (!perSuperpoint) shared.set(object, (perSuperpoint = new Map<number, number>()));
    const superpoint = superpointLabels[point];
    perSuperpoint.set(superpoint, (perSuperpoint.get(superpoint) ?? 0) + 1);
  }
  // Purity: the annotated points of each superpoint that belong to its most frequent annotated object.
  const majority = new Float64Array(labelCount);
  let annotated = 0;
  for (const [object, perSuperpoint] of shared) {
    annotated += objectPoints.get(object) ?? 0;
    for (const [superpoint, count] of perSuperpoint) if (count > majority[superpoint]) majority[superpoint] = count;
  }
  const pure = majority.reduce((sum, count) => sum + count, 0);

  const objects: ObjectCeiling[] = [];
  for (const object of [...objectPoints.keys()].sort((first, second) => first - second)) {
    const points = objectPoints.get(object)!;
    if (points < minimumObjectPoints) continue;
    const candidates = [...shared.get(object)!].map(([superpoint, count]) => ({ count, size: sizes[superpoint] }));
    candidates.sort((first, second) => second.count / second.size - first.count / first.size);
    let intersection = 0;
    let predicted = 0;
    let ceiling = 0;
    for (const { count, size } of candidates) {
      intersection += count;
      predicted += size;
      ceiling = Math.max(ceiling, intersection / (points + predicted - intersection));
    }
    objects.push({ objectId: object, points, ceiling });
  }
  const superpointCount = sizes.reduce((count, size) => count + (size > 0 ? 1 : 0), 0);
  return {
    superpointCount,
    meanSuperpointSize: superpointCount === 0 ? 0 : superpointLabels.length / superpointCount,
    purity: annotated === 0 ? 1 : pure / annotated,
    annotatedPoints: annotated,
    objects,
    meanCeiling: objects.length === 0 ? 0 : objects.reduce((sum, entry) => sum + entry.ceiling, 0) / objects.length,
  };
}
