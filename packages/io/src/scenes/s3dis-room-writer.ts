import { convertSemanticId } from '../classes/class-conversion.js';
import { S3DIS_CLASS_NAMES } from '../classes/s3dis-class-names.js';
import { formatFloat32 } from '../core/float-text.js';
import { checkLabelCounts, checkLabelRange } from '../labels/label-checks.js';
import { collectObjectClasses } from '../labels/object-classes.js';

/** Inputs of {@link writeS3disRoom}. */
export interface S3disRoomInput {
  /** Room name, e.g. `office_1`: the whole room is written as `<roomName>.txt`. */
  roomName: string;
  /** Interleaved x y z in metres, `3 × pointCount` values. */
  positions: Float32Array;
  /** Interleaved r g b 0..255; without colours every point is written `0 0 0`. */
  colors?: Uint8Array;
  /** Instance id per point; each instance becomes one annotation file. 0 = in no object (room file only). */
  instance: ArrayLike<number>;
  /** S3DIS class per point: 1..13 in {@link S3DIS_CLASS_NAMES} order (convert other spaces with `convertSemanticIds`). */
  semantic: ArrayLike<number>;
}

/**
 * Writes an S3DIS room folder as a map of file names to text: `Annotations/<class>_<n>.txt` for every instance
 * (`n` counts the class's objects from 1 in instance-id order) and `<roomName>.txt` with every point, each line
 * `x y z r g b`. Coordinates are written with the fewest digits that read back to the same float32.
 * {@link parseS3disRoom} reads the annotation files back to the same points, classes and grouping; it numbers
 * instances by file name, so the ids themselves may differ. Points with instance 0 appear only in the room file,
 * which the reader does not use.
 *
 * @throws {PointCloudFormatError} (format `'s3dis'`) for arrays of different lengths, negative or fractional ids,
 *   a class without an instance or an instance with two classes (the error names the field and point).
 * @throws {ClassMappingError} for a semantic id that is not an S3DIS class.
 */
export function writeS3disRoom(input: S3disRoomInput): Record<string, string> {
  const format = 's3dis';
  const { positions, colors, instance, semantic } = input;
  const pointCount = instance.length;
  checkLabelCounts(format, pointCount, { semantic });
  checkLabelCounts(format, pointCount * 3, { positions, colors });
  checkLabelRange(format, 'instance', instance, 0, 2 ** 31 - 1);
  checkLabelRange(format, 'semantic', semantic, 0, 2 ** 31 - 1);
  const classOfObject = collectObjectClasses(format, instance, semantic);
  for (const classId of classOfObject.values()) convertSemanticId(classId, 's3dis13', 's3dis13');

  const fileOfObject = new Map<number, string>();
  const countOfClass = new Map<number, number>();
  for (const objectId of [...classOfObject.keys()].sort((left, right) => left - right)) {
    const classId = classOfObject.get(objectId)!;
    const count = (countOfClass.get(classId) ?? 0) + 1;
    countOfClass.set(classId, count);
    fileOfObject.set(objectId, `Annotations/${S3DIS_CLASS_NAMES[classId - 1]}_${count}.txt`);
  }
  const linesOfObject = new Map<number, string[]>([...fileOfObject.keys()].map((objectId) => [objectId, []]));
  const roomLines: string[] = [];
  for (let point = 0; point < pointCount; point++) {
    const color = colors ? `${colors[point * 3]} ${colors[point * 3 + 1]} ${colors[point * 3 + 2]}` : '0 0 0';
    const line = `${formatFloat32(positions[point * 3])} ${formatFloat32(positions[point * 3 + 1])} ${formatFloat32(positions[point * 3 + 2])} ${color}`;
    roomLines.push(line);
    if (instance[point] > 0) linesOfObject.get(instance[point])!.push(line);
  }
  const files: Record<string, string> = { [`${input.roomName}.txt`]: roomLines.join('\n') + '\n' };
  for (const [objectId, lines] of linesOfObject) files[fileOfObject.get(objectId)!] = lines.join('\n') + '\n';
  return files;
}
