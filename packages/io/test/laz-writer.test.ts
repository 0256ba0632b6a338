/**
 * writeLaz against writeLas, judged by laz-perf (LASzip's decoder, an independent implementation): the LAZ file it
 * writes decompresses to the records writeLas writes for the same cloud, byte for byte, on real clouds (a ScanNet
 * room with semantic + instance, the two LAZ fixtures with MixedConifer's `treeID`, autzen's GPS times and returns)
 * and on adversarial synthetic ones; single chunks of random raw records (every field random, scanner channels
 * included) decompress to themselves; readLas reads the file back; bad input fails as in writeLas.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLazPerf } from 'laz-perf';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PointAttributeArray, PointCloud } from '../src/core/point-cloud.js';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readLas } from '../src/las/las-reader.js';
import { writeLas } from '../src/las/las-writer.js';
import { compressLaszipChunk, LASZIP_CHUNK_POINTS, writeLaz, writeLazChunks } from '../src/las/laz-writer.js';
import { readVotenetScene } from '../src/node/scenes/votenet-scene-reader.js';
import { createCaseRandom } from './fuzz/fuzz-corpus.js';
import { SHARED_DATA_DIRECTORY } from './shared-data.js';

type LazPerf = Awaited<ReturnType<typeof createLazPerf>>;
let lazPerf: LazPerf;
beforeAll(async () => {
  lazPerf = await createLazPerf();
});

const votenetDirectory = join(SHARED_DATA_DIRECTORY, 'scannet-votenet');
const fixture = (name: string) => join(SHARED_DATA_DIRECTORY, 'fixtures', name);
const hasRoom = existsSync(join(votenetDirectory, 'scene0000_00_vert.npy'));
for (const [present, path] of [[hasRoom, votenetDirectory], ...['MixedConifer.laz', 'Topography.laz', 'autzen_trim.las'].map((name) => [existsSync(fixture(name)), fixture(name)] as const)] as const) {
  if (!present) console.warn(`laz-writer.test: skipping its cases on ${path} (missing; set POINTCLICK_SHARED_DATA)`);
}

/** Decompresses a whole LAZ file with laz-perf's `LASZip`: its record count, length, format and raw records. */
function decompressWithLazPerf(laz: Uint8Array): { count: number; recordLength: number; pointFormat: number; records: Uint8Array } {
  const file = lazPerf._malloc(laz.length);
  const reader = new lazPerf.LASZip();
  try {
    lazPerf.HEAPU8.set(laz, file);
    reader.open(file, laz.length);
    const count = reader.getCount();
    const recordLength = reader.getPointLength();
    const records = new Uint8Array(count * recordLength);
    const point = lazPerf._malloc(recordLength);
    for (let index = 0; index < count; index++) {
      reader.getPoint(point);
      records.set(lazPerf.HEAPU8.subarray(point, point + recordLength), index * recordLength);
    }
    lazPerf._free(point);
    return { count, recordLength, pointFormat: reader.getPointFormat(), records };
  } finally {
    reader.delete();
    lazPerf._free(file);
  }
}

/** The index of the first differing byte, or −1 (plain loop: `expect` on millions of bytes is slow to report). */
function firstDifference(left: Uint8Array, right: Uint8Array): number {
  if (left.length !== right.length) return Math.min(left.length, right.length);
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return index;
  return -1;
}

/** Same typed-array type, length and bytes (a byte loop: `toEqual` on 150,000-element arrays takes seconds). */
function expectSameArray(actual: PointAttributeArray | Uint8Array | undefined, expected: PointAttributeArray | Uint8Array | undefined, name: string): void {
  expect(actual?.constructor, name).toBe(expected?.constructor);
  if (!actual || !expected) return expect(actual, name).toBe(expected);
  expect(actual.length, name).toBe(expected.length);
  const bytes = (array: PointAttributeArray | Uint8Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  expect(firstDifference(bytes(actual), bytes(expected)), `${name}: first differing byte`).toBe(-1);
}

/** Writes `cloud` as LAS and LAZ and checks laz-perf's records against writeLas's; returns both files. */
function expectSameRecords(cloud: PointCloud, options: Parameters<typeof writeLas>[1] = {}): { las: Uint8Array; laz: Uint8Array } {
  const las = writeLas(cloud, options);
  const laz = writeLaz(cloud, options);
  const lasView = new DataView(las.buffer);
  const recordLength = lasView.getUint16(105, true);
  const decoded = decompressWithLazPerf(laz);
  expect(decoded.count).toBe(cloud.pointCount);
  expect(decoded.recordLength).toBe(recordLength);
  expect(decoded.pointFormat).toBe(las[104]);
  const records = las.subarray(lasView.getUint32(96, true));
  const difference = firstDifference(decoded.records, records);
  expect(difference, `first differing byte: record ${Math.floor(difference / recordLength)}, byte ${difference % recordLength}`).toBe(-1);
  // The header is writeLas's but for the point-data offset, the VLR count (+ the LASzip VLR) and the compression bit.
  const header = laz.slice(0, 375);
  header.set(las.subarray(96, 105), 96);
  expect(firstDifference(header, las.subarray(0, 375))).toBe(-1);
  expect(laz[104]).toBe(las[104] | 0x80);
  return { las, laz };
}

/** readLas of the LAZ gives the cloud readLas gives of the LAS, array for array. */
async function expectSameCloudRead(las: Uint8Array, laz: Uint8Array): Promise<void> {
  const [fromLas, fromLaz] = await Promise.all([readLas(las), readLas(laz)]);
  expect(fromLaz.metadata.format).toBe('laz');
  expect(fromLaz.metadata.origin).toEqual(fromLas.metadata.origin);
  for (const key of ['positions', 'colors', 'intensity', 'semantic', 'instance'] as const) expectSameArray(fromLaz[key], fromLas[key], key);
  expect(Object.keys(fromLaz.attributes ?? {}).sort()).toEqual(Object.keys(fromLas.attributes ?? {}).sort());
  for (const [name, values] of Object.entries(fromLas.attributes ?? {})) expectSameArray(fromLaz.attributes![name], values, name);
}

describe('writeLaz decompresses (laz-perf) to the records of writeLas, byte for byte', () => {
  it.skipIf(!hasRoom)('a ScanNet room (50,000 points, colours, semantic, instance) and reads back as the cloud', async () => {
    const room = await readVotenetScene(votenetDirectory, 'scene0000_00');
    const cloud: PointCloud = { pointCount: room.pointCount, positions: room.positions, colors: room.colors, semantic: room.semantic, instance: room.instance };
    const { las, laz } = expectSameRecords(cloud);
    expect(laz.length).toBeLessThan(las.length / 3);
    const back = await readLas(laz);
    expectSameArray(back.instance, cloud.instance, 'instance');
    expectSameArray(back.semantic, cloud.semantic, 'semantic');
    expectSameArray(back.colors, cloud.colors, 'colors');
    const origin = back.metadata.origin;
    let largestError = 0;
    for (let index = 0; index < cloud.pointCount * 3; index++) {
      largestError = Math.max(largestError, Math.abs(back.positions[index] + origin[index % 3] - cloud.positions[index]));
    }
    expect(largestError).toBeLessThanOrEqual(0.0001 / 2 + 1e-6); // half the 0.1 mm scale, plus float32 rounding
    await expectSameCloudRead(las, laz);
  });

  for (const name of ['MixedConifer.laz', 'Topography.laz', 'autzen_trim.las']) {
    it.skipIf(!existsSync(fixture(name)))(`the cloud of ${name} (returns, GPS times, extra bytes) and reads back`, async () => {
      const cloud = await readLas(new Uint8Array(readFileSync(fixture(name))));
      const { las, laz } = expectSameRecords(cloud);
      if (name === 'MixedConifer.laz') expect(cloud.attributes?.treeID).toBeInstanceOf(Float64Array);
      await expectSameCloudRead(las, laz);
    });
  }
});

/** A synthetic cloud of `pointCount` points drawn by `random`; `draw` picks each point's position. */
function syntheticCloud(pointCount: number, seed: number, position: (point: number, random: () => number) => [number, number, number]): PointCloud {
  const random = createCaseRandom(seed, 0, 0);
  const byte = () => Math.floor(random() * 256);
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  const semantic = new Int32Array(pointCount);
  const instance = new Int32Array(pointCount);
  const intensity = new Float32Array(pointCount);
  const attributes: Record<string, PointAttributeArray> = {
    returnNumber: new Uint8Array(pointCount),
    numberOfReturns: new Uint8Array(pointCount),
    pointSourceId: new Uint16Array(pointCount),
    gpsTime: new Float64Array(pointCount),
    tiny: new Int8Array(pointCount),
    wide: new Uint32Array(pointCount),
    signed16: new Int16Array(pointCount),
    ratio: new Float32Array(pointCount),
  };
  const specialTimes = [0, -0, NaN, Infinity, -1e300, 5e-324, 2 ** 53];
  let time = 3e8;
  for (let point = 0; point < pointCount; point++) {
    positions.set(position(point, random), point * 3);
    for (let channel = 0; channel < 3; channel++) colors[point * 3 + channel] = byte();
    semantic[point] = byte();
    instance[point] = random() < 0.5 ? point >> 4 : Math.floor((random() - 0.5) * 2 ** 32);
    intensity[point] = Math.floor(random() * 65536);
    attributes.returnNumber[point] = Math.floor(random() * 16);
    attributes.numberOfReturns[point] = random() < 0.7 ? attributes.numberOfReturns[Math.max(0, point - 1)] : Math.floor(random() * 16);
    attributes.pointSourceId[point] = random() < 0.9 ? 7 : Math.floor(random() * 65536);
    // Regular pulses, repeated times, small and huge jumps, other sequences and bit patterns like −0 and NaN.
    const kind = random();
    if (kind < 0.4) time += 1e-5;
    else if (kind < 0.6) time += (random() - 0.3) * 1e-3;
    else if (kind < 0.7) time = random() * 1e9;
    else if (kind < 0.75) time = specialTimes[Math.floor(random() * specialTimes.length)];
    attributes.gpsTime[point] = time;
    attributes.tiny[point] = byte() - 128;
    attributes.wide[point] = Math.floor(random() * 2 ** 32);
    attributes.signed16[point] = Math.floor(random() * 65536) - 32768;
    attributes.ratio[point] = (random() - 0.5) * 1e6;
  }
  return { pointCount, positions, colors, semantic, instance, intensity, attributes, metadata: { origin: [500_000, 4_000_000, 0] } };
}

describe('writeLaz on adversarial synthetic clouds', () => {
  const smooth = (point: number, random: () => number): [number, number, number] => [Math.sin(point / 50) * 20 + random(), point * 0.001, random() * 3];
  for (const pointCount of [0, 1, LASZIP_CHUNK_POINTS, LASZIP_CHUNK_POINTS + 1]) {
    it(`${pointCount} points (random intensities, colours, classes 0–255, returns, GPS times, every extra-bytes type)`, async () => {
      const cloud = syntheticCloud(pointCount, pointCount + 1, smooth);
      const { las, laz } = expectSameRecords(cloud);
      await expectSameCloudRead(las, laz);
    });
  }

  it('coordinates jumping between the ends of the int32 range (differences that wrap) and all-equal points', async () => {
    // ±214 km at 0.1 mm is ±2.14 × 10^9, next to ±2^31: consecutive differences overflow int32.
    expectSameRecords(syntheticCloud(20_000, 7, (_point, random) => [random() < 0.5 ? -214_000 : 214_000, (random() - 0.5) * 428_000, random() < 0.5 ? 0 : -214_000]));
    const equal = syntheticCloud(LASZIP_CHUNK_POINTS + 10, 8, () => [1.5, -2.25, 3]);
    for (const key of ['colors', 'semantic', 'instance', 'intensity'] as const) equal[key]!.fill(equal[key]![0]);
    for (const values of Object.values(equal.attributes!)) values.fill(values[0]);
    const { las, laz } = expectSameRecords(equal);
    expect(laz.length).toBeLessThan(las.length / 50); // nothing changes: layers are left out
    // Beyond LAZ_MAXIMUM_COMPRESSION_RATIO, yet read: layered chunks are bounded by their own point counts.
    await expectSameCloudRead(las, laz);
  });

  it('readLas bounds a layered LAZ by the point counts of its chunks, and refuses damaged chunks', async () => {
    const pointCount = LASZIP_CHUNK_POINTS + 1;
    const laz = writeLaz({ pointCount, positions: new Float32Array(pointCount * 3).fill(2) });
    const view = new DataView(laz.buffer);
    const firstChunk = view.getUint32(96, true) + 8;
    const recordLength = view.getUint16(105, true);
    const chunkTable = Number(view.getBigInt64(firstChunk - 8, true));
    expect((await readLas(laz)).pointCount).toBe(pointCount);
    const damaged: [string, (copy: DataView) => void, string, RegExp][] = [
      ['count', (copy) => copy.setBigUint64(247, BigInt(pointCount + 1), true), 'pointCount', /claims 50002 points, but its 2 layered chunks hold 50001/],
      ['chunk count', (copy) => copy.setUint32(firstChunk + recordLength, 0, true), 'chunk point count', /layered chunk 0 claims 0 points, expected 1\.\.50000/],
      ['layer size', (copy) => copy.setUint32(firstChunk + recordLength + 4, 1e6, true), 'chunk layer sizes', /layered chunk 0's layers run to byte \d+, past the chunk table/],
      ['table', (copy) => copy.setUint32(chunkTable + 4, 3, true), 'chunkCount', /the chunk table lists 3 chunks, the point data holds 2 layered chunks/],
    ];
    for (const [name, damage, field, message] of damaged) {
      const copy = laz.slice();
      damage(new DataView(copy.buffer));
      const error = (await readLas(copy).catch((caught: unknown) => caught)) as PointCloudFormatError;
      expect(error, name).toBeInstanceOf(PointCloudFormatError);
      expect([error.field, error.message], name).toEqual([field, expect.stringMatching(message)]);
    }
  });

  it('a chunk of random raw records (every byte random: flags, scanner channels, scan angles, user data) decompresses to itself', () => {
    // Scanner channels (bits 4–5 of byte 15) switch LASzip's contexts. laz-perf 0.0.7 decodes them in POINT14 as LASzip
    // does, but hands RGB14 and BYTE14 channel 0 on every point whose channel did not change (`int channel = 0` per
    // point in its point_decompressor_7), unlike LASzip; so channels are random only where laz-perf can judge them
    // (format 6 without extra bytes). writeLas always writes channel 0.
    for (const [pointFormat, recordLength, seed, channels] of [[6, 30, 2, true], [7, 36 + 5, 1, false], [6, 30 + 3, 3, false]] as const) {
      const random = createCaseRandom(seed, 1, 0);
      const pointCount = 3000;
      const records = Uint8Array.from({ length: pointCount * recordLength }, () => Math.floor(random() * 256));
      for (let point = 0; point < pointCount; point++) {
        // Runs of repeated fields too, so unchanged fields and rarely-changing layers are coded as well.
        if (point > 0 && random() < 0.5) records.copyWithin(point * recordLength + 14, (point - 1) * recordLength + 14, point * recordLength);
        if (!channels) records[point * recordLength + 15] &= 0xcf;
      }
      const chunk = compressLaszipChunk(records, pointCount, recordLength, pointFormat);
      const pointer = lazPerf._malloc(chunk.length);
      const output = lazPerf._malloc(recordLength);
      const decoder = new lazPerf.ChunkDecoder();
      try {
        lazPerf.HEAPU8.set(chunk, pointer);
        decoder.open(pointFormat, recordLength, pointer);
        const decoded = new Uint8Array(pointCount * recordLength);
        for (let point = 0; point < pointCount; point++) {
          decoder.getPoint(output);
          decoded.set(lazPerf.HEAPU8.subarray(output, output + recordLength), point * recordLength);
        }
        const difference = firstDifference(decoded, records);
        expect(difference, `format ${pointFormat}: record ${Math.floor(difference / recordLength)}, byte ${difference % recordLength}`).toBe(-1);
      } finally {
        decoder.delete();
        lazPerf._free(output);
        lazPerf._free(pointer);
      }
    }
  });
});

describe('writeLazChunks and errors', () => {
  it('writes the bytes of writeLaz in pieces of chunkBytes', () => {
    // Two LASzip chunks of a smooth line (a small file, so that one-byte pieces stay quick).
    const pointCount = LASZIP_CHUNK_POINTS + 1;
    const cloud: PointCloud = { pointCount, positions: Float32Array.from({ length: pointCount * 3 }, (_, index) => (index % 3 === 0 ? index * 0.01 : index % 3)) };
    const whole = writeLaz(cloud);
    for (const chunkBytes of [1, 4096, whole.length - 1, 8 * 1024 * 1024]) {
      const file = writeLazChunks(cloud, { chunkBytes });
      expect(file.byteLength).toBe(whole.length);
      const pieces = [...file.chunks()];
      expect(pieces.slice(0, -1).every((piece) => piece.length === chunkBytes)).toBe(true);
      expect(firstDifference(Buffer.concat(pieces), whole)).toBe(-1);
    }
    expect(() => writeLazChunks(cloud, { chunkBytes: 0 })).toThrow(PointCloudFormatError);
  });

  it('refuses what writeLas refuses, with the same field, point and message', () => {
    const cloud = syntheticCloud(10, 12, (point) => [point, 0, 0]);
    const cases: PointCloud[] = [
      { ...cloud, semantic: Int32Array.from(cloud.semantic!, (value, point) => (point === 3 ? 256 : value)) },
      { ...cloud, intensity: new Float32Array(9) },
      { ...cloud, positions: Float32Array.from(cloud.positions, (value, index) => (index === 6 ? 1e9 : value)) },
      { ...cloud, positions: Float32Array.from(cloud.positions, (value, index) => (index === 4 ? NaN : value)) },
      { ...cloud, attributes: { ...cloud.attributes, ['n'.repeat(33)]: new Uint8Array(10) } },
    ];
    for (const bad of cases) {
      const lasError = (() => { try { writeLas(bad); } catch (error) { return error; } })() as PointCloudFormatError;
      const lazError = (() => { try { writeLaz(bad); } catch (error) { return error; } })() as PointCloudFormatError;
      expect(lasError).toBeInstanceOf(PointCloudFormatError);
      expect(lazError).toBeInstanceOf(PointCloudFormatError);
      expect(lazError.format).toBe('laz');
      expect([lazError.field, lazError.pointIndex, lazError.message.replace(/^LAZ/, 'LAS')]).toEqual([lasError.field, lasError.pointIndex, lasError.message]);
    }
  });
});
