import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAZPerfLoader } from '@loaders.gl/las';
import { describe, expect, it } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readLas } from '../src/las/las-reader.js';
import { buildLas, buildLaz, makeSyntheticPoints } from './las-test-files.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const autzenPath = join(sharedData, 'fixtures', 'autzen_trim.las');
const autzenAvailable = existsSync(autzenPath);
if (!autzenAvailable) console.warn(`las-reader.test: skipping autzen_trim.las checks, ${autzenPath} not found (set POINTCLICK_SHARED_DATA)`);

const formats = [
  { pointFormat: 0, minorVersion: 2, color: false, gps: false },
  { pointFormat: 1, minorVersion: 2, color: false, gps: true },
  { pointFormat: 2, minorVersion: 3, color: true, gps: false },
  { pointFormat: 3, minorVersion: 2, color: true, gps: true },
  { pointFormat: 6, minorVersion: 4, color: false, gps: true },
  { pointFormat: 7, minorVersion: 4, color: true, gps: true },
  { pointFormat: 8, minorVersion: 4, color: true, gps: true },
  { pointFormat: 3, minorVersion: 4, color: true, gps: true },
];

describe.each(formats)('readLas on synthetic LAS 1.$minorVersion point format $pointFormat', ({ pointFormat, minorVersion, color, gps }) => {
  const points = makeSyntheticPoints(50);
  const bytes = buildLas({ points, pointFormat, minorVersion, extraBytes: 3 });

  it('makes positions local to floor(header minimum) with centimetre precision', async () => {
    const cloud = await readLas(bytes, { fileName: 'synthetic.las' });
    expect(cloud.pointCount).toBe(50);
    expect(cloud.metadata.format).toBe('las');
    const origin = cloud.metadata.origin;
    expect(origin).toEqual([636_001, 848_935, 406]);
    points.forEach((point, index) => {
      [point.x, point.y, point.z].forEach((world, axis) => {
        expect(Math.abs(cloud.positions[index * 3 + axis] + origin[axis] - world)).toBeLessThan(0.006);
      });
    });
  });

  it('reads classes, intensity, returns, GPS time and colours', async () => {
    const cloud = await readLas(bytes);
    expect(Array.from(cloud.semantic!)).toEqual(points.map((point) => point.classification));
    expect(Array.from(cloud.intensity!)).toEqual(points.map((point) => point.intensity));
    expect(Array.from(cloud.attributes!.returnNumber)).toEqual(points.map((point) => point.returnNumber));
    expect(Array.from(cloud.attributes!.numberOfReturns)).toEqual(points.map(() => 2));
    expect(cloud.metadata.classNames).toEqual({ 1: 'unclassified', 2: 'ground', 6: 'building' });
    if (gps) expect(Array.from(cloud.attributes!.gpsTime)).toEqual(points.map((point) => point.gpsTime));
    else expect(cloud.attributes!.gpsTime).toBeUndefined();
    if (color) {
      // Stored as value × 257 (full 16-bit scale); value × 257 >> 8 is the original 8-bit value.
      expect(cloud.metadata.colorDepth).toBe(16);
      expect(Array.from(cloud.colors!)).toEqual(points.flatMap((point) => point.color!.map((value) => value / 257)));
    } else {
      expect(cloud.colors).toBeUndefined();
    }
  });
});

describe('readLas colour depth and classification flags', () => {
  it('keeps colours stored on the 0..255 scale', async () => {
    const points = makeSyntheticPoints(20, 1);
    const cloud = await readLas(buildLas({ points, pointFormat: 3, minorVersion: 2 }));
    expect(cloud.metadata.colorDepth).toBe(8);
    expect(Array.from(cloud.colors!)).toEqual(points.flatMap((point) => point.color!));
  });

  it('strips the synthetic / key-point / withheld bits from format 0–5 classes', async () => {
    const points = makeSyntheticPoints(6);
    const cloud = await readLas(buildLas({ points, pointFormat: 1, minorVersion: 2, classificationFlags: 0xa0 }));
    expect(Array.from(cloud.semantic!)).toEqual(points.map((point) => point.classification));
  });
});

describe('readLas errors', () => {
  const good = buildLas({ points: makeSyntheticPoints(4), pointFormat: 3, minorVersion: 2 });
  const expectError = async (bytes: Uint8Array, pattern: RegExp, expected: Partial<PointCloudFormatError> = {}): Promise<PointCloudFormatError> => {
    const error = await readLas(bytes, { fileName: 'bad.las' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PointCloudFormatError);
    const formatError = error as PointCloudFormatError;
    expect(formatError.message).toMatch(pattern);
    expect(formatError.fileName).toBe('bad.las');
    for (const [key, value] of Object.entries(expected)) expect(formatError[key as keyof PointCloudFormatError]).toBe(value);
    return formatError;
  };
  const patched = (patch: (view: DataView, bytes: Uint8Array) => void): Uint8Array => {
    const bytes = good.slice();
    patch(new DataView(bytes.buffer), bytes);
    return bytes;
  };

  it('rejects a wrong signature and a truncated header', async () => {
    await expectError(new TextEncoder().encode('ply\nformat ascii 1.0\n'), /expected 'LASF'/, { byteOffset: 0 });
    await expectError(good.subarray(0, 100), /truncated header/);
  });

  it('rejects unsupported versions and point formats', async () => {
    await expectError(patched((_, bytes) => (bytes[25] = 7)), /unsupported version 1.7/, { field: 'version' });
    await expectError(patched((_, bytes) => (bytes[24] = 2)), /unsupported version 2.2/);
    await expectError(patched((_, bytes) => (bytes[104] = 11)), /point data record format 11/, { field: 'pointFormat' });
  });

  it('rejects inconsistent sizes, counts and scales', async () => {
    await expectError(patched((view) => view.setUint16(105, 20, true)), /record length 20 is below the 34 bytes/, { field: 'pointRecordLength' });
    await expectError(patched((view) => view.setUint32(96, 10, true)), /offset to point data 10/);
    await expectError(patched((view) => view.setUint16(94, 100, true)), /header size 100/);
    await expectError(patched((view) => view.setUint32(107, 1000, true)), /1000 records × 34 bytes/, { field: 'pointCount' });
    await expectError(good.subarray(0, good.length - 1), /point data truncated/);
    await expectError(patched((view) => view.setFloat64(139, 0, true)), /y scale factor 0/, { field: 'scale' });
    await expectError(patched((view) => view.setFloat64(171, Number.NaN, true)), /z offset NaN/, { field: 'offset' });
    await expectError(patched((view) => view.setFloat64(187, Number.POSITIVE_INFINITY, true)), /x bounds/, { field: 'bounds' });
    const wide = buildLas({ points: makeSyntheticPoints(4), pointFormat: 3, minorVersion: 4 });
    const disagreeing = wide.slice();
    new DataView(disagreeing.buffer).setUint32(107, 3, true);
    await expectError(disagreeing, /legacy point count 3 disagrees with the 64-bit count 4/);
  });

  it('sends compressed records of LAS ≤ 1.3 formats 0–3 to laz-perf and wraps its failure', async () => {
    // A well-formed LASzip layout whose one item has a type (99) no LASzip version defines: laz-perf must reject it.
    const error = await readLas(buildLaz(makeSyntheticPoints(10), 1, 2, 50_000, 99)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PointCloudFormatError);
    expect((error as PointCloudFormatError).message).toMatch(/LAZ decompression \(laz-perf\) failed/);
    expect((error as PointCloudFormatError).format).toBe('laz');
    expect((error as PointCloudFormatError).cause).toBeInstanceOf(Error);
  });
});

describe.skipIf(!autzenAvailable)('readLas on autzen_trim.las (LAS 1.2, format 3)', () => {
  it('reads 110,000 points of ASPRS classes 1 and 2, matching @loaders.gl/las', async () => {
    const bytes = readFileSync(autzenPath);
    const cloud = await readLas(bytes, { fileName: 'autzen_trim.las' });
    expect(cloud.pointCount).toBe(110_000);
    expect(new Set(cloud.semantic)).toEqual(new Set([1, 2]));
    expect(cloud.metadata.comments?.[0]).toBe('LAS 1.2 point format 3');

    // loaders.gl decodes the same records independently (float64 world positions, raw byte colours).
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const reference = await LAZPerfLoader.parse(buffer, { las: { fp64: true, colorDepth: 8 } });
    const world = reference.attributes.POSITION.value as Float64Array;
    const origin = cloud.metadata.origin;
    let largestError = 0;
    for (let index = 0; index < world.length; index++) {
      largestError = Math.max(largestError, Math.abs(cloud.positions[index] + origin[index % 3] - world[index]));
    }
    // Local coordinates span ~1.2 km: float32 keeps them to well under a millimetre.
    expect(largestError).toBeLessThan(1e-3);
    const referenceClasses = reference.attributes.classification.value as Uint8Array;
    expect(Array.from(cloud.semantic!.subarray(0, 1000))).toEqual(Array.from(referenceClasses.subarray(0, 1000)).map((value) => value & 0x1f));
    // With colorDepth 16 loaders.gl divides by 256: all zero means every raw colour is below 256,
    // so the file stores 8-bit colours and they must be kept, not divided.
    const divided = (await LAZPerfLoader.parse(buffer, { las: { fp64: true, colorDepth: 16 } })).attributes.COLOR_0.value as Uint8Array;
    const rawBelow256 = divided.every((value, index) => index % 4 === 3 || value === 0);
    expect(cloud.metadata.colorDepth).toBe(rawBelow256 ? 8 : 16);
    const referenceColors = (rawBelow256 ? reference.attributes.COLOR_0.value : divided) as Uint8Array;
    for (let index = 0; index < cloud.pointCount; index += 101) {
      for (let channel = 0; channel < 3; channel++) expect(cloud.colors![index * 3 + channel]).toBe(referenceColors[index * 4 + channel]);
    }
    expect(new Set(cloud.colors).size).toBeGreaterThan(50);
  });
});
