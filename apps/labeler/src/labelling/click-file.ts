import type { Click } from '@pointclick/segmenter';
import { ClickFileError } from './labelling-errors.js';

/** The scripted clicks of a labelling run, by scan file name (the scan path's last segment). */
export type ScanClicks = ReadonlyMap<string, Click[]>;

/**
 * Parses a clicks file: `{ "scans": { "<scan file name>": [ { "position": [x, y, z], "objectId": 1, "kind": "object" },
 * { "pointIndex": 5012, "objectId": 2, "kind": "background" } ] } }`. Each click has either `position` (metres) or
 * `pointIndex`, as `Segmenter.segment` takes them; `kind` defaults to `"object"`.
 *
 * @param fileName Named in errors.
 * @throws ClickFileError naming the file and the JSON path of the first value that is not as expected.
 */
export function parseClickFile(text: string, fileName: string): ScanClicks {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ClickFileError(fileName, `invalid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(document)) throw new ClickFileError(fileName, 'expected a JSON object with a "scans" object');
  const scans = document.scans;
  if (!isRecord(scans)) throw new ClickFileError(fileName, 'expected an object mapping scan file names to click lists', 'scans');
  const result = new Map<string, Click[]>();
  for (const [scanName, clicks] of Object.entries(scans)) {
    const scanField = `scans[${JSON.stringify(scanName)}]`;
    if (!Array.isArray(clicks)) throw new ClickFileError(fileName, 'expected an array of clicks', scanField);
    result.set(scanName, clicks.map((click: unknown, index) => parseClick(click, fileName, `${scanField}[${index}]`)));
  }
  return result;
}

function parseClick(value: unknown, fileName: string, field: string): Click {
  if (!isRecord(value)) throw new ClickFileError(fileName, 'expected a click object', field);
  const { objectId, kind = 'object', position, pointIndex } = value;
  if (typeof objectId !== 'number' || !Number.isInteger(objectId) || objectId <= 0) {
    throw new ClickFileError(fileName, `expected a positive integer, got ${JSON.stringify(objectId)}`, `${field}.objectId`);
  }
  if (kind !== 'object' && kind !== 'background') {
    throw new ClickFileError(fileName, `expected "object" or "background", got ${JSON.stringify(kind)}`, `${field}.kind`);
  }
  if (position !== undefined && pointIndex !== undefined) {
    throw new ClickFileError(fileName, 'a click has either "position" or "pointIndex", not both', field);
  }
  if (position !== undefined) {
    if (!Array.isArray(position) || position.length !== 3 || !position.every((coordinate) => typeof coordinate === 'number' && Number.isFinite(coordinate))) {
      throw new ClickFileError(fileName, `expected three finite numbers in metres, got ${JSON.stringify(position)}`, `${field}.position`);
    }
    return { position: [position[0] as number, position[1] as number, position[2] as number], objectId, kind };
  }
  if (pointIndex !== undefined) {
    if (typeof pointIndex !== 'number' || !Number.isInteger(pointIndex) || pointIndex < 0) {
      throw new ClickFileError(fileName, `expected a point index (integer ≥ 0), got ${JSON.stringify(pointIndex)}`, `${field}.pointIndex`);
    }
    return { pointIndex, objectId, kind };
  }
  throw new ClickFileError(fileName, 'a click needs "position" [x, y, z] or "pointIndex"', field);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
