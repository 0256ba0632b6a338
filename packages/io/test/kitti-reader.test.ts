import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readKittiBin } from '../src/kitti/kitti-reader.js';
import { attachSemanticKittiLabels, readSemanticKittiLabels } from '../src/kitti/semantickitti-label-reader.js';
import { readXyzrgbBin } from '../src/kitti/xyzrgb-bin-reader.js';
import { readPointCloud, sniffPointCloudFormat } from '../src/read-point-cloud.js';
import { SHARED_DATA_AVAILABLE, SHARED_DATA_DIRECTORY } from './shared-data.js';

function float32Bytes(values: number[], byteShift = 0): Uint8Array {
  const buffer = new Uint8Array(values.length * 4 + byteShift);
  const view = new DataView(buffer.buffer);
  values.forEach((value, index) => view.setFloat32(byteShift + index * 4, value, true));
  return buffer.subarray(byteShift);
}

describe('readKittiBin', () => {
  it('reads x y z intensity rows, also from unaligned bytes', async () => {
    for (const shift of [0, 1]) {
      const cloud = await readKittiBin(float32Bytes([1, 2, 3, 0.5, -4, -5, -6, 0.25], shift));
      expect(cloud.pointCount).toBe(2);
      expect(Array.from(cloud.positions)).toEqual([1, 2, 3, -4, -5, -6]);
      expect(Array.from(cloud.intensity ?? [])).toEqual([0.5, 0.25]);
    }
  });

  it('rejects lengths that are not a multiple of 16, empty input and NaN positions', async () => {
    await expect(readKittiBin(float32Bytes([1, 2, 3, 0.5, 1]), { fileName: 'a.bin' })).rejects.toThrow(/not a multiple of 16/);
    await expect(readKittiBin(new Uint8Array(0))).rejects.toBeInstanceOf(PointCloudFormatError);
    const error = await readKittiBin(float32Bytes([1, 2, 3, 0, 4, Number.NaN, 6, 0])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PointCloudFormatError);
    expect((error as PointCloudFormatError).byteOffset).toBe(20);
  });
});

describe('readXyzrgbBin', () => {
  it('reads x y z r g b rows with 0..255 colours', async () => {
    const cloud = await readXyzrgbBin(float32Bytes([1, 2, 3, 255, 128, 0, 4, 5, 6, 1, 2, 3]));
    expect(Array.from(cloud.positions)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(cloud.colors ?? [])).toEqual([255, 128, 0, 1, 2, 3]);
  });

  it('rejects bad lengths and out-of-range colours', async () => {
    await expect(readXyzrgbBin(float32Bytes([1, 2, 3, 4, 5, 6, 7, 8]))).rejects.toThrow(/multiple of 24/);
    await expect(readXyzrgbBin(float32Bytes([1, 2, 3, 4, 5, 1e9]))).rejects.toThrow(/expected 0..255/);
  });
});

describe('readSemanticKittiLabels', () => {
  it('splits uint32 labels into semantic (low 16 bits) and instance (high 16 bits)', () => {
    const packed = new Uint32Array([10 | (5 << 16), 252 | (65535 << 16), 0]);
    const labels = readSemanticKittiLabels(new Uint8Array(packed.buffer), { expectedPointCount: 3 });
    expect(Array.from(labels.semantic)).toEqual([10, 252, 0]);
    expect(Array.from(labels.instance)).toEqual([5, 65535, 0]);
  });

  it('rejects wrong lengths and label arrays of the wrong length', async () => {
    expect(() => readSemanticKittiLabels(new Uint8Array(7))).toThrow(/multiple of 4/);
    expect(() => readSemanticKittiLabels(new Uint8Array(8), { expectedPointCount: 3, fileName: 'x.label' })).toThrow(PointCloudFormatError);
    const cloud = await readKittiBin(float32Bytes([1, 2, 3, 0]));
    const labels = readSemanticKittiLabels(new Uint8Array(8));
    expect(() => attachSemanticKittiLabels(cloud, labels)).toThrow(/2 semantic labels for a cloud of 1 points/);
  });
});

describe('sniffPointCloudFormat', () => {
  it('uses magic bytes, then the file name', () => {
    const bytes = new Uint8Array(16);
    expect(sniffPointCloudFormat(new TextEncoder().encode('ply\nformat'), 'x.bin')).toBe('ply');
    expect(sniffPointCloudFormat(bytes, 'velodyne/000000.bin')).toBe('kitti-bin');
    expect(sniffPointCloudFormat(bytes, 'scene0000_00_xyzrgb.bin')).toBe('xyzrgb-bin');
    expect(() => sniffPointCloudFormat(bytes, 'a.txt')).toThrow(PointCloudFormatError);
  });
});

describe.skipIf(!SHARED_DATA_AVAILABLE)('KITTI and raw bin fixtures', () => {
  it('reads kitti_000008_xyzi.bin (17,238 points)', async () => {
    const bytes = readFileSync(`${SHARED_DATA_DIRECTORY}/fixtures/kitti_000008_xyzi.bin`);
    const cloud = await readPointCloud(bytes, { fileName: 'kitti_000008_xyzi.bin' });
    expect(cloud.metadata?.format).toBe('kitti-bin');
    expect(cloud.pointCount).toBe(17238);
    expect(cloud.intensity?.length).toBe(17238);
    expect(cloud.positions[3]).toBe(bytes.readFloatLE(16));
  });

  it('reads mmdet3d_scannet_scene0000_00_xyzrgb.bin (40,684 points) with format xyzrgb-bin', async () => {
    const bytes = readFileSync(`${SHARED_DATA_DIRECTORY}/fixtures/mmdet3d_scannet_scene0000_00_xyzrgb.bin`);
    const cloud = await readPointCloud(bytes, { format: 'xyzrgb-bin' });
    expect(cloud.pointCount).toBe(40684);
    expect(cloud.colors?.length).toBe(3 * 40684);
    expect(cloud.colors?.[3]).toBe(Math.round(bytes.readFloatLE(24 + 12)));
  });

  it('reads SemanticKITTI 000000.bin + .label (123,389 points, 14 instances)', async () => {
    const scan = await readPointCloud(readFileSync(`${SHARED_DATA_DIRECTORY}/semantickitti/000000.bin`), { fileName: '000000.bin' });
    expect(scan.pointCount).toBe(123389);
    const labels = readSemanticKittiLabels(readFileSync(`${SHARED_DATA_DIRECTORY}/semantickitti/000000.label`), {
      expectedPointCount: scan.pointCount,
    });
    const cloud = attachSemanticKittiLabels(scan, labels);
    expect(cloud.semantic?.length).toBe(123389);
    const instances = new Set<string>();
    for (let index = 0; index < cloud.pointCount; index++) {
      if ((cloud.instance as Int32Array)[index] !== 0) instances.add(`${cloud.semantic?.[index]}:${cloud.instance?.[index]}`);
    }
    expect(instances.size).toBe(14);
  });
});
