import { DatasetError } from '../core/labeled-scene.js';
import type { PreprocessedScene } from '../training/scene-preprocessing.js';
import { computeCrc32 } from '@pointclick/io';

/** First four bytes of a scene cache file: 'PCSC'. */
export const SCENE_CACHE_MAGIC = 0x43534350;
/** Layout version written by this package; files of any other version are rebuilt. */
export const SCENE_CACHE_VERSION = 1;

/**
 * Encodes a preprocessed scene into the compact cache layout (little-endian):
 *
 * ```
 * u32 magic 'PCSC' | u32 version | u32 header JSON byte length | header JSON (UTF-8) | pad to 4
 * f32 positions [N,3] | i32 instance [N] | i32 semantic [N] | i32 candidates (all instances, concatenated)
 * u8 colors [N,3] | pad to 4 | u32 CRC-32 of every byte before it
 * ```
 *
 * The header JSON holds the id, point count, class names, offset, voxel size, the candidate counts per
 * instance and the caller's `sourceKey` (what the scene was built from and how), which makes stale files
 * detectable.
 */
export function encodeSceneCache(scene: PreprocessedScene, sourceKey: string): Uint8Array {
  const candidateIds = [...scene.clickCandidates.keys()].sort((first, second) => first - second);
  const candidateCounts = candidateIds.map((id) => scene.clickCandidates.get(id)!.length);
  const candidateTotal = candidateCounts.reduce((sum, count) => sum + count, 0);
  const header = new TextEncoder().encode(
    JSON.stringify({
      id: scene.id,
      pointCount: scene.pointCount,
      classNames: scene.classNames,
      offset: scene.offset,
      voxelSize: scene.voxelSize,
      candidateIds,
      candidateCounts,
      sourceKey,
    }),
  );
  const pointCount = scene.pointCount;
  const headerEnd = align4(12 + header.length);
  const positionsStart = headerEnd;
  const instanceStart = positionsStart + pointCount * 12;
  const semanticStart = instanceStart + pointCount * 4;
  const candidatesStart = semanticStart + pointCount * 4;
  const colorsStart = candidatesStart + candidateTotal * 4;
  const checksumStart = align4(colorsStart + pointCount * 3);
  const bytes = new Uint8Array(checksumStart + 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, SCENE_CACHE_MAGIC, true);
  view.setUint32(4, SCENE_CACHE_VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  for (let index = 0; index < pointCount * 3; index++) view.setFloat32(positionsStart + index * 4, scene.positions[index], true);
  for (let index = 0; index < pointCount; index++) {
    view.setInt32(instanceStart + index * 4, scene.instance[index], true);
    view.setInt32(semanticStart + index * 4, scene.semantic[index], true);
  }
  let cursor = candidatesStart;
  for (const id of candidateIds) {
    for (const pointIndex of scene.clickCandidates.get(id)!) {
      view.setInt32(cursor, pointIndex, true);
      cursor += 4;
    }
  }
  bytes.set(scene.colors.subarray(0, pointCount * 3), colorsStart);
  view.setUint32(checksumStart, computeCrc32(bytes, 0, checksumStart), true);
  return bytes;
}

/** What {@link decodeSceneCache} found. */
export interface DecodedSceneCache {
  /** The scene. */
  scene: PreprocessedScene;
  /** The `sourceKey` it was written with. */
  sourceKey: string;
}

/**
 * Decodes a cache file written by {@link encodeSceneCache}.
 *
 * @throws {@link DatasetError} naming the field for a wrong magic, another version, a checksum mismatch, a
 *   truncated file or an inconsistent header.
 */
export function decodeSceneCache(bytes: Uint8Array, fileName = 'scene cache'): DecodedSceneCache {
  const fail = (field: string, message: string): never => {
    throw new DatasetError({ fileName, field, message });
  };
  if (bytes.length < 16) fail('length', `${bytes.length} bytes, expected at least 16`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== SCENE_CACHE_MAGIC) fail('magic (byte 0)', `expected 'PCSC'`);
  const version = view.getUint32(4, true);
  if (version !== SCENE_CACHE_VERSION) fail('version (byte 4)', `version ${version}, expected ${SCENE_CACHE_VERSION}`);
  const checksumStart = bytes.length - 4;
  const stored = view.getUint32(checksumStart, true);
  const computed = computeCrc32(bytes, 0, checksumStart);
  if (stored !== computed) fail(`checksum (byte ${checksumStart})`, `CRC-32 ${computed.toString(16)} of the contents, stored ${stored.toString(16)}`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > checksumStart) fail('header length (byte 8)', `${headerLength} bytes overruns the file`);
  let header: {
    id: string;
    pointCount: number;
    classNames: string[];
    offset: [number, number, number];
    voxelSize: number;
    candidateIds: number[];
    candidateCounts: number[];
    sourceKey: string;
  };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as typeof header;
  } catch (error) {
    throw new DatasetError({ fileName, field: 'header (byte 12)', message: 'header is not JSON', cause: error });
  }
  const pointCount = header.pointCount;
  const candidateTotal = header.candidateCounts.reduce((sum, count) => sum + count, 0);
  const positionsStart = align4(12 + headerLength);
  const instanceStart = positionsStart + pointCount * 12;
  const semanticStart = instanceStart + pointCount * 4;
  const candidatesStart = semanticStart + pointCount * 4;
  const colorsStart = candidatesStart + candidateTotal * 4;
  if (align4(colorsStart + pointCount * 3) !== checksumStart) {
    fail('pointCount', `${pointCount} points and ${candidateTotal} candidates do not fill the ${bytes.length}-byte file`);
  }
  const positions = new Float32Array(pointCount * 3);
  for (let index = 0; index < pointCount * 3; index++) positions[index] = view.getFloat32(positionsStart + index * 4, true);
  const instance = new Int32Array(pointCount);
  const semantic = new Int32Array(pointCount);
  for (let index = 0; index < pointCount; index++) {
    instance[index] = view.getInt32(instanceStart + index * 4, true);
    semantic[index] = view.getInt32(semanticStart + index * 4, true);
  }
  const clickCandidates = new Map<number, Int32Array>();
  let cursor = candidatesStart;
  header.candidateIds.forEach((id, position) => {
    const candidates = new Int32Array(header.candidateCounts[position]);
    for (let index = 0; index < candidates.length; index++) {
      candidates[index] = view.getInt32(cursor, true);
      cursor += 4;
    }
    clickCandidates.set(id, candidates);
  });
  return {
    scene: {
      id: header.id,
      pointCount,
      positions,
      colors: bytes.slice(colorsStart, colorsStart + pointCount * 3),
      instance,
      semantic,
      classNames: header.classNames,
      offset: header.offset,
      voxelSize: header.voxelSize,
      clickCandidates,
    },
    sourceKey: header.sourceKey,
  };
}

function align4(value: number): number {
  return (value + 3) & ~3;
}
