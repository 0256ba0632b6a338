import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { LabelsFile, ReadLabelsOptions } from './labels-json.js';

/**
 * Writes the cloud's per-point labels as CSV with a header: `point,instance,semantic` (only the label columns the
 * cloud has), one line per point in point order, `\n` line breaks.
 */
export function writeLabelsCsv(cloud: PointCloud): string {
  const columns: Int32Array[] = [];
  const header = ['point'];
  if (cloud.instance !== undefined) {
    header.push('instance');
    columns.push(cloud.instance);
  }
  if (cloud.semantic !== undefined) {
    header.push('semantic');
    columns.push(cloud.semantic);
  }
  const lines = new Array<string>(cloud.pointCount + 1);
  lines[0] = header.join(',');
  for (let index = 0; index < cloud.pointCount; index++) {
    let line = String(index);
    for (const column of columns) line += `,${column[index]}`;
    lines[index + 1] = line;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads a labels CSV written by {@link writeLabelsCsv}: a `point` column numbering rows 0, 1, 2, … and `instance`
 * and/or `semantic` integer columns, in any order. Accepts `\r\n` line breaks and a missing final line break.
 *
 * @throws {PointCloudFormatError} naming the line for unknown columns, out-of-order point numbers, non-integer
 *   labels or a row count other than `expectedPointCount`.
 */
export function readLabelsCsv(input: string | Uint8Array, options: ReadLabelsOptions = {}): LabelsFile {
  const fail = (message: string, line: number, field?: string): never => {
    throw new PointCloudFormatError({ format: 'labels-csv', fileName: options.fileName, line, field, message });
  };
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) fail('empty input: expected a header line', 1);
  const header = lines[0].replace(/\r$/, '').split(',').map((name) => name.trim());
  if (header[0] !== 'point') fail(`expected the first column to be 'point', found '${header[0]}'`, 1, header[0]);
  const fields = header.slice(1);
  if (fields.length === 0) fail("expected an 'instance' and/or 'semantic' column", 1);
  for (const field of fields) {
    if (field !== 'instance' && field !== 'semantic') fail(`unknown column '${field}': expected instance or semantic`, 1, field);
    if (fields.indexOf(field) !== fields.lastIndexOf(field)) fail(`duplicate column '${field}'`, 1, field);
  }
  const pointCount = lines.length - 1;
  if (options.expectedPointCount !== undefined && pointCount !== options.expectedPointCount) {
    fail(`${pointCount} labelled points but the cloud has ${options.expectedPointCount}`, lines.length);
  }
  const columns = fields.map(() => new Int32Array(pointCount));
  for (let index = 0; index < pointCount; index++) {
    const lineNumber = index + 2;
    const cells = lines[index + 1].replace(/\r$/, '').split(',');
    if (cells.length !== header.length) fail(`expected ${header.length} values, found ${cells.length}`, lineNumber);
    if (cells[0].trim() !== String(index)) fail(`expected point ${index}, found '${cells[0].slice(0, 20)}'`, lineNumber, 'point');
    for (let column = 0; column < fields.length; column++) {
      const cell = cells[column + 1].trim();
      const value = /^-?\d{1,10}$/.test(cell) ? Number(cell) : Number.NaN;
      if (!(value >= -2147483648 && value <= 2147483647)) {
        fail(`'${cell.slice(0, 20)}' is not a 32-bit integer label`, lineNumber, fields[column]);
      }
      columns[column][index] = value;
    }
  }
  const result: LabelsFile = { pointCount };
  fields.forEach((field, column) => {
    result[field as 'instance' | 'semantic'] = columns[column];
  });
  return result;
}
