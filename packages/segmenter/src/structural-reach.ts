import type { Click } from './click.js';
import type { StructuralReachSettings } from './segmenter-config.js';
import { SegmenterInputError } from './segmenter-errors.js';

/** The classes `StructuralReachSettings.classes` defaults to: NYU40's large room surfaces. */
export const DEFAULT_STRUCTURAL_CLASSES: readonly string[] = ['wall', 'floor', 'ceiling'];

/**
 * The first field of `settings` that is out of range, with what was expected; undefined when both are valid.
 * `classNames`, when given, are the model's classes, which every named class must be one of. Shared by the
 * checkpoint reader and {@link resolveStructuralReach}, which word their errors each their own way.
 */
export function findStructuralReachProblem(
  settings: { factor?: unknown; classes?: unknown },
  classNames?: readonly string[],
): { field: 'factor' | 'classes'; value: unknown; expected: string } | undefined {
  const { factor, classes } = settings;
  if (!(typeof factor === 'number' && factor >= 0 && Number.isFinite(factor))) return { field: 'factor', value: factor, expected: 'a finite number ≥ 0' };
  if (classes === undefined) {
    const missing = classNames && DEFAULT_STRUCTURAL_CLASSES.filter((name) => !classNames.includes(name));
    if (missing && missing.length > 0) return { field: 'classes', value: classes, expected: `class names of this model (the default ${DEFAULT_STRUCTURAL_CLASSES.join(', ')} lacks ${missing.join(', ')})` };
    return undefined;
  }
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((name) => typeof name === 'string') || new Set(classes).size !== classes.length) {
    return { field: 'classes', value: classes, expected: 'a non-empty list of distinct class names' };
  }
  const unknown = classNames ? classes.filter((name: string) => !classNames.includes(name)) : [];
  if (unknown.length > 0) return { field: 'classes', value: classes, expected: `class names of this model (${unknown.join(', ')} is not one)` };
  return undefined;
}

/** {@link StructuralReachSettings} checked against the model's classes, with the classes as column indices. */
export interface ResolvedStructuralReach {
  /** Multiplier of the last stage's geodesic gain for a click that is certainly one of the classes. */
  factor: number;
  /** Columns of the class probabilities that count as structural. */
  classIndices: Int32Array;
}

/**
 * Checks `settings` against the model's `classNames` and resolves the class names to columns.
 *
 * @throws SegmenterInputError naming the field and what was expected.
 */
export function resolveStructuralReach(settings: StructuralReachSettings, classNames: readonly string[]): ResolvedStructuralReach {
  const problem = findStructuralReachProblem(settings, classNames);
  if (problem) {
    const value = typeof problem.value === 'number' ? String(problem.value) : JSON.stringify(problem.value);
    throw new SegmenterInputError(`segment: structuralReach.${problem.field} is ${value}; expected ${problem.expected}`);
  }
  const names = settings.classes ?? DEFAULT_STRUCTURAL_CLASSES;
  return { factor: settings.factor, classIndices: Int32Array.from(names, (name) => classNames.indexOf(name)) };
}

/**
 * The class-dependent reach of each click's geodesic prior in the decoder's last stage: a click whose class
 * probabilities put mass p on the structural classes has that stage's prior b − g·d replaced by b − m·g·d with
 * m = 1 − (1 − factor)·p, so a click the class head calls a wall or a floor reaches farther along the surface
 * (factor < 1) while a click on a chair keeps the prior it was trained with. Returned as the logits to add per
 * metre of geodesic distance, (1 − m)·g = (1 − factor)·p·g; 0 for background clicks, which have no class.
 *
 * @param clicks The decoder's clicks, in its order.
 * @param classProbabilities `[clickCount, classCount]` row-major, the shown (calibrated) class probabilities.
 * @param classCount Columns of `classProbabilities`.
 * @param gain The last stage's learned geodesic gain g, logits per metre.
 */
export function structuralReachSlopes(
  clicks: readonly Pick<Click, 'kind'>[],
  classProbabilities: Float32Array,
  classCount: number,
  reach: ResolvedStructuralReach,
  gain: number,
): Float64Array {
  if (classProbabilities.length !== clicks.length * classCount) {
    throw new SegmenterInputError(`structuralReachSlopes: ${classProbabilities.length} class probabilities for ${clicks.length} clicks of ${classCount} classes`);
  }
  const slopes = new Float64Array(clicks.length);
  clicks.forEach((click, index) => {
    if (click.kind === 'background') return;
    let structural = 0;
    for (const column of reach.classIndices) structural += classProbabilities[index * classCount + column];
    slopes[index] = (1 - reach.factor) * structural * gain;
  });
  return slopes;
}

/**
 * Adds slope × distance to each click's column of the mask logits, in place.
 *
 * @param logits `[voxelCount, clickCount]` row-major mask logits.
 * @param distances The geodesic distances the decoder's prior read, same shape, metres.
 * @param slopes One per click, logits per metre (from {@link structuralReachSlopes}).
 */
export function addDistanceSlopes(logits: Float32Array, distances: Float32Array, slopes: Float64Array): void {
  const clickCount = slopes.length;
  if (logits.length !== distances.length || logits.length % Math.max(1, clickCount) !== 0) {
    throw new SegmenterInputError(`addDistanceSlopes: ${logits.length} logits and ${distances.length} distances are not the same whole number of rows of ${clickCount} clicks`);
  }
  for (let click = 0; click < clickCount; click++) {
    const slope = slopes[click];
    if (slope === 0) continue;
    for (let entry = click; entry < logits.length; entry += clickCount) logits[entry] += slope * distances[entry];
  }
}
