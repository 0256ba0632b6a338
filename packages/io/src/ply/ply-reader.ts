import { guardAllocations } from '../core/point-cloud-allocation.js';
import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';
import { decodeAsciiBody } from './ply-ascii-body.js';
import { decodeBinaryBody } from './ply-binary-body.js';
import { parsePlyHeader } from './ply-header.js';
import { assemblePointCloud } from './ply-vertex-assembly.js';

/**
 * Reads a PLY file (ascii, binary_little_endian or binary_big_endian) into a {@link PointCloud}.
 *
 * Meshes are read as their vertices; face elements and list properties are skipped. Vertex properties map to
 * fields by name: x y z → positions (any scalar type, doubles included), red green blue → colors (uchar as is,
 * ushort scaled by 1/257, float/double 0..1 scaled by 255, or taken as 0..255 when any value exceeds 1),
 * nx ny nz → normals, intensity / scalar_intensity → intensity, instance-like names (`instance`, `instance_id`,
 * `objectId`, …) → instance, semantic-like names (`semantic`, `sem_label`, `class`, `label`, …) → semantic, and
 * every other scalar vertex property → `attributes[name]` in its own type.
 *
 * @throws {PointCloudFormatError} ({@link PointCloudAllocationError} when the arrays do not fit memory) on bad magic, a missing `end_header`, unsupported types, counts larger than the
 *   bytes present, a truncated body, malformed ASCII values or non-finite positions (naming the byte offset or line).
 */
export async function readPly(bytes: Uint8Array, options: ReaderOptions = {}): Promise<PointCloud> {
  return guardAllocations({ format: 'ply', fileName: options.fileName }, () => decodePly(bytes, options.fileName));
}

/** Synchronous core of {@link readPly}. */
export function decodePly(bytes: Uint8Array, fileName?: string): PointCloud {
  const header = parsePlyHeader(bytes, fileName);
  const vertexElement = header.elements.find((element) => element.name === 'vertex');
  if (vertexElement === undefined) {
    throw new PointCloudFormatError({ format: 'ply', fileName, message: "no 'vertex' element in the header", field: 'vertex' });
  }
  const decoded =
    header.encoding === 'ascii'
      ? decodeAsciiBody(bytes, header, vertexElement, fileName)
      : decodeBinaryBody(bytes, header, vertexElement, header.encoding === 'binary_little_endian', fileName);
  return assemblePointCloud(decoded, vertexElement, header, fileName);
}
