import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readLas } from '../src/las/las-reader.js';
import { LAZ_MAXIMUM_COMPRESSION_RATIO } from '../src/las/laszip-layout.js';
import { buildLaz, makeSyntheticPoints, type SyntheticLasPoint } from './las-test-files.js';

// No LAZ encoder is available here (no LASzip / PDAL / laspy on this machine or in npm packages we
// use). LAS ≤ 1.3 formats 0–3 and formats 6–8 go to laz-perf directly (tested on the real LAZ fixtures in
// las-reader.test.ts and on writeLaz's output in laz-writer.test.ts); for the waveform formats 4, 5, 9, 10 these tests stand in @loaders.gl/las's loaders with fakes that behave as its parseLAS does
// (float64 world positions with fp64, classification byte as stored, colours divided by 256 for
// colorDepth 16 or stored raw in a byte for colorDepth 8) and check how readLas drives them.
const fake = vi.hoisted(() => ({
  points: [] as SyntheticLasPoint[],
  classificationFlags: 0,
  vertexCountDelta: 0,
  calls: [] as { loader: string; colorDepth: unknown; fp64: unknown; byteLength: number }[],
}));

vi.mock('@loaders.gl/las', () => {
  const parse = (loader: string) => async (buffer: ArrayBuffer, options: { las: { fp64: boolean; colorDepth: 8 | 16 } }) => {
    fake.calls.push({ loader, colorDepth: options.las.colorDepth, fp64: options.las.fp64, byteLength: buffer.byteLength });
    const count = fake.points.length;
    const colors = new Uint8Array(count * 4);
    fake.points.forEach((point, index) => {
      point.color!.forEach((value, channel) => (colors[index * 4 + channel] = options.las.colorDepth === 16 ? value / 256 : value));
      colors[index * 4 + 3] = 255;
    });
    return {
      header: { vertexCount: count + fake.vertexCountDelta },
      attributes: {
        POSITION: { value: Float64Array.from(fake.points.flatMap((point) => [point.x, point.y, point.z])), size: 3 },
        intensity: { value: Uint16Array.from(fake.points.map((point) => point.intensity)), size: 1 },
        classification: { value: Uint8Array.from(fake.points.map((point) => point.classification | fake.classificationFlags)), size: 1 },
        COLOR_0: { value: colors, size: 4 },
      },
    };
  };
  return { LAZPerfLoader: { parse: parse('laz-perf') }, LAZRsLoader: { parse: parse('laz-rs') } };
});

beforeEach(() => {
  fake.calls.length = 0;
  fake.classificationFlags = 0;
  fake.vertexCountDelta = 0;
});

describe('readLas with LAZ input', () => {
  it('decompresses LAZ 1.4 format 10 with laz-rs in float64 and makes positions local', async () => {
    fake.points = makeSyntheticPoints(30);
    const bytes = buildLaz(fake.points, 10, 4);
    const cloud = await readLas(bytes, { fileName: 'tile.laz' });
    expect(fake.calls).toEqual([{ loader: 'laz-rs', colorDepth: 16, fp64: true, byteLength: bytes.length }]);
    expect(cloud.metadata.format).toBe('laz');
    expect(cloud.metadata.origin).toEqual([636_001, 848_935, 406]);
    fake.points.forEach((point, index) => {
      expect(cloud.positions[index * 3] + 636_001).toBeCloseTo(point.x, 3);
      expect(cloud.positions[index * 3 + 2] + 406).toBeCloseTo(point.z, 3);
    });
    expect(Array.from(cloud.semantic!)).toEqual(fake.points.map((point) => point.classification));
    expect(Array.from(cloud.intensity!)).toEqual(fake.points.map((point) => point.intensity));
    expect(cloud.metadata.colorDepth).toBe(16);
    expect(Array.from(cloud.colors!)).toEqual(fake.points.flatMap((point) => point.color!.map((value) => value / 257)));
  });

  it('decompresses again keeping raw values when every colour is below 256', async () => {
    fake.points = makeSyntheticPoints(30, 1);
    const cloud = await readLas(buildLaz(fake.points, 10, 4));
    expect(fake.calls.map((call) => call.colorDepth)).toEqual([16, 8]);
    expect(cloud.metadata.colorDepth).toBe(8);
    expect(Array.from(cloud.colors!)).toEqual(fake.points.flatMap((point) => point.color!));
  });

  it('sends the waveform point formats (10) to laz-rs', async () => {
    fake.points = makeSyntheticPoints(10);
    const cloud = await readLas(buildLaz(fake.points, 10, 4));
    expect(fake.calls.map((call) => call.loader)).toEqual(['laz-rs']);
    expect(cloud.pointCount).toBe(10);
  });

  it('rejects a decompressed point count that differs from the header', async () => {
    fake.points = makeSyntheticPoints(10);
    fake.vertexCountDelta = -1;
    const error = await readLas(buildLaz(fake.points, 10, 4), { fileName: 'short.laz' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PointCloudFormatError);
    expect((error as PointCloudFormatError).message).toMatch(/decompressed 9 points, header declares 10/);
  });

  it('refuses, before decompressing, a point count the LASzip chunk table cannot hold', async () => {
    fake.points = makeSyntheticPoints(10);
    const bytes = buildLaz(fake.points, 1, 2, 8); // 2 chunks of 8 points hold at most 16
    new DataView(bytes.buffer).setUint32(107, 17, true);
    const error = await readLas(bytes, { fileName: 'count.laz' }).catch((caught: unknown) => caught);
    expect(fake.calls).toEqual([]);
    expect(error).toBeInstanceOf(PointCloudFormatError);
    expect((error as PointCloudFormatError).field).toBe('pointCount');
    expect((error as PointCloudFormatError).message).toMatch(/claims 17 points.*2 chunks of 8 points hold at most 16/);
  });

  it('refuses more chunks than the compressed bytes can start, and a chunk table outside the file', async () => {
    fake.points = makeSyntheticPoints(10);
    const bytes = buildLaz(fake.points, 1, 2, 8);
    const view = new DataView(bytes.buffer);
    view.setUint32(bytes.length - 4, 11, true); // 11 chunks × 28-byte raw first records > 280 bytes present
    const tooManyChunks = await readLas(bytes).catch((caught: unknown) => caught);
    expect((tooManyChunks as PointCloudFormatError).field).toBe('chunkCount');
    expect((tooManyChunks as PointCloudFormatError).message).toMatch(/11 chunks claimed.*raw 28-byte record.*280 compressed bytes/);
    const pointDataOffset = view.getUint32(96, true);
    view.setBigInt64(pointDataOffset, BigInt(bytes.length), true);
    const outside = await readLas(bytes).catch((caught: unknown) => caught);
    expect((outside as PointCloudFormatError).field).toBe('chunkTableOffset');
    expect(fake.calls).toEqual([]);
  });

  it('refuses a claim beyond LAZ_MAXIMUM_COMPRESSION_RATIO when chunks are variable', async () => {
    fake.points = makeSyntheticPoints(10);
    const bytes = buildLaz(fake.points, 1, 2, 0xffffffff);
    const view = new DataView(bytes.buffer);
    view.setUint32(bytes.length - 4, 1, true);
    const compressedBytes = 10 * 28;
    view.setUint32(107, (compressedBytes * LAZ_MAXIMUM_COMPRESSION_RATIO) / 28 + 1, true);
    const error = await readLas(bytes).catch((caught: unknown) => caught);
    expect((error as PointCloudFormatError).message).toMatch(new RegExp(`claims 501 points of 28 bytes \\(14028 bytes\\), more than ${LAZ_MAXIMUM_COMPRESSION_RATIO} × the 280`));
    view.setUint32(107, 500, true); // exactly at the bound: handed to laz-perf, which fails on the synthetic bytes
    const decompressed = await readLas(bytes).catch((caught: unknown) => caught);
    expect((decompressed as PointCloudFormatError).message).toMatch(/LAZ decompression \(laz-perf\) failed|laz-perf reads/);
  });

  it('refuses a compressed file without a LASzip VLR and a VLR count the VLR area cannot hold', async () => {
    fake.points = makeSyntheticPoints(10);
    const bytes = buildLaz(fake.points, 1, 2);
    const view = new DataView(bytes.buffer);
    view.setUint32(100, 4_000_000_000, true);
    const tooMany = await readLas(bytes).catch((caught: unknown) => caught);
    expect((tooMany as PointCloudFormatError).field).toBe('variableLengthRecordCount');
    expect((tooMany as PointCloudFormatError).message).toMatch(/4000000000 variable-length records claimed.*hold at most 1/);
    view.setUint32(100, 0, true);
    const none = await readLas(bytes).catch((caught: unknown) => caught);
    expect((none as PointCloudFormatError).message).toMatch(/no LASzip VLR/);
    expect(fake.calls).toEqual([]);
  });
});
