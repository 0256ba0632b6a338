/**
 * The chunked writers against the whole-buffer writers on real data (a ScanNet room, the SemanticKITTI labels, the
 * LAS fixture and the LAZ fixture with its extra-bytes field): the chunks, concatenated, are the same bytes for random
 * chunk sizes, every chunk ends on a whole record, and bad input fails before the first chunk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChunkedFile } from '../src/core/chunked-file.js';
import type { PointCloud } from '../src/core/point-cloud.js';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readSemanticKittiLabels } from '../src/kitti/semantickitti-label-reader.js';
import { writeSemanticKittiLabelChunks, writeSemanticKittiLabels } from '../src/kitti/semantickitti-label-writer.js';
import { readLas } from '../src/las/las-reader.js';
import { writeLas, writeLasChunks } from '../src/las/las-writer.js';
import { readVotenetScene } from '../src/node/scenes/votenet-scene-reader.js';
import { writePly, writePlyChunks } from '../src/ply/ply-writer.js';
import { createCaseRandom } from './fuzz/fuzz-corpus.js';
import { SHARED_DATA_DIRECTORY } from './shared-data.js';

const labelPath = join(SHARED_DATA_DIRECTORY, 'semantickitti', '000000.label');
const votenetDirectory = join(SHARED_DATA_DIRECTORY, 'scannet-votenet');
const autzenPath = join(SHARED_DATA_DIRECTORY, 'fixtures', 'autzen_trim.las');
const conifersPath = join(SHARED_DATA_DIRECTORY, 'fixtures', 'MixedConifer.laz');
const hasRoom = existsSync(join(votenetDirectory, 'scene0000_00_vert.npy'));
for (const [present, path] of [[hasRoom, votenetDirectory], [existsSync(labelPath), labelPath], [existsSync(autzenPath), autzenPath], [existsSync(conifersPath), conifersPath]] as const) {
  if (!present) console.warn(`chunked-writers.test: skipping its cases on ${path} (missing; set POINTCLICK_SHARED_DATA)`);
}

/** Chunk sizes to try: one byte, one under and over a record, and random sizes from 1 byte to 2 MiB (fixed seed). */
function chunkSizes(recordBytes: number, seed: number): number[] {
  const random = createCaseRandom(seed, 0, 0);
  const sizes = [1, recordBytes - 1, recordBytes, recordBytes + 1, 65_536];
  for (let draw = 0; draw < 6; draw++) sizes.push(1 + Math.floor(random() ** 3 * 2 * 1024 * 1024));
  return sizes.filter((size) => size >= 1);
}

/** Checks the chunks of `file` against `whole`: same bytes, the declared length, and records never split. */
function expectSameBytes(file: ChunkedFile, whole: Uint8Array, chunkBytes: number, recordBytes: number, prefixBytes: number): number {
  expect(file.byteLength).toBe(whole.length);
  const recordsPerChunk = Math.max(1, Math.floor(chunkBytes / recordBytes));
  let offset = 0;
  let chunkCount = 0;
  for (const chunk of file.chunks()) {
    // Plain checks in the loop: one-record chunks of a 123,389-point file are too many for `expect` calls.
    if (offset === 0 && prefixBytes > 0) {
      if (chunk.length !== prefixBytes) throw new Error(`the header chunk has ${chunk.length} bytes, expected ${prefixBytes}`);
    } else if (chunk.length % recordBytes !== 0 || chunk.length > recordsPerChunk * recordBytes) {
      throw new Error(`chunk ${chunkCount} (chunkBytes ${chunkBytes}) has ${chunk.length} bytes: not whole records of ${recordBytes}, or more than ${recordsPerChunk} of them`);
    }
    if (Buffer.compare(chunk, whole.subarray(offset, offset + chunk.length)) !== 0) throw new Error(`chunk ${chunkCount} (chunkBytes ${chunkBytes}) differs from the whole file at byte ${offset}`);
    offset += chunk.length;
    chunkCount++;
  }
  expect(offset).toBe(whole.length);
  return chunkCount;
}

describe('chunked writers write the whole-buffer writers’ bytes', () => {
  it.skipIf(!hasRoom)('PLY and LAS of a ScanNet room (50,000 points, colours, instance, semantic)', async () => {
    const room = await readVotenetScene(votenetDirectory, 'scene0000_00');
    const cloud: PointCloud = { pointCount: room.pointCount, positions: room.positions, colors: room.colors, instance: room.instance, semantic: room.semantic };
    const ply = writePly(cloud);
    const plyRow = 12 + 3 + 4 + 4;
    const plyHeader = ply.length - cloud.pointCount * plyRow;
    for (const chunkBytes of chunkSizes(plyRow, 1)) {
      const chunkCount = expectSameBytes(writePlyChunks(cloud, { chunkBytes }), ply, chunkBytes, plyRow, plyHeader);
      expect(chunkCount).toBe(1 + Math.ceil(cloud.pointCount / Math.max(1, Math.floor(chunkBytes / plyRow))));
    }
    const las = writeLas(cloud);
    const lasRecord = 36 + 4; // point format 7 + the int32 instance field
    for (const chunkBytes of chunkSizes(lasRecord, 2)) expectSameBytes(writeLasChunks(cloud, { chunkBytes }), las, chunkBytes, lasRecord, las.length - cloud.pointCount * lasRecord);
    // The default is 4 MiB: a 2 MB LAS is its header and one chunk of records.
    expect([...writeLasChunks(cloud).chunks()].length).toBe(2);
  });

  it.skipIf(!existsSync(labelPath))('SemanticKITTI labels: the real scan’s .label, byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(labelPath));
    const labels = readSemanticKittiLabels(bytes);
    expect(writeSemanticKittiLabels(labels)).toEqual(bytes);
    for (const chunkBytes of chunkSizes(4, 3)) expectSameBytes(writeSemanticKittiLabelChunks(labels, { chunkBytes }), bytes, chunkBytes, 4, 0);
  });

  it.skipIf(!existsSync(autzenPath) || !existsSync(conifersPath))('LAS of the LAS fixture (return numbers, GPS time) and of the LAZ fixture (extra-bytes treeID)', async () => {
    for (const path of [autzenPath, conifersPath]) {
      const cloud = await readLas(new Uint8Array(readFileSync(path)), { fileName: path });
      const whole = writeLas(cloud);
      const recordBytes = new DataView(whole.buffer).getUint16(105, true);
      if (path === conifersPath) expect(cloud.attributes?.treeID).toBeInstanceOf(Float64Array);
      for (const chunkBytes of chunkSizes(recordBytes, 4)) expectSameBytes(writeLasChunks(cloud, { chunkBytes }), whole, chunkBytes, recordBytes, new DataView(whole.buffer).getUint32(96, true));
      // And what the reader makes of the chunks is the cloud it read.
      const chunks = [...writeLasChunks(cloud, { chunkBytes: 100_000 }).chunks()];
      const back = await readLas(new Uint8Array(Buffer.concat(chunks)));
      expect(back.pointCount).toBe(cloud.pointCount);
      expect(back.semantic).toEqual(cloud.semantic);
      expect(back.attributes?.treeID).toEqual(cloud.attributes?.treeID);
    }
  });
});

/** The error `action` throws (a test failure when it throws none). */
function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('chunked writers check everything before the first chunk', () => {
  const cloud: PointCloud = { pointCount: 3, positions: new Float32Array(9), semantic: Int32Array.from([1, 300, 2]) };

  it('refuses bad labels when called, not halfway through the chunks', () => {
    expect(() => writeLasChunks(cloud)).toThrow(PointCloudFormatError);
    expect(() => writeLasChunks(cloud)).toThrow(/semantic 300 of point 1/);
    expect(() => writeSemanticKittiLabelChunks({ semantic: Int32Array.from([1, 2]), instance: Int32Array.from([0, 70_000]) })).toThrow(/instance 70000 of point 1/);
    expect(() => writePlyChunks({ ...cloud, semantic: undefined, instance: new Int32Array(2) })).toThrow(/instance has 2 values, expected 3/);
  });

  it('refuses a coordinate beyond int32 at the chosen scale, naming the point, before any chunk', () => {
    const far: PointCloud = { pointCount: 3, positions: Float32Array.from([0, 0, 0, 5e6, 0, 0, 1, 1, 1]) };
    expect(thrownBy(() => writeLasChunks(far, { scale: 0.001 }))).toMatchObject({ name: 'PointCloudFormatError', field: 'positions', pointIndex: 1 });
    expect(thrownBy(() => writeLas(far, { scale: 0.001 }))).toMatchObject({ name: 'PointCloudFormatError', field: 'positions', pointIndex: 1 });
    expect(writeLasChunks(far, { scale: 0.01 }).byteLength).toBe(writeLas(far, { scale: 0.01 }).length);
  });

  it('refuses a chunk size that is not a positive whole number of bytes', () => {
    for (const chunkBytes of [0, -4, 1.5, Number.NaN]) {
      expect(thrownBy(() => writePlyChunks({ pointCount: 1, positions: new Float32Array(3) }, { chunkBytes }))).toMatchObject({ name: 'PointCloudFormatError', field: 'chunkBytes' });
    }
  });
});
