import { PointCloudFormatError } from '../core/point-cloud-format-error.js';

/**
 * Checks that every given array has `pointCount` entries (pass `3 × pointCount` for interleaved vectors).
 *
 * @throws {PointCloudFormatError} (`format`, field = the array's name) for the first array of another length.
 */
export function checkLabelCounts(format: string, pointCount: number, arrays: Record<string, ArrayLike<number> | undefined>): void {
  for (const [field, values] of Object.entries(arrays)) {
    if (values !== undefined && values.length !== pointCount) {
      throw new PointCloudFormatError({ format, field, message: `cannot write: ${field} has ${values.length} values, expected ${pointCount}` });
    }
  }
}

/**
 * Checks that every value of `values` is an integer in `minimum..maximum`.
 *
 * @throws {PointCloudFormatError} (`format`, `field`, `pointIndex`) for the first value outside the range.
 */
export function checkLabelRange(format: string, field: string, values: ArrayLike<number>, minimum: number, maximum: number, why = ''): void {
  for (let point = 0; point < values.length; point++) {
    const value = values[point];
    if (!(Number.isInteger(value) && value >= minimum && value <= maximum)) {
      throw new PointCloudFormatError({
        format,
        field,
        pointIndex: point,
        message: `cannot write: ${field} ${value} of point ${point} is not an integer in ${minimum}..${maximum}${why ? ` (${why})` : ''}`,
      });
    }
  }
}
