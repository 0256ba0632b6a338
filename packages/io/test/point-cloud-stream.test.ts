import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAZPerfLoader } from '@loaders.gl/las';
import { describe, expect, it } from 'vitest';
import type { ReadProgress } from '../src/core/byte-stream-reader.js';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readLas } from '../src/las/las-reader.js';
import { writeLas } from '../src/las/las-writer.js';
import { readNpy } from '../src/npy/npy-reader.js';
import { readPointCloudFile, readPointCloudFileStream } from '../src/node/index.js';
import { decodePly, readPly } from '../src/ply/ply-reader.js';
import { writePly } from '../src/ply/ply-writer.js';
import { readPointCloud } from '../src/read-point-cloud.js';
import { readPointCloudStream } from '../src/read-point-cloud-stream.js';
import { buildLas, makeSyntheticPoints } from './las-test-files.js';
import { buildPly, type TestPlyElement } from './ply-test-files.js';
import { SHARED_DATA_AVAILABLE, SHARED_DATA_DIRECTORY } from './shared-data.js';
import { caught, chunkRandomly, expectMonotoneToEnd, expectSameCloud, iterate, readStreamed } from './stream-test-helpers.js';

const fixture = (name: string): string => join(SHARED_DATA_DIRECTORY, 'fixtures', name);
const scannetRoomPath = join(SHARED_DATA_DIRECTORY, 'scannet-votenet', 'scene0000_00_vert.npy');
const scannetLabelPath = join(SHARED_DATA_DIRECTORY, 'scannet-votenet', 'scene0000_00_ins_label.npy');

/** A binary PLY of a ScanNet room (x y z r g b + instance labels) written by writePly. */
function scannetRoomPly(): Uint8Array {
  const vertices = readNpy(new Uint8Array(readFileSync(scannetRoomPath)));
  const labels = readNpy(new Uint8Array(readFileSync(scannetLabelPath)));
  const pointCount = vertices.shape[0];
  const data = vertices.data as Float32Array;
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) {
      positions[point * 3 + axis] = data[point * 6 + axis];
      colors[point * 3 + axis] = data[point * 6 + 3 + axis];
    }
  }
  return writePly({ pointCount, positions, colors, instance: Int32Array.from(labels.data as Uint32Array) });
}

const realFiles: { name: string; load: () => Uint8Array; available: boolean; streamedInPlace: boolean }[] = [
  { name: 'labelcloud_exemplary.ply', load: () => new Uint8Array(readFileSync(fixture('labelcloud_exemplary.ply'))), available: existsSync(fixture('labelcloud_exemplary.ply')), streamedInPlace: true },
  { name: 'autzen_trim.las', load: () => new Uint8Array(readFileSync(fixture('autzen_trim.las'))), available: existsSync(fixture('autzen_trim.las')), streamedInPlace: true },
  { name: 'scene0000_00.ply', load: scannetRoomPly, available: existsSync(scannetRoomPath) && existsSync(scannetLabelPath), streamedInPlace: true },
  {
    name: 'scene0000_00.las',
    load: () => writeLas(decodePly(scannetRoomPly())),
    available: existsSync(scannetRoomPath) && existsSync(scannetLabelPath),
    streamedInPlace: true,
  },
  { name: 'scene0000_00_vert.npy', load: () => new Uint8Array(readFileSync(scannetRoomPath)), available: existsSync(scannetRoomPath), streamedInPlace: true },
  { name: 'Topography.laz', load: () => new Uint8Array(readFileSync(fixture('Topography.laz'))), available: existsSync(fixture('Topography.laz')), streamedInPlace: false },
  { name: 'votenet_input_pc_scannet_ascii.ply', load: () => new Uint8Array(readFileSync(fixture('votenet_input_pc_scannet_ascii.ply'))), available: existsSync(fixture('votenet_input_pc_scannet_ascii.ply')), streamedInPlace: false },
  { name: 'office1.pcd', load: () => new Uint8Array(readFileSync(fixture('office1.pcd'))), available: existsSync(fixture('office1.pcd')), streamedInPlace: true },
];


if (!SHARED_DATA_AVAILABLE) console.warn('point-cloud-stream.test: real-file comparisons skipped, shared data missing');

describe('readPointCloudStream on real files: same cloud as readPointCloud, for any chunk boundaries', () => {
  for (const file of realFiles) {
    it.skipIf(!file.available)(`${file.name}${file.streamedInPlace ? '' : ' (collected, then read whole)'}`, async () => {
      const bytes = file.load();
      const whole = await readPointCloud(bytes, { fileName: file.name });
      expect(whole.pointCount).toBeGreaterThan(1000);
      // Chunks of random sizes up to 1 KiB (records cut at every offset) and up to 64 KiB, as an async iterable and
      // as a ReadableStream; the generated files below go down to 1-byte chunks.
      for (const [largest, seed, readable] of [[1021, 1, false], [65_536, 2, true]] as const) {
        const { cloud, reports } = await readStreamed(bytes, { fileName: file.name, largest, seed, readable });
        expectSameCloud(cloud, whole);
        expectMonotoneToEnd(reports, bytes.length);
      }
    });
  }
});

describe('readPointCloudStream on generated PLY files', () => {
  const properties = [
    { name: 'x', type: 'double' },
    { name: 'y', type: 'float' },
    { name: 'z', type: 'short' },
    { name: 'red', type: 'float' },
    { name: 'green', type: 'ushort' },
    { name: 'blue', type: 'float' },
    { name: 'nx', type: 'float' },
    { name: 'ny', type: 'float' },
    { name: 'nz', type: 'float' },
    { name: 'intensity', type: 'ushort' },
    { name: 'instance', type: 'uint' },
    { name: 'semantic', type: 'float' },
    { name: 'confidence', type: 'double' },
  ];
  /** Rows whose float red rises above 1 only at row `switchRow` (so a streamed read has stored scaled values by then). */
  const rows = (count: number, switchRow: number, bigInstance: boolean): number[][] =>
    Array.from({ length: count }, (_, row) => [
      row * 0.25,
      -row,
      row % 300,
      row === switchRow ? 200 : (row % 7) / 6,
      row * 100,
      (row % 5) / 4,
      0,
      0.6,
      0.8,
      row,
      bigInstance && row === count - 1 ? 4_000_000_000 : row % 9,
      row % 4,
      row / 3,
    ]);
  const faces: TestPlyElement = { name: 'face', properties: [{ name: 'vertex_indices', type: 'int', listCountType: 'uchar' }], rows: [[[0, 1, 2]], [[2, 3, 4, 5]]] };

  for (const encoding of ['binary_little_endian', 'binary_big_endian'] as const) {
    it(`${encoding}: float colours switching scale late, labels that do not fit int32, faces after the vertices`, async () => {
      for (const [switchRow, bigInstance] of [[150, true], [-1, false]] as const) {
        const bytes = buildPly(encoding, [{ name: 'vertex', properties, rows: rows(200, switchRow, bigInstance) }, faces], ['made for the stream test']);
        const whole = await readPly(bytes);
        expect(whole.attributes?.instance !== undefined).toBe(bigInstance);
        for (const [largest, seed] of [[1, 4], [13, 5], [500, 6]] as const) {
          const { cloud, reports } = await readStreamed(bytes, { largest, seed });
          expectSameCloud(cloud, whole);
          expectMonotoneToEnd(reports, bytes.length);
        }
      }
    });
  }

  it('a face element before the vertices is walked, list by list', async () => {
    const bytes = buildPly('binary_little_endian', [faces, { name: 'vertex', properties: properties.slice(0, 3), rows: rows(50, -1, false).map((row) => row.slice(0, 3)) }]);
    const { cloud } = await readStreamed(bytes, { largest: 7, seed: 7 });
    expectSameCloud(cloud, await readPly(bytes));
  });
});

/** A float64 `.npy` of shape (rows, 7): x y z, colours 0..1 until `switchRow` (a 200 there), one extra column. */
function buildNpy(rows: number, switchRow: number): Uint8Array {
  const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows}, 7), }`.padEnd(118, ' ') + '\n';
  const bytes = new Uint8Array(10 + header.length + rows * 7 * 8);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  bytes.set(new TextEncoder().encode(header), 10);
  const view = new DataView(bytes.buffer, 10 + header.length);
  for (let row = 0; row < rows; row++) {
    const values = [row * 0.1, -row, 2, row === switchRow ? 200 : (row % 11) / 10, (row % 3) / 2, 0.5, row / 7];
    values.forEach((value, column) => view.setFloat64((row * 7 + column) * 8, value, true));
  }
  return bytes;
}

describe('readPointCloudStream on generated npy files', () => {
  it('float64 (N, 7): colours 0..1 until a late 0..255 value, the extra column, in any chunks', async () => {
    for (const switchRow of [90, -1]) {
      const bytes = buildNpy(100, switchRow);
      const whole = await readPointCloud(bytes, { fileName: 'points.npy' });
      // Row 90's red is 200 (then colours are 0..255: row 1's 0.1 rounds to 0) or 0.2 (0..1 colours: 0.2 × 255 = 51).
      expect([whole.colors![90 * 3], whole.colors![3]]).toEqual(switchRow === 90 ? [200, 0] : [51, 26]);
      for (const [largest, seed] of [[1, 10], [37, 11]] as const) {
        const { cloud, reports } = await readStreamed(bytes, { fileName: 'points.npy', largest, seed });
        expectSameCloud(cloud, whole);
        expectMonotoneToEnd(reports, bytes.length);
      }
    }
  });

  it('a stream that stops within the rows fails with a PointCloudFormatError naming the shape', async () => {
    const bytes = buildNpy(100, -1);
    const error = await caught(readPointCloudStream(iterate(chunkRandomly(bytes.subarray(0, bytes.length - 20), 64, 12)), { totalBytes: bytes.length }));
    expect(error).toBeInstanceOf(PointCloudFormatError);
    expect((error as PointCloudFormatError).field).toBe('shape');
    expect((error as PointCloudFormatError).message).toMatch(/stream ended within row 99/);
  });
});

describe('readPointCloudStream on truncated, overlong and damaged streams', () => {
  const ply = buildPly('binary_little_endian', [
    { name: 'vertex', properties: [{ name: 'x', type: 'float' }, { name: 'y', type: 'float' }, { name: 'z', type: 'float' }, { name: 'red', type: 'uchar' }, { name: 'green', type: 'uchar' }, { name: 'blue', type: 'uchar' }], rows: Array.from({ length: 100 }, (_, row) => [row, row, row, 1, 2, 3]) },
    { name: 'face', properties: [{ name: 'vertex_indices', type: 'int', listCountType: 'uchar' }], rows: [[[0, 1, 2]]] },
  ]);
  const las = buildLas({ points: makeSyntheticPoints(100), pointFormat: 3, minorVersion: 2 });
  const cases = [
    { name: 'binary PLY', bytes: ply },
    { name: 'LAS', bytes: las },
  ];

  for (const { name, bytes } of cases) {
    it(`${name}: a stream that stops early (in the header, in a record, at a record boundary) fails with a PointCloudFormatError`, async () => {
      const headerEnd = name === 'LAS' ? 227 : ply.indexOf(10, ply.length - 100 * 15 - 13 - 20);
      const recordSize = name === 'LAS' ? 34 : 15;
      const cutPoints = [10, headerEnd - 3, headerEnd + recordSize * 40, headerEnd + recordSize * 40 + 5, bytes.length - 1];
      for (const cut of cutPoints) {
        for (const declared of [bytes.length, cut]) {
          const error = await caught(readPointCloudStream(iterate(chunkRandomly(bytes.subarray(0, cut), 50, cut)), { totalBytes: declared }));
          expect(error, `cut at ${cut}, declared ${declared}`).toBeInstanceOf(PointCloudFormatError);
          // A file truncated at `cut` fails the whole-buffer read too: the same kind of error, the same field.
          if (declared === cut) {
            const wholeError = await caught(readPointCloud(bytes.slice(0, cut)));
            expect(wholeError).toBeInstanceOf(PointCloudFormatError);
            expect((error as PointCloudFormatError).format).toBe((wholeError as PointCloudFormatError).format);
          }
        }
      }
    });

    it(`${name}: a stream holding more bytes than declared fails`, async () => {
      const longer = await caught(readPointCloudStream(iterate([bytes, new Uint8Array(8)]), { totalBytes: bytes.length }));
      expect(longer).toBeInstanceOf(PointCloudFormatError);
      expect((longer as PointCloudFormatError).message).toMatch(new RegExp(`more than the declared ${bytes.length} bytes`));
    });
  }

  it('binary PLY: bytes after the last element fail in the stream as in the whole buffer', async () => {
    const padded = new Uint8Array(ply.length + 4);
    padded.set(ply);
    padded.set([1, 2, 3, 4], ply.length);
    const wholeError = await caught(readPly(padded));
    const streamError = await caught(readPointCloudStream(iterate(chunkRandomly(padded, 33, 9)), { totalBytes: padded.length }));
    expect((streamError as PointCloudFormatError).message).toBe((wholeError as PointCloudFormatError).message);
  });

  it('refuses, before allocating, a vertex or point count the declared size cannot hold', async () => {
    const text = new TextDecoder('latin1').decode(ply);
    const bodyStart = text.indexOf('end_header\n') + 11;
    const header = new TextEncoder().encode(text.slice(0, bodyStart).replace('element vertex 100', 'element vertex 900000000'));
    const bytes = new Uint8Array(header.length + ply.length - bodyStart);
    bytes.set(header);
    bytes.set(ply.subarray(bodyStart), header.length);
    const plyError = await caught(readPointCloudStream(iterate([bytes]), { totalBytes: bytes.length + 4 }));
    expect((plyError as PointCloudFormatError).message).toMatch(/declares 900000000 rows .* but only \d+ bytes remain/);
    const lasBytes = las.slice();
    new DataView(lasBytes.buffer).setUint32(107, 2_000_000_000, true);
    const lasError = await caught(readPointCloudStream(iterate([lasBytes]), { totalBytes: lasBytes.length }));
    expect((lasError as PointCloudFormatError).message).toMatch(/point data truncated: 2000000000 records/);
  });
});

describe.skipIf(!existsSync(fixture('Topography.laz')) || !existsSync(fixture('MixedConifer.laz')))('LAZ through laz-perf point by point', () => {
  it('decodes Topography.laz and MixedConifer.laz like @loaders.gl/las, and carries the record attributes', async () => {
    for (const name of ['Topography.laz', 'MixedConifer.laz']) {
      const bytes = new Uint8Array(readFileSync(fixture(name)));
      const cloud = await readLas(bytes, { fileName: name });
      const reference = await LAZPerfLoader.parse(bytes.slice().buffer, { las: { fp64: true } });
      const world = reference.attributes.POSITION.value as Float64Array;
      expect(cloud.pointCount).toBe(world.length / 3);
      const origin = cloud.metadata.origin;
      let largestError = 0;
      for (let index = 0; index < world.length; index++) largestError = Math.max(largestError, Math.abs(cloud.positions[index] + origin[index % 3] - world[index]));
      expect(largestError).toBeLessThan(1e-3);
      expect(Array.from(cloud.intensity!)).toEqual(Array.from(reference.attributes.intensity.value as Uint16Array));
      expect(Array.from(cloud.semantic!)).toEqual(Array.from(reference.attributes.classification.value as Uint8Array, (value) => value & 0x1f));
      expect(cloud.attributes?.returnNumber?.length).toBe(cloud.pointCount);
      expect(Math.max(...(cloud.attributes!.returnNumber as Uint8Array))).toBeGreaterThan(0);
    }
  });
});

describe.skipIf(!existsSync(fixture('autzen_trim.las')))('readPointCloudFileStream (@pointclick/io/node)', () => {
  it('reads autzen_trim.las from a Node file stream into the same cloud as readPointCloudFile, with progress to the end', async () => {
    const reports: ReadProgress[] = [];
    const streamed = await readPointCloudFileStream(fixture('autzen_trim.las'), { onProgress: (progress) => reports.push(progress) });
    expectSameCloud(streamed, await readPointCloudFile(fixture('autzen_trim.las')));
    expectMonotoneToEnd(reports, readFileSync(fixture('autzen_trim.las')).length);
  });
});
