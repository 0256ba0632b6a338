import type { PointAttributeArray, PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { assignPlyPropertyRoles, PLY_WRITER_NAMES } from './ply-property-roles.js';
import { HOST_IS_LITTLE_ENDIAN, plyScalarTypeOfArray } from './ply-property-types.js';
import { copyStridedBytes } from './ply-byte-copy.js';
import { chunkRecords, type ChunkedFile, type ChunkedWriteOptions } from '../core/chunked-file.js';

interface WrittenProperty {
  /** Names of the properties this source fills (1, or 3 for interleaved vectors). */
  names: string[];
  /** PLY type name of each. */
  typeName: string;
  /** Bytes of one value. */
  byteSize: number;
  /** Values, interleaved when `names.length` is 3. */
  values: PointAttributeArray;
}

/**
 * Writes `cloud` as a binary little-endian PLY: float x y z, then (when present) float nx ny nz, uchar red green
 * blue, float intensity, int instance, int semantic and every attribute in its own type under its own name;
 * `metadata.comments` become `comment` lines. {@link readPly} reads the result back to an identical cloud;
 * {@link writePlyChunks} writes the same bytes in pieces.
 *
 * @throws {PointCloudFormatError} when an array's length does not match `pointCount`, or an attribute name is not a
 *   valid PLY name or would read back as another field (for example an attribute called `class` or `x`).
 */
export function writePly(cloud: PointCloud): Uint8Array {
  const plan = planPly(cloud);
  const output = new Uint8Array(plan.header.length + cloud.pointCount * plan.stride);
  output.set(plan.header);
  plan.writeRows(0, cloud.pointCount, output.subarray(plan.header.length));
  return output;
}

/**
 * {@link writePly} in pieces: the header, then vertex rows in chunks of about `options.chunkBytes`, byte for byte the
 * file `writePly` writes (the chunks concatenated), without a buffer of the whole file. Every check runs before this
 * returns, with the same errors as `writePly`.
 */
export function writePlyChunks(cloud: PointCloud, options: ChunkedWriteOptions = {}): ChunkedFile {
  const plan = planPly(cloud);
  return chunkRecords('ply', plan.header, cloud.pointCount, plan.stride, options, plan.writeRows);
}

/** A checked PLY file: its header, row size and a writer of its vertex rows. */
interface PlyPlan {
  header: Uint8Array;
  /** Bytes of one vertex row. */
  stride: number;
  /** Writes rows `first`…`end − 1` into `target` from its byte 0. */
  writeRows: (first: number, end: number, target: Uint8Array) => void;
}

function planPly(cloud: PointCloud): PlyPlan {
  const pointCount = cloud.pointCount;
  const fail = (message: string, field?: string): never => {
    throw new PointCloudFormatError({ format: 'ply', field, message: `cannot write: ${message}` });
  };
  if (!Number.isInteger(pointCount) || pointCount < 0) fail(`pointCount ${pointCount} is not a whole number`);
  const sources: WrittenProperty[] = [];
  const add = (names: readonly string[], values: PointAttributeArray | undefined, field: string): void => {
    if (values === undefined) return;
    if (values.length !== pointCount * names.length) {
      fail(`${field} has ${values.length} values, expected ${pointCount * names.length}`, field);
    }
    const type = plyScalarTypeOfArray(values);
    sources.push({ names: [...names], typeName: type.name, byteSize: type.byteSize, values });
  };
  add(PLY_WRITER_NAMES.position, cloud.positions, 'positions');
  add(PLY_WRITER_NAMES.normal, cloud.normals, 'normals');
  add(PLY_WRITER_NAMES.color, cloud.colors, 'colors');
  add([PLY_WRITER_NAMES.intensity], cloud.intensity, 'intensity');
  add([PLY_WRITER_NAMES.instance], cloud.instance, 'instance');
  add([PLY_WRITER_NAMES.semantic], cloud.semantic, 'semantic');
  const roleCount = sources.reduce((sum, source) => sum + source.names.length, 0);
  for (const [name, values] of Object.entries(cloud.attributes ?? {})) {
    if (!/^[\x21-\x7e]+$/.test(name)) fail(`attribute name '${name}' must be non-empty printable ASCII without spaces`, name);
    add([name], values, `attribute '${name}'`);
  }

  const names = sources.flatMap((source) => source.names);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name.toLowerCase())) fail(`attribute name '${name}' clashes with another property`, name);
    seen.add(name.toLowerCase());
  }
  // The reader assigns roles by name; make sure every attribute reads back as an attribute.
  const roles = assignPlyPropertyRoles(names);
  for (const index of roles.attributes) {
    if (index < roleCount) fail(`internal role mismatch for '${names[index]}'`);
  }
  const attributeIndices = new Set(roles.attributes);
  for (let index = roleCount; index < names.length; index++) {
    if (!attributeIndices.has(index)) {
      fail(`attribute '${names[index]}' would be read back as a point-cloud field (colour, normal, label…); rename it`, names[index]);
    }
  }

  const headerLines = ['ply', 'format binary_little_endian 1.0'];
  for (const comment of cloud.metadata?.comments ?? []) headerLines.push(`comment ${comment.replace(/[\r\n]+/g, ' ')}`);
  headerLines.push(`element vertex ${pointCount}`);
  for (const source of sources) for (const name of source.names) headerLines.push(`property ${source.typeName} ${name}`);
  headerLines.push('end_header', '');
  const header = new TextEncoder().encode(headerLines.join('\n'));

  const stride = sources.reduce((sum, source) => sum + source.byteSize * source.names.length, 0);
  const writeRows = (first: number, end: number, target: Uint8Array): void => {
    let rowByteOffset = 0;
    for (const source of sources) {
      const width = source.names.length;
      scatterColumn(source.values.subarray(first * width, end * width), source.byteSize, width, target, end - first, stride, rowByteOffset);
      rowByteOffset += source.byteSize * width;
    }
  };
  return { header, stride, writeRows };
}

/** Copies `pointCount` rows of `width` values of `byteSize` bytes into every `stride`-th slot of `body`, little-endian. */
function scatterColumn(
  values: PointAttributeArray,
  byteSize: number,
  width: number,
  body: Uint8Array,
  pointCount: number,
  stride: number,
  rowByteOffset: number,
): void {
  const source = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const rowBytes = byteSize * width;
  if (HOST_IS_LITTLE_ENDIAN || byteSize === 1) {
    copyStridedBytes(source, 0, rowBytes, body, rowByteOffset, stride, pointCount, rowBytes);
    return;
  }
  // A big-endian host: every value's bytes reversed.
  for (let index = 0, target = rowByteOffset, read = 0; index < pointCount; index++, target += stride, read += rowBytes) {
    for (let byte = 0; byte < rowBytes; byte++) {
      const within = byte % byteSize;
      body[target + byte] = source[read + byte - within + byteSize - 1 - within];
    }
  }
}
