import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { decompressLzf, LzfDecompressor } from '../src/pcd/lzf-decompressor.js';
import { readPcd } from '../src/pcd/pcd-reader.js';
import { readPointCloudStream } from '../src/read-point-cloud-stream.js';
import { buildPcd, packRgb, type SyntheticField } from './pcd-test-files.js';
import { SHARED_DATA_DIRECTORY } from './shared-data.js';
import { caught, chunkRandomly, expectMonotoneToEnd, expectSameCloud, iterate, readStreamed } from './stream-test-helpers.js';

/** Cuts `bytes` into chunks of exactly `size` bytes (the last shorter). */
function chunkEvenly(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.slice(offset, offset + size));
  return chunks;
}

const realPcdFiles = [join(SHARED_DATA_DIRECTORY, 'fixtures', 'office1.pcd'), join(SHARED_DATA_DIRECTORY, 'osd-learn', 'learn0.pcd'), join(SHARED_DATA_DIRECTORY, 'osd-learn', 'learn40.pcd')];

describe('readPointCloudStream on real PCD files (binary_compressed): same cloud as readPcd', () => {
  for (const path of realPcdFiles) {
    const name = path.split('/').slice(-2).join('/');
    it.skipIf(!existsSync(path))(`${name}${existsSync(path) ? '' : ' (skipped: not in shared data)'}, chunks of 7 bytes (office1) and of random sizes`, async () => {
      const bytes = new Uint8Array(readFileSync(path));
      const whole = await readPcd(bytes, { fileName: name });
      expect(whole.pointCount).toBeGreaterThan(100_000);
      // 7-byte chunks (every LZF token cut somewhere) on office1.pcd only: 270,000 chunks take seconds per file.
      const chunkings = path === realPcdFiles[0] ? [chunkEvenly(bytes, 7), chunkRandomly(bytes, 4099, 21)] : [chunkRandomly(bytes, 997, 22), chunkRandomly(bytes, 65_536, 23)];
      for (const chunks of chunkings) {
        const reports: { bytesRead: number; totalBytes: number }[] = [];
        const cloud = await readPointCloudStream(iterate(chunks), { fileName: name, totalBytes: bytes.length, onProgress: (report) => reports.push(report) });
        expectSameCloud(cloud, whole);
        expectMonotoneToEnd(reports, bytes.length);
      }
    });
  }
});

/** Points 1 and 6 (of every 10) have no return; every field kind the reader maps, 8-byte integers and COUNT > 1 included. */
function syntheticFields(pointCount: number): SyntheticField[] {
  const coordinate = (point: number, axis: number): number => (point % 10 === 1 && axis === 0) || (point % 10 === 6 && axis === 2) ? Number.NaN : point * 0.5 + axis * 0.25 - pointCount / 7;
  return [
    { name: 'label', size: 4, type: 'U', count: 1, values: (point) => [point % 13] },
    { name: 'x', size: 4, type: 'F', count: 1, values: (point) => [coordinate(point, 0)] },
    { name: 'y', size: 8, type: 'F', count: 1, values: (point) => [coordinate(point, 1) / 3] },
    { name: 'z', size: 2, type: 'I', count: 1, values: (point) => [Number.isNaN(coordinate(point, 2)) ? Number.NaN : point % 500] },
    { name: 'rgb', size: 4, type: 'F', count: 1, values: (point) => [packRgb((10 * point) & 0xff, 255 - (point & 0xff), (3 * point + 1) & 0xff)] },
    { name: 'normal_x', size: 4, type: 'F', count: 1, values: (point) => [point % 2] },
    { name: 'normal_y', size: 4, type: 'F', count: 1, values: () => [1] },
    { name: 'normal_z', size: 4, type: 'F', count: 1, values: (point) => [-point / 1000] },
    { name: 'intensity', size: 2, type: 'U', count: 1, values: (point) => [1000 + point] },
    { name: 'object_id', size: 2, type: 'I', count: 1, values: (point) => [point < 6 ? 1 : -2] },
    { name: 'histogram', size: 1, type: 'U', count: 3, values: (point) => [point & 0xff, 7, 255] },
    { name: 'stamp', size: 8, type: 'U', count: 1, values: (point) => [2 ** 40 + point] },
    { name: 'offset', size: 8, type: 'I', count: 1, values: (point) => [-(2 ** 35) - point] },
  ];
}

describe.each(['ascii', 'binary', 'binary_compressed'] as const)('readPointCloudStream on generated DATA %s PCD files', (dataKind) => {
  it('0, 1 and 301 points (organised 43 × 7), chunks of 1 byte, 7 bytes and random sizes: the cloud readPcd reads', async () => {
    for (const [width, height] of [[0, 1], [1, 1], [43, 7]] as const) {
      // The z field is an integer in binary files, so NaN cannot be stored there: drop points by x only then.
      const fields = syntheticFields(width * height).map((field) => (field.name === 'z' && dataKind !== 'ascii' ? { ...field, values: (point: number) => [point % 500] } : field));
      const bytes = buildPcd(fields, width, height, dataKind);
      const whole = await readPcd(bytes);
      expect(whole.pointCount).toBe(width * height - (width * height > 1 ? whole.metadata!.droppedPointCount! : 0));
      if (width * height > 10) expect(whole.metadata!.droppedPointCount).toBeGreaterThan(0);
      for (const chunks of [chunkEvenly(bytes, 1), chunkEvenly(bytes, 7), chunkRandomly(bytes, 300, width + 1)]) {
        const reports: { bytesRead: number; totalBytes: number }[] = [];
        const cloud = await readPointCloudStream(iterate(chunks), { fileName: 'generated.pcd', totalBytes: bytes.length, onProgress: (report) => reports.push(report) });
        expectSameCloud(cloud, whole);
        expectMonotoneToEnd(reports, bytes.length);
      }
    }
  });

  it('a stream that stops early (header, body, last byte) fails with a PCD PointCloudFormatError naming where', async () => {
    const bytes = buildPcd(syntheticFields(50).slice(1, 4), 50, 1, dataKind);
    const dataStart = new TextDecoder('latin1').decode(bytes).indexOf(`DATA ${dataKind}\n`) + `DATA ${dataKind}\n`.length;
    for (const cut of [20, dataStart - 2, dataStart + 3, dataStart + Math.floor((bytes.length - dataStart) / 2), bytes.length - 1]) {
      for (const chunks of [chunkEvenly(bytes.subarray(0, cut), 1), chunkRandomly(bytes.subarray(0, cut), 64, cut)]) {
        const error = (await caught(readPointCloudStream(iterate(chunks), { fileName: 'cut.pcd', totalBytes: bytes.length }))) as PointCloudFormatError;
        expect(error, `cut at ${cut}`).toBeInstanceOf(PointCloudFormatError);
        expect(error.format).toBe('pcd');
        expect(error.fileName).toBe('cut.pcd');
        expect(error.byteOffset !== undefined || error.line !== undefined, `cut at ${cut}: ${error.message}`).toBe(true);
        expect(error.byteOffset ?? 0).toBeLessThanOrEqual(bytes.length);
      }
    }
  });

  it('a stream holding more bytes than declared fails', async () => {
    const bytes = buildPcd(syntheticFields(20).slice(1, 4), 20, 1, dataKind);
    const error = await caught(readPointCloudStream(iterate([...chunkEvenly(bytes, 7), new Uint8Array(3)]), { totalBytes: bytes.length }));
    expect(error).toBeInstanceOf(PointCloudFormatError);
    expect((error as PointCloudFormatError).message).toMatch(new RegExp(`more than the declared ${bytes.length} bytes`));
  });
});

describe('readPointCloudStream PCD errors match readPcd', () => {
  it('binary: a point count the declared size cannot hold is refused before allocating, with the same field and message start', async () => {
    const bytes = buildPcd(syntheticFields(10).slice(1, 4), 10, 1, 'binary');
    const text = new TextDecoder('latin1').decode(bytes).replace('WIDTH 10', 'WIDTH 900000000').replace('POINTS 10', 'POINTS 900000000');
    const claimed = Uint8Array.from(text, (character) => character.charCodeAt(0));
    const whole = (await caught(readPcd(claimed))) as PointCloudFormatError;
    const streamed = (await caught(readPointCloudStream(iterate(chunkEvenly(claimed, 5)), { totalBytes: claimed.length }))) as PointCloudFormatError;
    expect(streamed).toBeInstanceOf(PointCloudFormatError);
    expect([streamed.field, streamed.byteOffset, streamed.message]).toEqual([whole.field, whole.byteOffset, whole.message]);
  });

  it('ascii: a bad token, a short line and a missing line report the same line as readPcd', async () => {
    const good = new TextDecoder('latin1').decode(buildPcd(syntheticFields(6).slice(1, 4), 6, 1, 'ascii'));
    const lines = good.split('\n');
    const variants = [
      good.replace(lines[12], `${lines[12]} 9`),
      good.replace(lines[13], lines[13].replace(/^[^ ]+/, 'x1')),
      good.slice(0, good.lastIndexOf('\n', good.length - 2) + 1),
    ];
    for (const variant of variants) {
      const bytes = Uint8Array.from(variant, (character) => character.charCodeAt(0));
      const whole = (await caught(readPcd(bytes))) as PointCloudFormatError;
      expect(whole).toBeInstanceOf(PointCloudFormatError);
      const streamed = (await caught(readPointCloudStream(iterate(chunkEvenly(bytes, 3)), { totalBytes: bytes.length }))) as PointCloudFormatError;
      expect([streamed.line, streamed.field, streamed.message]).toEqual([whole.line, whole.field, whole.message]);
    }
  });

  it.skipIf(!existsSync(realPcdFiles[0]))('binary_compressed: corrupt LZF data in office1.pcd fails at the same file offset as readPcd', async () => {
    const bytes = new Uint8Array(readFileSync(realPcdFiles[0]));
    const damaged = bytes.slice();
    // Back references far before the start of the output, somewhere in the middle of the block.
    damaged.fill(0xff, bytes.length - 400_000, bytes.length - 399_990);
    const whole = (await caught(readPcd(damaged))) as PointCloudFormatError;
    expect(whole).toBeInstanceOf(PointCloudFormatError);
    const streamed = (await caught(readStreamed(damaged, { largest: 5000, seed: 3 }))) as PointCloudFormatError;
    expect([streamed.byteOffset, streamed.message]).toEqual([whole.byteOffset, whole.message]);
  });
});

describe('LzfDecompressor', () => {
  it('decompresses a stream pushed in pieces of any size to what decompressLzf gives, and fails a cut token at the end', () => {
    // Literal runs, a short and an extended back reference (overlapping), as liblzf writes them.
    const compressed = Uint8Array.from([4, 1, 2, 3, 4, 5, 0x40, 4, 0xe0, 20, 1, 1, 1, 9]);
    const context = { format: 'pcd', byteOffset: 100 };
    const expected = decompressLzf(compressed, 5 + 4 + 29 + 2, context);
    for (let pieceSize = 1; pieceSize <= compressed.length; pieceSize++) {
      const decompressor = new LzfDecompressor(expected.length, context);
      for (let offset = 0; offset < compressed.length; offset += pieceSize) decompressor.push(compressed.subarray(offset, offset + pieceSize));
      expect(Array.from(decompressor.finish()), `pieces of ${pieceSize}`).toEqual(Array.from(expected));
    }
    const cut = new LzfDecompressor(expected.length, context);
    cut.push(compressed.subarray(0, 9));
    expect(() => cut.finish()).toThrow(/back reference length byte missing|decompressed to/);
  });
});
