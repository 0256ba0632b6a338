import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PCDLoader } from '@loaders.gl/pcd';
import { describe, expect, it } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { decompressLzf, LZF_MAXIMUM_EXPANSION } from '../src/pcd/lzf-decompressor.js';
import { readPcd } from '../src/pcd/pcd-reader.js';
import { buildPcd, packRgb, type SyntheticField } from './pcd-test-files.js';

const encoder = new TextEncoder();

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const officePath = join(sharedData, 'fixtures', 'office1.pcd');
const officeAvailable = existsSync(officePath);
if (!officeAvailable) console.warn(`pcd-reader.test: skipping office1.pcd checks, ${officePath} not found (set POINTCLICK_SHARED_DATA)`);

// 4 × 3 organised grid; points 1 and 6 have no return (NaN x / NaN z), like a Kinect frame.
const width = 4;
const height = 3;
const invalid = new Set([1, 6]);
const coordinate = (pointIndex: number, axis: number): number =>
  invalid.has(pointIndex) && axis === (pointIndex === 1 ? 0 : 2) ? Number.NaN : pointIndex * 0.5 + axis * 0.25 - 1;
const syntheticFields: SyntheticField[] = [
  { name: 'x', size: 4, type: 'F', count: 1, values: (index) => [coordinate(index, 0)] },
  { name: 'y', size: 4, type: 'F', count: 1, values: (index) => [coordinate(index, 1)] },
  { name: 'z', size: 4, type: 'F', count: 1, values: (index) => [coordinate(index, 2)] },
  { name: 'rgb', size: 4, type: 'F', count: 1, values: (index) => [packRgb(10 * index, 255 - index, 3 * index + 1)] },
  { name: 'normal_x', size: 4, type: 'F', count: 1, values: () => [0] },
  { name: 'normal_y', size: 4, type: 'F', count: 1, values: () => [1] },
  { name: 'normal_z', size: 4, type: 'F', count: 1, values: () => [0] },
  { name: 'intensity', size: 2, type: 'U', count: 1, values: (index) => [1000 + index] },
  { name: 'label', size: 4, type: 'U', count: 1, values: (index) => [index % 3] },
  { name: 'object_id', size: 2, type: 'I', count: 1, values: (index) => [index < 6 ? 1 : 2] },
  { name: 'histogram', size: 1, type: 'U', count: 3, values: (index) => [index, index + 1, index + 2] },
  { name: 'timestamp', size: 8, type: 'F', count: 1, values: (index) => [1.5e9 + index] },
  { name: 'ring', size: 8, type: 'I', count: 1, values: (index) => [-index] },
];
const keptIndices = Array.from({ length: width * height }, (_, index) => index).filter((index) => !invalid.has(index));

describe.each(['ascii', 'binary', 'binary_compressed'] as const)('readPcd on a synthetic organised %s file', (dataKind) => {
  const bytes = buildPcd(syntheticFields, width, height, dataKind);

  it('drops NaN points, counts them and keeps the grid index of the rest', async () => {
    const cloud = await readPcd(bytes, { fileName: `synthetic-${dataKind}.pcd` });
    expect(cloud.pointCount).toBe(keptIndices.length);
    expect(cloud.metadata?.droppedPointCount).toBe(invalid.size);
    expect(cloud.metadata?.organizedWidth).toBe(width);
    expect(cloud.metadata?.organizedHeight).toBe(height);
    expect(Array.from(cloud.attributes!.organizedIndex)).toEqual(keptIndices);
    keptIndices.forEach((pointIndex, index) => {
      for (let axis = 0; axis < 3; axis++) expect(cloud.positions[index * 3 + axis]).toBeCloseTo(coordinate(pointIndex, axis), 6);
    });
  });

  it('unpacks rgb, normals, intensity, labels and expands COUNT > 1 fields', async () => {
    const cloud = await readPcd(bytes);
    keptIndices.forEach((pointIndex, index) => {
      expect(Array.from(cloud.colors!.subarray(index * 3, index * 3 + 3))).toEqual([10 * pointIndex, 255 - pointIndex, 3 * pointIndex + 1]);
      expect(Array.from(cloud.normals!.subarray(index * 3, index * 3 + 3))).toEqual([0, 1, 0]);
      expect(cloud.intensity![index]).toBe(1000 + pointIndex);
      expect(cloud.semantic![index]).toBe(pointIndex % 3);
      expect(cloud.instance![index]).toBe(pointIndex < 6 ? 1 : 2);
      expect(cloud.attributes!.histogram_0[index]).toBe(pointIndex);
      expect(cloud.attributes!.histogram_2[index]).toBe(pointIndex + 2);
      expect(cloud.attributes!.timestamp[index]).toBe(1.5e9 + pointIndex);
      expect(cloud.attributes!.ring[index]).toBe(0 - pointIndex + 0);
    });
    expect(cloud.attributes!.histogram_1).toBeInstanceOf(Uint8Array);
    expect(cloud.attributes!.normal_x).toBeUndefined();
  });
});

describe('readPcd unorganised clouds and uint rgba', () => {
  it('reads a uint rgba field and reports no organised grid for HEIGHT 1', async () => {
    const fields: SyntheticField[] = [
      { name: 'x', size: 4, type: 'F', count: 1, values: (index) => [index] },
      { name: 'y', size: 4, type: 'F', count: 1, values: () => [0] },
      { name: 'z', size: 4, type: 'F', count: 1, values: () => [0] },
      { name: 'rgba', size: 4, type: 'U', count: 1, values: (index) => [(0x80000000 | packRgb(index, 2 * index, 200)) >>> 0] },
    ];
    for (const dataKind of ['ascii', 'binary'] as const) {
      const cloud = await readPcd(buildPcd(fields, 5, 1, dataKind));
      expect(cloud.pointCount).toBe(5);
      expect(cloud.metadata?.organizedWidth).toBeUndefined();
      expect(cloud.attributes?.organizedIndex).toBeUndefined();
      expect(Array.from(cloud.colors!.subarray(12, 15))).toEqual([4, 8, 200]);
    }
  });
});

describe('decompressLzf', () => {
  it('expands literal runs and overlapping back references', () => {
    // 'abc' literal, then a 6-byte reference 3 back, then an extended 12-byte reference 1 back.
    const compressed = Uint8Array.from([2, 97, 98, 99, (4 << 5) | 0, 2, (7 << 5) | 0, 3, 0]);
    const output = decompressLzf(compressed, 21, { format: 'pcd', byteOffset: 0 });
    expect(new TextDecoder().decode(output)).toBe('abcabcabc' + 'c'.repeat(12));
  });

  it('rejects references before the start and output overruns with the file offset', () => {
    const context = { format: 'pcd', fileName: 'bad.pcd', byteOffset: 100 };
    expect(() => decompressLzf(Uint8Array.from([0x20, 5]), 8, context)).toThrow(PointCloudFormatError);
    expect(() => decompressLzf(Uint8Array.from([3, 1, 2, 3, 4]), 2, context)).toThrow(/exceed/);
    expect(() => decompressLzf(Uint8Array.from([3, 1, 2]), 4, context)).toThrow(/passes the end/);
    try {
      decompressLzf(Uint8Array.from([0, 1]), 4, context);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PointCloudFormatError);
      expect((error as PointCloudFormatError).fileName).toBe('bad.pcd');
      expect((error as PointCloudFormatError).byteOffset).toBeGreaterThanOrEqual(100);
    }
  });
});

describe('readPcd errors', () => {
  const simple: SyntheticField[] = syntheticFields.slice(0, 3);
  const expectFormatError = async (bytes: Uint8Array, pattern: RegExp, expected: Partial<PointCloudFormatError> = {}): Promise<void> => {
    const error = await readPcd(bytes, { fileName: 'broken.pcd' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PointCloudFormatError);
    const formatError = error as PointCloudFormatError;
    expect(formatError.message).toMatch(pattern);
    expect(formatError.format).toBe('pcd');
    expect(formatError.fileName).toBe('broken.pcd');
    for (const [key, value] of Object.entries(expected)) expect(formatError[key as keyof PointCloudFormatError]).toBe(value);
  };
  const text = (bytes: Uint8Array): string => new TextDecoder('latin1').decode(bytes);
  const bytesOf = (value: string): Uint8Array => Uint8Array.from(value, (character) => character.charCodeAt(0));

  it('rejects input without a PCD header', async () => {
    await expectFormatError(encoder.encode('ply\nformat ascii 1.0\n'), /unknown header key/, { line: 1 });
    await expectFormatError(encoder.encode('VERSION 0.7\nFIELDS x y z\n'), /no DATA line/);
  });

  it('rejects inconsistent header counts and unsupported types', async () => {
    const good = text(buildPcd(simple, 2, 1, 'ascii'));
    await expectFormatError(bytesOf(good.replace('SIZE 4 4 4', 'SIZE 4 4')), /2 entries for 3 FIELDS/, { field: 'SIZE' });
    await expectFormatError(bytesOf(good.replace('TYPE F F F', 'TYPE F F X')), /unsupported TYPE/, { field: 'z' });
    await expectFormatError(bytesOf(good.replace('SIZE 4 4 4', 'SIZE 4 4 2')), /unsupported TYPE F with SIZE 2/);
    await expectFormatError(bytesOf(good.replace('POINTS 2', 'POINTS 3')), /differs from WIDTH/, { field: 'POINTS' });
    await expectFormatError(bytesOf(good.replace('WIDTH 2', 'WIDTH two')), /expected an integer/, { field: 'WIDTH' });
    await expectFormatError(bytesOf(good.replace('DATA ascii', 'DATA binary_lz4')), /unsupported DATA/);
    await expectFormatError(bytesOf(good.replace('FIELDS x y z', 'FIELDS x y w')), /no field z/, { field: 'z' });
  });

  it('rejects truncated ascii, binary and compressed data', async () => {
    const ascii = text(buildPcd(simple, 3, 1, 'ascii'));
    await expectFormatError(bytesOf(ascii.slice(0, ascii.lastIndexOf('\n', ascii.length - 2))), /2 lines present/, { field: 'POINTS' });
    await expectFormatError(bytesOf(ascii.replace(/\n([^\n]*)\n$/, '\n$1 7\n')), /4 values on a point line, expected 3/);
    await expectFormatError(bytesOf(ascii.replace(/DATA ascii\n[^ \n]*/, 'DATA ascii\n1.2.3')), /'1.2.3' is not a number/, { field: 'x', line: 12 });
    const binary = buildPcd(simple, 3, 1, 'binary');
    await expectFormatError(binary.subarray(0, binary.length - 1), /binary data truncated/);
    const compressed = buildPcd(simple, 3, 1, 'binary_compressed');
    await expectFormatError(compressed.subarray(0, compressed.length - 5), /declares \d+ compressed bytes/);
    const dataStart = text(compressed).indexOf('DATA binary_compressed\n') + 'DATA binary_compressed\n'.length;
    await expectFormatError(compressed.subarray(0, dataStart + 4), /size pair is missing/);
    const wrongSize = compressed.slice();
    new DataView(wrongSize.buffer).setUint32(dataStart + 4, 35, true);
    await expectFormatError(wrongSize, /uncompressed size 35 differs/, { byteOffset: dataStart + 4 });
  });

  it('refuses claims the bytes cannot hold before allocating: LZF expansion beyond 88× and more columns than bytes', async () => {
    const compressed = buildPcd(simple, 3, 1, 'binary_compressed');
    const dataStart = text(compressed).indexOf('DATA binary_compressed\n') + 'DATA binary_compressed\n'.length;
    const view = new DataView(compressed.buffer, compressed.byteOffset);
    const compressedSize = view.getUint32(dataStart, true);
    const inflated = compressed.slice();
    new DataView(inflated.buffer).setUint32(dataStart + 4, compressedSize * LZF_MAXIMUM_EXPANSION + 1, true);
    await expectFormatError(inflated, new RegExp(`claims ${compressedSize * 88 + 1} uncompressed bytes from ${compressedSize} compressed bytes; LZF expands at most 88×`), {
      field: 'uncompressedSize',
    });
    const empty = text(buildPcd(simple, 0, 1, 'ascii'));
    const wide = bytesOf(empty.replace('COUNT 1 1 1', 'COUNT 1 1 1000000000'));
    await expectFormatError(wide, new RegExp(`declare 1000000002 values per point, more than the ${wide.length} bytes`), { field: 'COUNT' });
  });

  it('rejects a non-integer label and a packed colour of the wrong size', async () => {
    const labelled: SyntheticField[] = [...simple, { name: 'label', size: 4, type: 'F', count: 1, values: () => [1.5] }];
    await expectFormatError(buildPcd(labelled, 2, 1, 'binary'), /expected an integer/, { field: 'label' });
    const shortRgb: SyntheticField[] = [...simple, { name: 'rgb', size: 2, type: 'U', count: 1, values: () => [7] }];
    await expectFormatError(buildPcd(shortRgb, 2, 1, 'binary'), /SIZE 2, expected 4/, { field: 'rgb' });
  });
});

describe.skipIf(!officeAvailable)('readPcd on office1.pcd (PCL binary_compressed, 640 × 480 organised)', () => {
  it('keeps exactly the finite points and counts the rest as dropped', async () => {
    const bytes = readFileSync(officePath);
    const cloud = await readPcd(bytes, { fileName: 'office1.pcd' });
    expect(cloud.metadata?.organizedWidth).toBe(640);
    expect(cloud.metadata?.organizedHeight).toBe(480);
    expect(cloud.pointCount + cloud.metadata!.droppedPointCount!).toBe(307_200);

    // Independent decoder: loaders.gl keeps every record, NaNs included; count its finite triples.
    const reference = await PCDLoader.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const referencePositions = reference.attributes.POSITION.value as Float32Array;
    expect(referencePositions.length).toBe(307_200 * 3);
    const finiteRecords: number[] = [];
    for (let index = 0; index < 307_200; index++) {
      if ([0, 1, 2].every((axis) => Number.isFinite(referencePositions[index * 3 + axis]))) finiteRecords.push(index);
    }
    expect(cloud.pointCount).toBe(finiteRecords.length);
    expect(cloud.metadata!.droppedPointCount).toBeGreaterThan(0);
    const organizedIndex = cloud.attributes!.organizedIndex;
    for (const index of [0, 1, Math.floor(cloud.pointCount / 2), cloud.pointCount - 1]) {
      expect(organizedIndex[index]).toBe(finiteRecords[index]);
      for (let axis = 0; axis < 3; axis++) {
        expect(cloud.positions[index * 3 + axis]).toBe(referencePositions[finiteRecords[index] * 3 + axis]);
      }
    }
    // A Kinect office frame: colours vary and depth is positive, within a few metres.
    const colors = cloud.colors!;
    expect(colors.length).toBe(cloud.pointCount * 3);
    expect(new Set(colors).size).toBeGreaterThan(100);
    for (let index = 0; index < cloud.pointCount; index += 997) {
      expect(cloud.positions[index * 3 + 2]).toBeGreaterThan(0);
      expect(cloud.positions[index * 3 + 2]).toBeLessThan(20);
    }
  });
});
