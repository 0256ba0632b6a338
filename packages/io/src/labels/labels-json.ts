import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { PointLabels } from './point-labels.js';

/** Value of the `format` key of a labels JSON file. */
export const LABELS_JSON_FORMAT = 'pointclick-labels';

/** Options of {@link writeLabelsJson}. */
export interface WriteLabelsJsonOptions {
  /** Class names by semantic id; defaults to `cloud.metadata.classNames`. */
  classNames?: Record<number, string>;
}

/** Options of the label-file readers. */
export interface ReadLabelsOptions {
  /** Points of the cloud the labels belong to; other lengths are rejected. */
  expectedPointCount?: number;
  /** Name of the label file, for error messages. */
  fileName?: string;
}

/** Labels read from a label file, with their point count. */
export interface LabelsFile extends PointLabels {
  /** Number of points labelled. */
  pointCount: number;
}

/**
 * Writes the cloud's per-point labels as JSON:
 * `{"format":"pointclick-labels","version":1,"pointCount":N,"instance":[…],"semantic":[…],"classNames":{"1":"cart"}}`.
 * `instance` / `semantic` appear when the cloud has them; `classNames` when given or in the cloud's metadata.
 */
export function writeLabelsJson(cloud: PointCloud, options: WriteLabelsJsonOptions = {}): string {
  const document: Record<string, unknown> = { format: LABELS_JSON_FORMAT, version: 1, pointCount: cloud.pointCount };
  if (cloud.instance !== undefined) document.instance = Array.from(cloud.instance);
  if (cloud.semantic !== undefined) document.semantic = Array.from(cloud.semantic);
  const classNames = options.classNames ?? cloud.metadata?.classNames;
  if (classNames !== undefined) document.classNames = classNames;
  return JSON.stringify(document);
}

/**
 * Reads a labels JSON file written by {@link writeLabelsJson}.
 *
 * @throws {PointCloudFormatError} for invalid JSON, a wrong `format`/`version`, non-integer or out-of-range labels,
 *   label arrays whose length differs from `pointCount`, or a `pointCount` other than `expectedPointCount`.
 */
export function readLabelsJson(input: string | Uint8Array, options: ReadLabelsOptions = {}): LabelsFile {
  // Annotated so that calls narrow like a `throw` (control-flow analysis needs an explicitly typed `never`).
  const fail: (message: string, field?: string) => never = (message, field) => {
    throw new PointCloudFormatError({ format: 'labels-json', fileName: options.fileName, field, message });
  };
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new PointCloudFormatError({ format: 'labels-json', fileName: options.fileName, message: `invalid JSON: ${(error as Error).message}`, cause: error });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) fail('expected a JSON object');
  const record = document as Record<string, unknown>;
  if (record.format !== LABELS_JSON_FORMAT) fail(`expected "format": "${LABELS_JSON_FORMAT}"`, 'format');
  if (record.version !== 1) fail('expected "version": 1', 'version');
  const pointCount = record.pointCount;
  if (typeof pointCount !== 'number' || !Number.isInteger(pointCount) || pointCount < 0) fail('expected a whole-number "pointCount"', 'pointCount');
  if (options.expectedPointCount !== undefined && pointCount !== options.expectedPointCount) {
    fail(`${pointCount} labelled points but the cloud has ${options.expectedPointCount}`, 'pointCount');
  }
  const result: LabelsFile = { pointCount: pointCount };
  for (const field of ['instance', 'semantic'] as const) {
    const values = record[field];
    if (values === undefined) continue;
    if (!Array.isArray(values) || values.length !== pointCount) fail(`expected an array of ${pointCount} labels`, field);
    const labels = new Int32Array(pointCount);
    (values as unknown[]).forEach((value, index) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
        fail(`label ${index} is ${JSON.stringify(value)}: expected a 32-bit integer`, field);
      }
      labels[index] = value;
    });
    result[field] = labels;
  }
  if (record.classNames !== undefined) {
    const names = record.classNames;
    if (typeof names !== 'object' || names === null || Array.isArray(names)) fail('expected an object of class names', 'classNames');
    const classNames: Record<number, string> = {};
    for (const [key, value] of Object.entries(names as Record<string, unknown>)) {
      if (!/^-?\d+$/.test(key) || typeof value !== 'string') fail(`class name entry '${key}' must map an integer id to a string`, 'classNames');
      classNames[Number(key)] = value;
    }
    result.classNames = classNames;
  }
  return result;
}
