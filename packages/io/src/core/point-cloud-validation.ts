import type { PointCloud } from './point-cloud.js';

/**
 * Lists every way `cloud` breaks the {@link PointCloud} contract: a `pointCount` that is not a whole number, an
 * array whose length disagrees with it (3 per point for positions, colours and normals, 1 for the rest), a wrong
 * array type, or a non-finite position. Returns an empty array for a valid cloud.
 */
export function findPointCloudProblems(cloud: PointCloud): string[] {
  const problems: string[] = [];
  const pointCount = cloud.pointCount;
  if (!Number.isInteger(pointCount) || pointCount < 0) {
    problems.push(`pointCount ${pointCount} is not a whole number`);
    return problems;
  }
  const check = (name: string, array: ArrayLike<number> | undefined, type: unknown, width: number): void => {
    if (array === undefined) return;
    if (type !== undefined && !(array instanceof (type as typeof Float32Array))) problems.push(`${name} is not a ${(type as { name: string }).name}`);
    if (array.length !== pointCount * width) problems.push(`${name} has ${array.length} values, expected ${pointCount * width}`);
  };
  if (!(cloud.positions instanceof Float32Array)) problems.push('positions is not a Float32Array');
  check('positions', cloud.positions, Float32Array, 3);
  check('colors', cloud.colors, Uint8Array, 3);
  check('normals', cloud.normals, Float32Array, 3);
  check('intensity', cloud.intensity, Float32Array, 1);
  check('instance', cloud.instance, Int32Array, 1);
  check('semantic', cloud.semantic, Int32Array, 1);
  for (const [name, values] of Object.entries(cloud.attributes ?? {})) {
    if (!ArrayBuffer.isView(values)) problems.push(`attribute '${name}' is not a typed array`);
    else check(`attribute '${name}'`, values, undefined, 1);
  }
  const positions = cloud.positions;
  if (positions instanceof Float32Array) {
    for (let index = 0; index < positions.length; index++) {
      const value = positions[index];
      if (value - value !== 0) {
        problems.push(`position ${index % 3} of point ${Math.floor(index / 3)} is ${value}`);
        break;
      }
    }
  }
  return problems;
}
