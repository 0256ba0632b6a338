import { PointCloudFormatError } from '../core/point-cloud-format-error.js';

/**
 * The one semantic id of each instance (instance id → semantic id), for formats that store a class per object
 * (ScanNet segment groups, S3DIS annotation files).
 *
 * @throws {PointCloudFormatError} (`format`, `pointIndex`) when a point has a class but no instance, or an instance's
 *   points have two classes: such labels cannot be written per object without losing one of them.
 */
export function collectObjectClasses(format: string, instance: ArrayLike<number>, semantic: ArrayLike<number>): Map<number, number> {
  const classOfObject = new Map<number, number>();
  for (let point = 0; point < instance.length; point++) {
    const objectId = instance[point];
    const classId = semantic[point];
    if (objectId === 0) {
      if (classId !== 0) {
        throw new PointCloudFormatError({
          format,
          field: 'instance',
          pointIndex: point,
          message: `cannot write: point ${point} has semantic ${classId} but no instance; ${format} stores classes per object, so give such points an instance id`,
        });
      }
      continue;
    }
    const known = classOfObject.get(objectId);
    if (known === undefined) classOfObject.set(objectId, classId);
    else if (known !== classId) {
      throw new PointCloudFormatError({
        format,
        field: 'semantic',
        pointIndex: point,
        message: `cannot write: instance ${objectId} has points of semantic ${known} and ${classId} (point ${point}); ${format} stores one class per object`,
      });
    }
  }
  return classOfObject;
}
