import { allocateArray } from '../core/point-cloud-allocation.js';
import type { PointAttributeArray, PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { DecodedVertices } from './ply-decoded-vertices.js';
import type { PlyElement, PlyHeader } from './ply-header.js';
import { assignPlyPropertyRoles } from './ply-property-roles.js';
import type { PlyScalarTypeInfo } from './ply-property-types.js';

/**
 * Turns decoded vertex columns into a {@link PointCloud}: positions (refusing non-finite ones), colours, normals,
 * intensity, instance and semantic labels by property name, and every other scalar property as an attribute.
 *
 * @throws {PointCloudFormatError} for a missing x / y / z or a non-finite position, naming where it sits.
 */
export function assemblePointCloud(
  decoded: DecodedVertices,
  vertexElement: PlyElement,
  header: PlyHeader,
  fileName: string | undefined,
): PointCloud {
  const pointCount = vertexElement.count;
  const properties = vertexElement.properties;
  const scalarIndices: number[] = [];
  properties.forEach((property, index) => {
    if (property.listCountType === undefined) scalarIndices.push(index);
  });
  const roles = assignPlyPropertyRoles(scalarIndices.map((index) => properties[index].name));
  const propertyIndexOf = (roleIndex: number): number => scalarIndices[roleIndex];
  const columnOf = (roleIndex: number): ArrayLike<number> => decoded.columns[propertyIndexOf(roleIndex)] as ArrayLike<number>;
  /** Whether three roles are adjacent scalar properties (so adjacent bytes of a row) of one type. */
  const consecutiveOfType = (roleIndices: readonly number[], typeName: string): boolean =>
    roleIndices[1] === roleIndices[0] + 1 &&
    roleIndices[2] === roleIndices[0] + 2 &&
    roleIndices.every((roleIndex) => properties[propertyIndexOf(roleIndex)].type.name === typeName);
  const fail = (message: string, rowIndex: number | undefined, roleIndex: number | undefined, field?: string): never => {
    const where = rowIndex !== undefined && roleIndex !== undefined ? decoded.locate(rowIndex, propertyIndexOf(roleIndex)) : {};
    throw new PointCloudFormatError({ format: 'ply', fileName, field, message, ...where });
  };

  for (let axis = 0; axis < 3; axis++) {
    if (roles.position[axis] === -1) {
      fail(`the vertex element has no '${'xyz'[axis]}' property`, undefined, undefined, 'xyz'[axis]);
    }
  }
  const positions = allocateArray(Float32Array, pointCount * 3, { format: 'ply', fileName, field: 'positions' });
  if (consecutiveOfType(roles.position, 'float') && decoded.copyRowBytes !== undefined) {
    // Fast path: float x y z side by side in host byte order land in place.
    decoded.copyRowBytes(propertyIndexOf(roles.position[0]), 12, new Uint8Array(positions.buffer));
  } else {
    for (let axis = 0; axis < 3; axis++) {
      const column = columnOf(roles.position[axis]);
      for (let index = 0, target = axis; index < pointCount; index++, target += 3) positions[target] = column[index];
    }
  }
  // x - x is NaN exactly for NaN and ±Infinity (doubles beyond the float32 range overflow to Infinity here).
  for (let index = 0; index < positions.length; index++) {
    const value = positions[index];
    if (value - value !== 0) {
      const axis = index % 3;
      fail(
        `non-finite position ${'xyz'[axis]} = ${columnOf(roles.position[axis])[(index - axis) / 3]} at vertex ${(index - axis) / 3}: expected a finite float32`,
        (index - axis) / 3,
        roles.position[axis],
        'xyz'[axis],
      );
    }
  }

  const cloud: PointCloud = { pointCount, positions };
  const attributeRoleIndices = [...roles.attributes];
  if (roles.color !== undefined && consecutiveOfType(roles.color, 'uchar') && decoded.copyRowBytes !== undefined) {
    cloud.colors = new Uint8Array(pointCount * 3);
    decoded.copyRowBytes(propertyIndexOf(roles.color[0]), 3, cloud.colors);
  } else if (roles.color !== undefined) {
    cloud.colors = convertColors(roles.color.map(columnOf), roles.color.map((roleIndex) => properties[propertyIndexOf(roleIndex)].type), pointCount);
  }
  if (roles.normal !== undefined) {
    const normals = new Float32Array(pointCount * 3);
    for (let axis = 0; axis < 3; axis++) {
      const column = columnOf(roles.normal[axis]);
      for (let index = 0, target = axis; index < pointCount; index++, target += 3) normals[target] = column[index];
    }
    cloud.normals = normals;
  }
  if (roles.intensity !== -1) cloud.intensity = Float32Array.from(columnOf(roles.intensity));
  for (const role of ['instance', 'semantic'] as const) {
    const roleIndex = roles[role];
    if (roleIndex === -1) continue;
    const labels = convertLabels(columnOf(roleIndex), pointCount);
    // Labels that do not fit an Int32 (NaN, fractions, packed uint32) stay available under their own name.
    if (labels === undefined) attributeRoleIndices.push(roleIndex);
    else cloud[role] = labels;
  }
  if (attributeRoleIndices.length > 0) {
    attributeRoleIndices.sort((first, second) => first - second);
    const attributes: Record<string, PointAttributeArray> = {};
    for (const roleIndex of attributeRoleIndices) {
      const property = properties[propertyIndexOf(roleIndex)];
      const column = columnOf(roleIndex);
      attributes[property.name] = decoded.native
        ? (column as PointAttributeArray)
        : new property.type.arrayConstructor(column as Float64Array);
    }
    cloud.attributes = attributes;
  }
  cloud.metadata = { format: 'ply' };
  if (header.comments.length > 0) cloud.metadata.comments = header.comments;
  return cloud;
}

function convertColors(columns: ArrayLike<number>[], types: PlyScalarTypeInfo[], pointCount: number): Uint8Array {
  const colors = new Uint8Array(pointCount * 3);
  for (let channel = 0; channel < 3; channel++) {
    const column = columns[channel];
    const type = types[channel];
    let scale = 1;
    if (type.name === 'ushort') scale = 1 / 257;
    else if (!type.integer) {
      let maximum = 0;
      for (let index = 0; index < pointCount; index++) if (column[index] > maximum) maximum = column[index];
      scale = maximum <= 1 ? 255 : 1;
    }
    // Uint8Array assignment wraps; clamp first. NaN clamps to 0.
    for (let index = 0, target = channel; index < pointCount; index++, target += 3) {
      const value = Math.round(column[index] * scale);
      colors[target] = value > 255 ? 255 : value > 0 ? value : 0;
    }
  }
  return colors;
}

/** The labels as Int32 (the column itself when it is one), or undefined when a value is not an integer that fits. */
export function convertLabels(column: ArrayLike<number>, pointCount: number): Int32Array | undefined {
  if (column instanceof Int32Array) return column;
  const labels = new Int32Array(pointCount);
  for (let index = 0; index < pointCount; index++) {
    const value = column[index];
    if (!Number.isInteger(value) || value > 2147483647 || value < -2147483648) return undefined;
    labels[index] = value;
  }
  return labels;
}
