/**
 * Damaged copies of the real LAZ fixtures: every claim the header makes about the compressed points must be checked
 * against the bytes before laz-perf runs, so a damaged count ends in a PointCloudFormatError at once instead of a
 * decoder running over hundreds of millions of points.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readPointCloud } from '../src/read-point-cloud.js';
import { SHARED_DATA_DIRECTORY } from './shared-data.js';

const mixedConiferPath = `${SHARED_DATA_DIRECTORY}/fixtures/MixedConifer.laz`;
const topographyPath = `${SHARED_DATA_DIRECTORY}/fixtures/Topography.laz`;
const lazAvailable = existsSync(mixedConiferPath) && existsSync(topographyPath);
if (!lazAvailable) console.warn(`laz-damaged-files.test: skipped, ${mixedConiferPath} or ${topographyPath} not found (set POINTCLICK_SHARED_DATA)`);

async function readTimed(bytes: Uint8Array, fileName: string): Promise<{ error: unknown; milliseconds: number }> {
  const start = performance.now();
  const error = await readPointCloud(bytes, { fileName }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, milliseconds: performance.now() - start };
}

describe.skipIf(!lazAvailable)('readPointCloud on damaged copies of the real LAZ fixtures', () => {
  it('refuses MixedConifer.laz with byte 110 = 14 and byte 967 = 224 (a 235-million-point claim) in under a second', async () => {
    const bytes = new Uint8Array(readFileSync(mixedConiferPath));
    bytes[110] = 14; // high byte of the legacy point count: 37,657 → 234,918,681
    bytes[967] = 224; // inside the first chunk's compressed points
    const { error, milliseconds } = await readTimed(bytes, 'MixedConifer.laz');
    expect(error).toBeInstanceOf(PointCloudFormatError);
    const formatError = error as PointCloudFormatError;
    expect(formatError.format).toBe('laz');
    expect(formatError.field).toBe('pointCount');
    expect(formatError.message).toMatch(/claims 234918681 points.*1 chunks of 50000 points hold at most 50000/);
    expect(milliseconds).toBeLessThan(1000);
  });

  it('refuses each header claim of Topography.laz that the compressed bytes cannot hold', async () => {
    const original = new Uint8Array(readFileSync(topographyPath));
    const view = new DataView(original.buffer, original.byteOffset, original.byteLength);
    const pointDataOffset = view.getUint32(96, true);
    const chunkTableOffset = Number(view.getBigInt64(pointDataOffset, true));
    const damage = (edit: (copy: DataView) => void): Uint8Array => {
      const copy = original.slice();
      edit(new DataView(copy.buffer));
      return copy;
    };
    const cases: [string, Uint8Array, string, RegExp][] = [
      ['point count', damage((copy) => copy.setUint32(107, 100_001, true)), 'pointCount', /claims 100001 points.*2 chunks of 50000 points hold at most 100000/],
      ['chunk count', damage((copy) => copy.setUint32(chunkTableOffset + 4, 1_000_000, true)), 'chunkCount', /1000000 chunks claimed/],
      ['chunk table offset', damage((copy) => copy.setBigInt64(pointDataOffset, 10n ** 12n, true)), 'chunkTableOffset', /chunk table at byte 1000000000000 is outside/],
      ['VLR count', damage((copy) => copy.setUint32(100, 0xffffffff, true)), 'variableLengthRecordCount', /4294967295 variable-length records claimed/],
    ];
    for (const [name, bytes, field, message] of cases) {
      const { error, milliseconds } = await readTimed(bytes, 'Topography.laz');
      expect(error, name).toBeInstanceOf(PointCloudFormatError);
      expect((error as PointCloudFormatError).field, name).toBe(field);
      expect((error as PointCloudFormatError).message, name).toMatch(message);
      expect(milliseconds, name).toBeLessThan(1000);
    }
  });

  it('still reads both undamaged files', async () => {
    for (const [path, pointCount] of [[mixedConiferPath, 37_657], [topographyPath, 73_403]] as const) {
      const cloud = await readPointCloud(new Uint8Array(readFileSync(path)), { fileName: path });
      expect(cloud.pointCount).toBe(pointCount);
    }
  });
});
