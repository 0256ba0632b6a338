import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PointCloud } from '../src/core/point-cloud.js';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readLabelsJson } from '../src/labels/labels-json.js';
import { readPointCloudFile, writeFileAtomic, writePointCloudFile } from '../src/node/index.js';
import { SHARED_DATA_AVAILABLE, SHARED_DATA_DIRECTORY } from './shared-data.js';

const directory = mkdtempSync(join(tmpdir(), 'pointclick-io-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('@pointclick/io/node', () => {
  it('writes atomically, replacing existing files and leaving no temporary files', async () => {
    const path = join(directory, 'atomic.bin');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect(Array.from(readFileSync(path))).toEqual([1, 2, 3]);
    expect(readdirSync(directory)).toEqual(['atomic.bin']);
    await expect(writeFileAtomic(join(directory, 'missing', 'x.bin'), new Uint8Array(1))).rejects.toThrow();
  });

  it('writes and reads point-cloud files, sniffing by content and passing the path as fileName', async () => {
    const cloud: PointCloud = {
      pointCount: 2,
      positions: new Float32Array([1, 2, 3, 4, 5, 6]),
      semantic: new Int32Array([3, 4]),
      metadata: { format: 'ply' },
    };
    const path = join(directory, 'cloud.ply');
    await writePointCloudFile(path, cloud);
    expect(await readPointCloudFile(path)).toEqual(cloud);
    await writePointCloudFile(join(directory, 'cloud.labels.json'), cloud);
    expect(readLabelsJson(readFileSync(join(directory, 'cloud.labels.json'))).semantic).toEqual(cloud.semantic);
    await expect(writePointCloudFile(join(directory, 'cloud.xyz'), cloud)).rejects.toBeInstanceOf(PointCloudFormatError);
    const brokenPath = join(directory, 'broken.ply');
    writeFileSync(brokenPath, 'ply\nformat ascii 1.0\n');
    const error = await readPointCloudFile(brokenPath).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PointCloudFormatError);
    expect((error as PointCloudFormatError).fileName).toBe(brokenPath);
  });

  it.skipIf(!SHARED_DATA_AVAILABLE)('reads the KITTI fixture by file name', async () => {
    const cloud = await readPointCloudFile(join(SHARED_DATA_DIRECTORY, 'fixtures', 'kitti_000008_xyzi.bin'));
    expect(cloud.pointCount).toBe(17238);
  });
});
