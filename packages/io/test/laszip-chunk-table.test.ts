import { describe, expect, it } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { ArithmeticEncoder } from '../src/las/laszip-arithmetic-encoder.js';
import { readLaszipChunkTable } from '../src/las/laszip-chunk-table.js';
import { IntegerCompressor } from '../src/las/laszip-integer-compressor.js';
import { LASZIP_CHUNK_POINTS, writeLaz } from '../src/las/laz-writer.js';
import { readPointCloud } from '../src/read-point-cloud.js';
import { readPointCloudBlob } from '../src/read-point-cloud-stream.js';
import { expectSameCloud } from './stream-test-helpers.js';

/** A LASzip chunk table as LASzip writes it: per chunk its point count (variable chunks only, context 0), then its byte size (context 1). */
function encodeChunkTable(byteCounts: number[], pointCounts?: number[]): Uint8Array {
  const encoder = new ArithmeticEncoder();
  const compressor = new IntegerCompressor(32, 2);
  byteCounts.forEach((bytes, chunk) => {
    if (pointCounts) compressor.compress(encoder, chunk > 0 ? pointCounts[chunk - 1] : 0, pointCounts[chunk], 0);
    compressor.compress(encoder, chunk > 0 ? byteCounts[chunk - 1] : 0, bytes, 1);
  });
  const body = byteCounts.length > 0 ? encoder.finish() : new Uint8Array(0);
  const table = new Uint8Array(8 + body.length);
  new DataView(table.buffer).setUint32(4, byteCounts.length, true);
  table.set(body, 8);
  return table;
}

/** A seeded generator of whole numbers in [low, high]. */
function randomIntegers(seed: number): (low: number, high: number) => number {
  let state = seed >>> 0;
  return (low, high) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return low + Math.floor((state / 4294967296) * (high - low + 1));
  };
}

describe('readLaszipChunkTable', () => {
  it('decodes the byte sizes and point counts the encoder wrote: small and huge jumps (raw bits past 19), fixed and variable chunks', () => {
    const random = randomIntegers(7);
    for (const variable of [false, true]) {
      for (const chunkCount of [1, 2, 37, 400]) {
        // Sizes from 40 bytes to 1 GB: corrections of every bit width, up and down.
        const byteCounts = Array.from({ length: chunkCount }, (_, chunk) => (chunk % 5 === 4 ? random(40, 2 ** 30) : random(40, 5000)));
        const pointCounts = Array.from({ length: chunkCount }, () => random(1, 70_000));
        const pointCount = variable ? pointCounts.reduce((sum, count) => sum + count, 0) : (chunkCount - 1) * 50_000 + 123;
        const firstChunkOffset = 1000;
        const tableOffset = firstChunkOffset + byteCounts.reduce((sum, bytes) => sum + bytes, 0);
        const table = readLaszipChunkTable(encodeChunkTable(byteCounts, variable ? pointCounts : undefined), {
          tableOffset,
          firstChunkOffset,
          chunkSize: variable ? undefined : 50_000,
          pointCount,
          recordLength: 30,
        });
        let start = firstChunkOffset;
        expect(table.chunkStarts, `${chunkCount} ${variable ? 'variable' : 'fixed'} chunks`).toEqual([start, ...byteCounts.map((bytes) => (start += bytes))]);
        expect(table.chunkPointCounts).toEqual(variable ? pointCounts : [...Array.from({ length: chunkCount - 1 }, () => 50_000), 123]);
      }
    }
  });

  it('refuses a table whose chunks pass the table, whose counts miss the header, or of another version', () => {
    const where = { tableOffset: 1300, firstChunkOffset: 1000, chunkSize: 100, pointCount: 150, recordLength: 30, fileName: 'table.laz' };
    const cases: [Uint8Array, typeof where, string][] = [
      [encodeChunkTable([100, 250]), where, 'chunk byte count'],
      [encodeChunkTable([100, 200]), { ...where, pointCount: 250 }, 'pointCount'],
      [encodeChunkTable([100, 200]), { ...where, pointCount: 100 }, 'pointCount'],
      [encodeChunkTable([100, 200, 0]), where, 'chunk byte count'],
      [encodeChunkTable(Array.from({ length: 11 }, () => 30)), where, 'chunkCount'],
      [(() => { const table = encodeChunkTable([100, 200]); table[0] = 1; return table; })(), where, 'chunkTable'],
      [encodeChunkTable([100, 200]).subarray(0, 6), where, 'chunkTable'],
    ];
    for (const [table, tableWhere, field] of cases) {
      let error: unknown;
      try {
        readLaszipChunkTable(table, tableWhere);
      } catch (caught) {
        error = caught;
      }
      expect(error, field).toBeInstanceOf(PointCloudFormatError);
      expect([(error as PointCloudFormatError).field, (error as PointCloudFormatError).format, (error as PointCloudFormatError).fileName]).toEqual([field, 'laz', 'table.laz']);
    }
  });

  it('a writeLaz file rewritten with variable chunks (chunk size 0xffffffff, counts in the table) reads chunk by chunk as readPointCloud reads it', async () => {
    const pointCount = LASZIP_CHUNK_POINTS + 777;
    const bytes = writeLaz({ pointCount, positions: Float32Array.from({ length: pointCount * 3 }, (_, index) => Math.cos(index) * 30) });
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const pointDataOffset = view.getUint32(96, true);
    const tableOffset = Number(view.getBigInt64(pointDataOffset, true));
    const { chunkStarts, chunkPointCounts } = readLaszipChunkTable(bytes.subarray(tableOffset), { tableOffset, firstChunkOffset: pointDataOffset + 8, chunkSize: LASZIP_CHUNK_POINTS, pointCount, recordLength: view.getUint16(105, true) });
    const byteCounts = chunkStarts.slice(1).map((end, chunk) => end - chunkStarts[chunk]);
    const variableTable = encodeChunkTable(byteCounts, chunkPointCounts);
    const rewritten = new Uint8Array(tableOffset + variableTable.length);
    rewritten.set(bytes.subarray(0, tableOffset));
    rewritten.set(variableTable, tableOffset);
    // The LASzip VLR is the last VLR before the point data; its chunk size sits 12 bytes into its payload.
    const laszipPayload = new TextDecoder('latin1').decode(rewritten.subarray(0, pointDataOffset)).lastIndexOf('laszip encoded') - 2 + 54;
    new DataView(rewritten.buffer).setUint32(laszipPayload + 12, 0xffffffff, true);
    const whole = await readPointCloud(rewritten, { fileName: 'variable.laz' });
    expect(whole.pointCount).toBe(pointCount);
    expectSameCloud(await readPointCloudBlob(new Blob([rewritten]), { fileName: 'variable.laz' }), whole);
  });
});
