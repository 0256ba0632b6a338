import { describe, expect, it } from 'vitest';
import { allocateArray, guardAllocations, PointCloudAllocationError } from '../src/core/point-cloud-allocation.js';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { decompressLzf } from '../src/pcd/lzf-decompressor.js';

describe('allocation failures become PointCloudAllocationError', () => {
  it('allocateArray names the array, its length and the bytes asked for', () => {
    const error = (() => {
      try {
        allocateArray(Float64Array, 2 ** 33, { format: 'ply', fileName: 'huge.ply', field: 'positions' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(PointCloudAllocationError);
    expect(error).toBeInstanceOf(PointCloudFormatError);
    const allocationError = error as PointCloudAllocationError;
    expect(allocationError.requestedBytes).toBe(2 ** 36);
    expect(allocationError.name).toBe('PointCloudAllocationError');
    expect(allocationError.field).toBe('positions');
    expect(allocationError.cause).toBeInstanceOf(RangeError);
    expect(allocationError.message).toMatch(/^PLY \(huge\.ply, field 'positions'\): could not allocate positions of 8589934592 float64 values \(68719476736 bytes, 65536\.0 MiB\)/);
  });

  it('allocateArray returns the array when it fits', () => {
    const array = allocateArray(Uint16Array, 5, { format: 'pcd' });
    expect(array).toBeInstanceOf(Uint16Array);
    expect(array.length).toBe(5);
  });

  it('decompressLzf reports the output size it could not allocate', () => {
    expect(() => decompressLzf(new Uint8Array(1), 2 ** 45, { format: 'pcd', fileName: 'cloud.pcd', byteOffset: 0 })).toThrow(
      /could not allocate decompressed data of 35184372088832 uint8 values \(35184372088832 bytes/,
    );
  });

  it('guardAllocations converts engine allocation failures anywhere in a reader and passes every other error', async () => {
    const converted = await guardAllocations({ format: 'npy', fileName: 'cloud.npy' }, () => new Float32Array(2 ** 40)).catch((caught: unknown) => caught);
    expect(converted).toBeInstanceOf(PointCloudAllocationError);
    expect((converted as Error).message).toMatch(/could not allocate an array of 1099511627776 elements/);
    const other = new RangeError('Offset is outside the bounds of the DataView');
    await expect(guardAllocations({ format: 'npy' }, () => Promise.reject(other))).rejects.toBe(other);
    const typeError = new TypeError('not a function');
    await expect(guardAllocations({ format: 'npy' }, () => { throw typeError; })).rejects.toBe(typeError);
    await expect(guardAllocations({ format: 'npy' }, () => 7)).resolves.toBe(7);
  });
});
