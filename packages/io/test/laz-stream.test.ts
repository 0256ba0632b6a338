import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReadProgress } from '../src/core/byte-stream-reader.js';
import type { PointCloud } from '../src/core/point-cloud.js';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { createBlobByteSource, type RandomAccessByteSource } from '../src/core/random-access-source.js';
import { LASZIP_CHUNK_POINTS, writeLaz } from '../src/las/laz-writer.js';
import { readPointCloudFile, readPointCloudFileStream } from '../src/node/index.js';
import { readPointCloud } from '../src/read-point-cloud.js';
import { readPointCloudBlob, readPointCloudSource, readPointCloudStream } from '../src/read-point-cloud-stream.js';
import { SHARED_DATA_DIRECTORY } from './shared-data.js';
import { caught, chunkRandomly, expectMonotoneToEnd, expectSameCloud, iterate } from './stream-test-helpers.js';

const fixture = (name: string): string => join(SHARED_DATA_DIRECTORY, 'fixtures', name);
const realLazFiles = ['Topography.laz', 'MixedConifer.laz'];

/** Cuts `bytes` into chunks of exactly `size` bytes (the last shorter). */
function chunkEvenly(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.slice(offset, offset + size));
  return chunks;
}

/** A source over `bytes` that records the size of every read. */
function recordingSource(bytes: Uint8Array): { source: RandomAccessByteSource; reads: number[] } {
  const blobSource = createBlobByteSource(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  const reads: number[] = [];
  return {
    reads,
    source: {
      byteLength: blobSource.byteLength,
      read: async (offset, byteCount) => {
        const read = await blobSource.read(offset, byteCount);
        reads.push(read.length);
        return read;
      },
      stream: () => {
        throw new Error('a chunked LAZ file must not be streamed whole');
      },
    },
  };
}

/** A layered LAZ (writeLaz: format 6 or 7 with extra bytes) of `pointCount` points along a wavy line. */
function generatedLaz(pointCount: number): Uint8Array {
  const cloud: PointCloud = {
    pointCount,
    positions: Float32Array.from({ length: pointCount * 3 }, (_, index) => Math.sin(index * 0.37) * 20 + (index % 3)),
    colors: Uint8Array.from({ length: pointCount * 3 }, (_, index) => (index * 7) % 251),
    intensity: Float32Array.from({ length: pointCount }, (_, index) => index % 65536),
    semantic: Int32Array.from({ length: pointCount }, (_, index) => index % 20),
    attributes: { confidence: Float32Array.from({ length: pointCount }, (_, index) => index / 3) },
  };
  return writeLaz(cloud);
}

describe('LAZ read one LASzip chunk at a time from a random-access source', () => {
  for (const name of realLazFiles) {
    it.skipIf(!existsSync(fixture(name)))(`${name}${existsSync(fixture(name)) ? '' : ' (skipped: not in shared data)'}: Blob and file handle give readPointCloud's cloud, reading one chunk at a time`, async () => {
      const bytes = new Uint8Array(readFileSync(fixture(name)));
      const whole = await readPointCloud(bytes, { fileName: name });
      expect(whole.pointCount).toBeGreaterThan(30_000);
      const reports: ReadProgress[] = [];
      expectSameCloud(await readPointCloudBlob(new Blob([bytes]), { fileName: name, onProgress: (report) => reports.push(report) }), whole);
      expectMonotoneToEnd(reports, bytes.length);
      const fileReports: ReadProgress[] = [];
      expectSameCloud(await readPointCloudFileStream(fixture(name), { onProgress: (report) => fileReports.push(report) }), await readPointCloudFile(fixture(name)));
      expectMonotoneToEnd(fileReports, bytes.length);
      // The largest read is one chunk (of at most 50,000 points): Topography.laz has two, MixedConifer.laz one.
      const { source, reads } = recordingSource(bytes);
      expectSameCloud(await readPointCloudSource(source, { fileName: name }), whole);
      expect(Math.max(...reads)).toBeLessThan(whole.pointCount > LASZIP_CHUNK_POINTS ? bytes.length * 0.75 : bytes.length);
    });
  }

  it('writeLaz files of 0, 1 and 120,001 points (three chunks): the same cloud, each read at most one chunk', async () => {
    for (const pointCount of [0, 1, 2 * LASZIP_CHUNK_POINTS + 20_001]) {
      const bytes = generatedLaz(pointCount);
      const whole = await readPointCloud(bytes, { fileName: 'generated.laz' });
      expect(whole.pointCount).toBe(pointCount);
      const { source, reads } = recordingSource(bytes);
      const reports: ReadProgress[] = [];
      expectSameCloud(await readPointCloudSource(source, { fileName: 'generated.laz', onProgress: (report) => reports.push(report) }), whole);
      expectMonotoneToEnd(reports, bytes.length);
      if (pointCount > LASZIP_CHUNK_POINTS) expect(Math.max(...reads)).toBeLessThan(bytes.length / 2);
    }
  });

  it('a cut file, a chunk table pointer past the end and a damaged chunk table fail with a LAZ PointCloudFormatError naming the field', async () => {
    const bytes = generatedLaz(LASZIP_CHUNK_POINTS + 10);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const pointDataOffset = view.getUint32(96, true);
    const tableOffset = Number(view.getBigInt64(pointDataOffset, true));
    const cases: [string, Uint8Array, string][] = [
      ['cut in the second chunk', bytes.slice(0, tableOffset - 100), 'chunkTableOffset'],
      ['cut before the table', bytes.slice(0, tableOffset + 4), 'chunkTableOffset'],
      ['chunk count 5', (() => { const copy = bytes.slice(); new DataView(copy.buffer).setUint32(tableOffset + 4, 5, true); return copy; })(), 'chunk byte count'],
      ['table version 2', (() => { const copy = bytes.slice(); new DataView(copy.buffer).setUint32(tableOffset, 2, true); return copy; })(), 'chunkTable'],
      ['point count + 1', (() => { const copy = bytes.slice(); new DataView(copy.buffer).setBigUint64(247, BigInt(LASZIP_CHUNK_POINTS + 11), true); return copy; })(), 'chunk point count'],
      ['point count 2 chunks + 1', (() => { const copy = bytes.slice(); new DataView(copy.buffer).setBigUint64(247, BigInt(2 * LASZIP_CHUNK_POINTS + 1), true); return copy; })(), 'pointCount'],
      // The first layer of chunk 0 (after its raw record and point count) claims a megabyte.
      ['layer size', (() => { const copy = bytes.slice(); new DataView(copy.buffer).setUint32(pointDataOffset + 8 + view.getUint16(105, true) + 4, 1e6, true); return copy; })(), 'chunk layer sizes'],
    ];
    for (const [name, damaged, field] of cases) {
      const error = (await caught(readPointCloudBlob(new Blob([damaged as Uint8Array<ArrayBuffer>]), { fileName: 'damaged.laz' }))) as PointCloudFormatError;
      expect(error, name).toBeInstanceOf(PointCloudFormatError);
      expect([error.format, error.field], `${name}: ${error.message}`).toEqual(['laz', field]);
      expect(error.byteOffset, name).toBeGreaterThan(0);
    }
  });
});

describe('LAZ from a plain stream', () => {
  it('layered writeLaz files of 0, 1 and 120,001 points in chunks of 1 byte, 7 bytes and random sizes: readPointCloud\'s cloud', async () => {
    for (const pointCount of [0, 1, 2 * LASZIP_CHUNK_POINTS + 20_001]) {
      const bytes = generatedLaz(pointCount);
      const whole = await readPointCloud(bytes, { fileName: 'generated.laz' });
      // One-byte chunks of the large file would take a million awaits: 1 byte on the small ones only.
      const chunkings = pointCount > 1 ? [chunkEvenly(bytes, 7), chunkRandomly(bytes, 65_536, 5)] : [chunkEvenly(bytes, 1), chunkEvenly(bytes, 7), chunkRandomly(bytes, 50, 6)];
      for (const chunks of chunkings) {
        const reports: ReadProgress[] = [];
        const cloud = await readPointCloudStream(iterate(chunks), { fileName: 'generated.laz', totalBytes: bytes.length, onProgress: (report) => reports.push(report) });
        expectSameCloud(cloud, whole);
        expectMonotoneToEnd(reports, bytes.length);
      }
    }
  });

  for (const name of realLazFiles) {
    it.skipIf(!existsSync(fixture(name)))(`${name} (point-wise chunks: collected, then read whole), chunks of 7 bytes and random sizes`, async () => {
      const bytes = new Uint8Array(readFileSync(fixture(name)));
      const whole = await readPointCloud(bytes, { fileName: name });
      for (const chunks of [chunkEvenly(bytes, 7), chunkRandomly(bytes, 4099, 8)]) {
        expectSameCloud(await readPointCloudStream(iterate(chunks), { fileName: name, totalBytes: bytes.length }), whole);
      }
    });
  }

  it('a layered stream that stops within a chunk fails naming the chunk; one longer than declared fails', async () => {
    const bytes = generatedLaz(LASZIP_CHUNK_POINTS + 10);
    const pointDataOffset = new DataView(bytes.buffer, bytes.byteOffset).getUint32(96, true);
    for (const cut of [pointDataOffset + 20, pointDataOffset + 5000, bytes.length - 200]) {
      for (const chunks of [chunkEvenly(bytes.subarray(0, cut), 7), chunkRandomly(bytes.subarray(0, cut), 3000, cut)]) {
        const error = (await caught(readPointCloudStream(iterate(chunks), { fileName: 'cut.laz', totalBytes: bytes.length }))) as PointCloudFormatError;
        expect(error, `cut at ${cut}`).toBeInstanceOf(PointCloudFormatError);
        expect([error.format, error.field], `cut at ${cut}: ${error.message}`).toEqual(['laz', 'chunk']);
        expect(error.message).toMatch(/the stream ended within (the head of )?layered chunk [01]/);
        expect(error.byteOffset).toBeLessThanOrEqual(cut);
      }
    }
    const longer = await caught(readPointCloudStream(iterate([...chunkEvenly(bytes, 4096), new Uint8Array(5)]), { fileName: 'long.laz', totalBytes: bytes.length }));
    expect(longer).toBeInstanceOf(PointCloudFormatError);
    expect((longer as PointCloudFormatError).message).toMatch(new RegExp(`more than the declared ${bytes.length} bytes`));
  });

  it('a layered chunk claiming more points than the chunk size is refused', async () => {
    const bytes = generatedLaz(100);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const firstChunk = view.getUint32(96, true) + 8;
    const recordLength = view.getUint16(105, true);
    const damaged = bytes.slice();
    new DataView(damaged.buffer).setUint32(firstChunk + recordLength, LASZIP_CHUNK_POINTS + 1, true);
    const error = (await caught(readPointCloudStream(iterate(chunkEvenly(damaged, 64)), { fileName: 'damaged.laz', totalBytes: damaged.length }))) as PointCloudFormatError;
    expect([error.field, error.byteOffset]).toEqual(['chunk point count', firstChunk + recordLength]);
  });
});
