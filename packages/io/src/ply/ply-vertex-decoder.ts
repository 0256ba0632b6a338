import { allocateArray } from '../core/point-cloud-allocation.js';
import type { PointAttributeArray, PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { copyStridedBytes } from './ply-byte-copy.js';
import type { PlyElement, PlyHeader } from './ply-header.js';
import { assignPlyPropertyRoles } from './ply-property-roles.js';
import { convertLabels } from './ply-vertex-assembly.js';
import { HOST_IS_LITTLE_ENDIAN, plyScalarReader, type PlyScalarRead } from './ply-property-types.js';

/** Label types whose every value fits an Int32; labels of other types are checked once all rows are read. */
const INT32_LABEL_TYPES = new Set(['char', 'uchar', 'short', 'ushort', 'int']);

/**
 * Decodes the rows of a binary PLY vertex element (scalar properties only) run by run, in order, straight into the
 * final arrays of the {@link PointCloud}, with the same mapping and checks as the whole-buffer reader
 * (`assemblePointCloud`): positions (refusing non-finite ones), colours, normals, intensity, labels by name, every
 * other property as an attribute in its own type. The streaming PLY reader feeds it chunks as they arrive.
 */
export class PlyVertexDecoder {
  private readonly pointCount: number;
  private readonly stride: number;
  private readonly positions: Float32Array;
  private readonly colors?: Uint8Array;
  private readonly normals?: Float32Array;
  private readonly intensity?: Float32Array;
  private readonly labels: { role: 'instance' | 'semantic'; propertyIndex: number; values: Int32Array | PointAttributeArray; checked: boolean }[] = [];
  private readonly attributes: { propertyIndex: number; values: PointAttributeArray }[] = [];
  /** Float colour channels: whether a value above 1 was seen (0..255 scale), else 0..1 values scaled by 255. */
  private readonly colorAboveOne = [false, false, false];
  private readonly reads: PlyScalarRead[];
  private readonly roles: ReturnType<typeof assignPlyPropertyRoles>;
  private readonly positionsInPlace: boolean;
  private readonly colorsInPlace: boolean;
  private decodedCount = 0;

  /**
   * @param header The parsed header (for comments).
   * @param element The vertex element; scalar properties only.
   * @param littleEndian Byte order of the body.
   * @param bodyByteOffset Byte offset of the element's first row in the file, for errors.
   * @param fileName File name, for errors.
   */
  constructor(
    private readonly header: PlyHeader,
    private readonly element: PlyElement,
    littleEndian: boolean,
    private readonly bodyByteOffset: number,
    private readonly fileName: string | undefined,
  ) {
    const properties = element.properties;
    if (element.rowByteSize === undefined) throw new RangeError('PlyVertexDecoder: the vertex element has list properties');
    this.stride = element.rowByteSize;
    this.pointCount = element.count;
    this.reads = properties.map((property) => plyScalarReader(property.type, littleEndian));
    this.roles = assignPlyPropertyRoles(properties.map((property) => property.name));
    const roles = this.roles;
    for (let axis = 0; axis < 3; axis++) {
      if (roles.position[axis] === -1) {
        throw new PointCloudFormatError({ format: 'ply', fileName, field: 'xyz'[axis], message: `the vertex element has no '${'xyz'[axis]}' property` });
      }
    }
    const context = { format: 'ply', fileName };
    const pointCount = this.pointCount;
    const consecutiveOfType = (indices: readonly number[], typeName: string): boolean =>
      indices[1] === indices[0] + 1 && indices[2] === indices[0] + 2 && indices.every((index) => properties[index].type.name === typeName);
    const hostOrder = littleEndian === HOST_IS_LITTLE_ENDIAN;
    this.positions = allocateArray(Float32Array, pointCount * 3, { ...context, field: 'positions' });
    this.positionsInPlace = hostOrder && consecutiveOfType(roles.position, 'float');
    if (roles.color !== undefined) this.colors = allocateArray(Uint8Array, pointCount * 3, { ...context, field: 'colors' });
    this.colorsInPlace = hostOrder && roles.color !== undefined && consecutiveOfType(roles.color, 'uchar');
    if (roles.normal !== undefined) this.normals = allocateArray(Float32Array, pointCount * 3, { ...context, field: 'normals' });
    if (roles.intensity !== -1) this.intensity = allocateArray(Float32Array, pointCount, { ...context, field: 'intensity' });
    for (const role of ['instance', 'semantic'] as const) {
      const propertyIndex = roles[role];
      if (propertyIndex === -1) continue;
      const type = properties[propertyIndex].type;
      const fitsInt32 = INT32_LABEL_TYPES.has(type.name);
      const ArrayType = fitsInt32 ? Int32Array : type.arrayConstructor;
      this.labels.push({ role, propertyIndex, values: allocateArray<PointAttributeArray>(ArrayType, pointCount, { ...context, field: properties[propertyIndex].name }), checked: fitsInt32 });
    }
    for (const propertyIndex of roles.attributes) {
      const property = properties[propertyIndex];
      this.attributes.push({ propertyIndex, values: allocateArray<PointAttributeArray>(property.type.arrayConstructor, pointCount, { ...context, field: property.name }) });
    }
  }

  /** Decodes the next `count` rows, which lie back to back at the start of `rows`. */
  decode(rows: Uint8Array, count: number): void {
    const view = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
    const { stride, roles, reads, positions } = this;
    const properties = this.element.properties;
    const offsetOf = (propertyIndex: number): number => properties[propertyIndex].rowByteOffset;
    const first = this.decodedCount;
    if (this.positionsInPlace) {
      copyStridedBytes(rows, offsetOf(roles.position[0]), stride, new Uint8Array(positions.buffer, positions.byteOffset + first * 12, count * 12), 0, 12, count, 12);
    } else {
      for (let axis = 0; axis < 3; axis++) {
        const read = reads[roles.position[axis]];
        for (let row = 0, source = offsetOf(roles.position[axis]), target = first * 3 + axis; row < count; row++, source += stride, target += 3) positions[target] = read(view, source);
      }
    }
    for (let index = first * 3; index < (first + count) * 3; index++) {
      const value = positions[index];
      // x - x is NaN exactly for NaN and ±Infinity (doubles beyond the float32 range overflow to Infinity here).
      if (value - value !== 0) this.failNonFinite(view, index, first);
    }
    if (this.colors !== undefined) this.decodeColors(rows, view, first, count);
    if (this.normals !== undefined) this.decodeInterleaved(view, roles.normal!, this.normals, first, count);
    if (this.intensity !== undefined) this.decodeColumn(view, roles.intensity, this.intensity, first, count);
    for (const label of this.labels) this.decodeColumn(view, label.propertyIndex, label.values, first, count);
    for (const attribute of this.attributes) this.decodeColumn(view, attribute.propertyIndex, attribute.values, first, count);
    this.decodedCount += count;
  }

  private decodeColumn(view: DataView, propertyIndex: number, target: PointAttributeArray, first: number, count: number): void {
    const read = this.reads[propertyIndex];
    const stride = this.stride;
    for (let row = 0, source = this.element.properties[propertyIndex].rowByteOffset; row < count; row++, source += stride) target[first + row] = read(view, source);
  }

  private decodeInterleaved(view: DataView, propertyIndices: readonly number[], target: Float32Array, first: number, count: number): void {
    for (let axis = 0; axis < 3; axis++) {
      const read = this.reads[propertyIndices[axis]];
      const stride = this.stride;
      for (let row = 0, source = this.element.properties[propertyIndices[axis]].rowByteOffset, index = first * 3 + axis; row < count; row++, source += stride, index += 3) {
        target[index] = read(view, source);
      }
    }
  }

  /**
   * Colours as the whole-buffer reader converts them: uchar as is, ushort / 257, other integers clamped, and
   * float channels scaled by 255 while every value so far is ≤ 1. At the first value above 1 a float channel is
   * taken as 0..255; its values already stored were all ≤ 1, scaled by 255 and rounded (s), and become round(v),
   * which is exactly s ≥ 128 ? 1 : 0. Same result as the whole-buffer reader's two passes, in one.
   */
  private decodeColors(rows: Uint8Array, view: DataView, first: number, count: number): void {
    const colors = this.colors!;
    const indices = this.roles.color!;
    const properties = this.element.properties;
    if (this.colorsInPlace) {
      copyStridedBytes(rows, properties[indices[0]].rowByteOffset, this.stride, colors, first * 3, 3, count, 3);
      return;
    }
    for (let channel = 0; channel < 3; channel++) {
      const type = properties[indices[channel]].type;
      const read = this.reads[indices[channel]];
      const stride = this.stride;
      let source = properties[indices[channel]].rowByteOffset;
      for (let row = 0, target = first * 3 + channel; row < count; row++, source += stride, target += 3) {
        const raw = read(view, source);
        let scale = 1;
        if (type.name === 'ushort') scale = 1 / 257;
        else if (!type.integer) {
          if (!this.colorAboveOne[channel] && raw > 1) {
            this.colorAboveOne[channel] = true;
            for (let earlier = channel; earlier < target; earlier += 3) colors[earlier] = colors[earlier] >= 128 ? 1 : 0;
          }
          scale = this.colorAboveOne[channel] ? 1 : 255;
        }
        // Uint8Array assignment wraps; clamp first. NaN clamps to 0.
        const value = Math.round(raw * scale);
        colors[target] = value > 255 ? 255 : value > 0 ? value : 0;
      }
    }
  }

  private failNonFinite(view: DataView, index: number, first: number): never {
    const axis = index % 3;
    const point = (index - axis) / 3;
    const propertyIndex = this.roles.position[axis];
    const rowOffset = (point - first) * this.stride + this.element.properties[propertyIndex].rowByteOffset;
    throw new PointCloudFormatError({
      format: 'ply',
      fileName: this.fileName,
      field: 'xyz'[axis],
      byteOffset: this.bodyByteOffset + point * this.stride + this.element.properties[propertyIndex].rowByteOffset,
      message: `non-finite position ${'xyz'[axis]} = ${this.reads[propertyIndex](view, rowOffset)} at vertex ${point}: expected a finite float32`,
    });
  }

  /** The cloud, once every row is decoded. */
  finish(): PointCloud {
    if (this.decodedCount !== this.pointCount) throw new RangeError(`PlyVertexDecoder: ${this.decodedCount} of ${this.pointCount} rows decoded`);
    const cloud: PointCloud = { pointCount: this.pointCount, positions: this.positions };
    if (this.colors !== undefined) cloud.colors = this.colors;
    if (this.normals !== undefined) cloud.normals = this.normals;
    if (this.intensity !== undefined) cloud.intensity = this.intensity;
    const attributeEntries = this.attributes.map(({ propertyIndex, values }) => ({ propertyIndex, values }));
    for (const label of this.labels) {
      const labels = label.checked ? (label.values as Int32Array) : convertLabels(label.values, this.pointCount);
      // Labels that do not fit an Int32 (NaN, fractions, packed uint32) stay available under their own name.
      if (labels === undefined) attributeEntries.push({ propertyIndex: label.propertyIndex, values: label.values });
      else cloud[label.role] = labels;
    }
    if (attributeEntries.length > 0) {
      attributeEntries.sort((first, second) => first.propertyIndex - second.propertyIndex);
      const attributes: Record<string, PointAttributeArray> = {};
      for (const { propertyIndex, values } of attributeEntries) attributes[this.element.properties[propertyIndex].name] = values;
      cloud.attributes = attributes;
    }
    cloud.metadata = { format: 'ply' };
    if (this.header.comments.length > 0) cloud.metadata.comments = this.header.comments;
    return cloud;
  }
}
