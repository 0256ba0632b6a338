import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { S3DIS_CLASS_NAMES } from '../classes/s3dis-class-names.js';

/** One `Annotations/<class>_<n>.txt` file of an S3DIS room. */
export interface S3disAnnotationFile {
  /** File name, e.g. `chair_3.txt`. */
  name: string;
  /** Contents: one `x y z r g b` line per point (metres, colours 0..255). */
  text: string;
}

/**
 * Joins the per-object annotation files of an S3DIS room into one labelled cloud: every file is one
 * instance (ids 1..n in file-name order), its class from the name prefix (`stairs` counts as
 * `clutter`, as in the standard 13-class S3DIS benchmark).
 *
 * @param files - The annotation files.
 * @param roomName - Room name, for metadata.
 * @throws {@link PointCloudFormatError} (format `'s3dis'`) for an unknown class name, a line that is
 *   not six numbers, non-finite coordinates or colours outside 0..255.
 */
export function parseS3disRoom(files: S3disAnnotationFile[], roomName?: string): PointCloud {
  const sorted = [...files].sort((first, second) => first.name.localeCompare(second.name, 'en', { numeric: true }));
  const positions: number[] = [];
  const colors: number[] = [];
  const instances: number[] = [];
  const semantics: number[] = [];
  sorted.forEach((file, fileIndex) => {
    const className = /^([a-z]+)_\d+\.txt$/i.exec(file.name)?.[1]?.toLowerCase();
    const classIndex = className === 'stairs' ? S3DIS_CLASS_NAMES.indexOf('clutter') : S3DIS_CLASS_NAMES.indexOf(className as (typeof S3DIS_CLASS_NAMES)[number]);
    if (classIndex < 0) {
      throw new PointCloudFormatError({
        format: 's3dis',
        fileName: file.name,
        field: 'class',
        message: `'${file.name}' is not <class>_<n>.txt with a class among ${S3DIS_CLASS_NAMES.join(', ')}`,
      });
    }
    const lines = file.text.split('\n');
    lines.forEach((line, lineIndex) => {
      const trimmed = line.trim();
      if (trimmed.length === 0) return;
      const values = trimmed.split(/\s+/).map(Number);
      const fail = (message: string): never => {
        throw new PointCloudFormatError({ format: 's3dis', fileName: file.name, line: lineIndex + 1, message });
      };
      if (values.length !== 6 || values.some((value) => Number.isNaN(value))) fail(`expected six numbers 'x y z r g b', got '${trimmed.slice(0, 80)}'`);
      if (!values.slice(0, 3).every(Number.isFinite)) fail('non-finite coordinate');
      if (!values.slice(3).every((value) => value >= 0 && value <= 255)) fail('colour outside 0..255');
      positions.push(values[0], values[1], values[2]);
      colors.push(values[3], values[4], values[5]);
      instances.push(fileIndex + 1);
      semantics.push(classIndex + 1);
    });
  });
  return {
    pointCount: instances.length,
    positions: Float32Array.from(positions),
    colors: Uint8Array.from(colors, Math.round),
    instance: Int32Array.from(instances),
    semantic: Int32Array.from(semantics),
    metadata: {
      classNames: Object.fromEntries(S3DIS_CLASS_NAMES.map((name, index) => [index + 1, name])),
      ...(roomName ? { comments: [`S3DIS room ${roomName}`] } : {}),
    },
  };
}
