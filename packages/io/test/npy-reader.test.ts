import { describe, expect, it } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readNpyPointCloud } from '../src/npy/npy-point-cloud.js';
import { readNpy } from '../src/npy/npy-reader.js';

/** Writes a .npy file the way numpy.save does: magic, version, padded dict header, raw data. */
function buildNpy(options: {
  descr: string;
  shape: number[];
  data: ArrayBufferView;
  version?: 1 | 2 | 3;
  fortranOrder?: boolean;
  headerText?: string;
}): Uint8Array {
  const version = options.version ?? 1;
  const shapeText = options.shape.length === 1 ? `(${options.shape[0]},)` : `(${options.shape.join(', ')})`;
  let header =
    options.headerText ?? `{'descr': '${options.descr}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefixLength = version === 1 ? 10 : 12;
  const padding = 64 - ((prefixLength + header.length + 1) % 64);
  header = header + ' '.repeat(padding % 64) + '\n';
  const headerBytes = new TextEncoder().encode(header);
  const dataBytes = new Uint8Array(options.data.buffer, options.data.byteOffset, options.data.byteLength);
  const result = new Uint8Array(prefixLength + headerBytes.length + dataBytes.length);
  result.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(result.buffer);
  if (version === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  result.set(headerBytes, prefixLength);
  result.set(dataBytes, prefixLength + headerBytes.length);
  return result;
}

const cases = [
  { descr: '<f4', dtype: 'float32', data: Float32Array.from([1.5, -2.25, 3e9, 0, 7, 8]) },
  { descr: '<f8', dtype: 'float64', data: Float64Array.from([Math.PI, -1e300, 0, 5, 6, 7]) },
  { descr: '|u1', dtype: 'uint8', data: Uint8Array.from([0, 1, 127, 128, 254, 255]) },
  { descr: '|i1', dtype: 'int8', data: Int8Array.from([-128, -1, 0, 1, 126, 127]) },
  { descr: '<i2', dtype: 'int16', data: Int16Array.from([-32768, -1, 0, 1, 2, 32767]) },
  { descr: '<u2', dtype: 'uint16', data: Uint16Array.from([0, 1, 2, 3, 4, 65535]) },
  { descr: '<i4', dtype: 'int32', data: Int32Array.from([-2147483648, -1, 0, 1, 2, 2147483647]) },
  { descr: '<u4', dtype: 'uint32', data: Uint32Array.from([0, 1, 2, 3, 4, 4294967295]) },
  { descr: '<i8', dtype: 'int64', data: BigInt64Array.from([-(2n ** 62n), -1n, 0n, 1n, 2n, 2n ** 62n]) },
  { descr: '<u8', dtype: 'uint64', data: BigUint64Array.from([0n, 1n, 2n, 3n, 4n, 2n ** 63n]) },
  { descr: '|b1', dtype: 'bool', data: Uint8Array.from([0, 1, 1, 0, 0, 1]) },
] as const;

describe('readNpy', () => {
  describe.each([1, 2, 3] as const)('format version %i', (version) => {
    it.each(cases)('reads $dtype ($descr) with shape (2, 3)', ({ descr, dtype, data }) => {
      const array = readNpy(buildNpy({ descr, shape: [2, 3], data, version }), { fileName: 'array.npy' });
      expect(array.shape).toEqual([2, 3]);
      expect(array.dtype).toBe(dtype);
      expect(array.data.constructor).toBe(data.constructor);
      expect(Array.from(array.data as ArrayLike<number | bigint>)).toEqual(Array.from(data as ArrayLike<number | bigint>));
    });
  });

  it('reads 1-D and scalar shapes, and data at an unaligned input offset', () => {
    const vector = buildNpy({ descr: '<u4', shape: [4], data: Uint32Array.from([9, 8, 7, 6]) });
    const shifted = new Uint8Array(vector.length + 1);
    shifted.set(vector, 1);
    const array = readNpy(shifted.subarray(1));
    expect(array.shape).toEqual([4]);
    expect(Array.from(array.data as Uint32Array)).toEqual([9, 8, 7, 6]);
    const scalar = readNpy(buildNpy({ descr: '<f8', shape: [], data: Float64Array.from([2.5]), headerText: "{'descr': '<f8', 'fortran_order': False, 'shape': (), }" }));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float64Array)).toEqual([2.5]);
  });

  it('copies the data out of a Node Buffer that views a shared pool', () => {
    const npy = buildNpy({ descr: '<f4', shape: [2], data: Float32Array.from([181, 152]) });
    const pooled = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(npy)]).subarray(3);
    expect(pooled.byteOffset).toBeGreaterThan(0);
    expect(Array.from(readNpy(pooled).data as Float32Array)).toEqual([181, 152]);
  });

  it('converts int64 to numbers when asked, and refuses values beyond 2^53', () => {
    const small = buildNpy({ descr: '<i8', shape: [3], data: BigInt64Array.from([-5n, 0n, 2n ** 53n - 1n]) });
    const converted = readNpy(small, { int64As: 'number' });
    expect(converted.data).toBeInstanceOf(Float64Array);
    expect(Array.from(converted.data as Float64Array)).toEqual([-5, 0, 2 ** 53 - 1]);
    const large = buildNpy({ descr: '<i8', shape: [2], data: BigInt64Array.from([1n, 2n ** 53n + 1n]) });
    expect(() => readNpy(large, { int64As: 'number' })).toThrow(/element 1 .* beyond/);
  });

  describe('errors', () => {
    const expectError = (bytes: Uint8Array, pattern: RegExp, field?: string): void => {
      try {
        readNpy(bytes, { fileName: 'bad.npy' });
        expect.unreachable('readNpy should have thrown');
      } catch (error) {
        expect(error).toBeInstanceOf(PointCloudFormatError);
        const formatError = error as PointCloudFormatError;
        expect(formatError.format).toBe('npy');
        expect(formatError.fileName).toBe('bad.npy');
        expect(formatError.message).toMatch(pattern);
        if (field) expect(formatError.field).toBe(field);
      }
    };
    const good = buildNpy({ descr: '<f4', shape: [2, 3], data: new Float32Array(6) });

    it('rejects a wrong magic, an unknown version and a truncated header', () => {
      expectError(new TextEncoder().encode('PK\x03\x04 not an npy file'), /wrong magic/);
      const version9 = good.slice();
      version9[6] = 9;
      expectError(version9, /unsupported format version 9/, 'version');
      expectError(good.subarray(0, 40), /header declares/, 'header');
      expectError(good.subarray(0, 9), /wrong magic/);
    });

    it('rejects data shorter than the shape says', () => {
      expectError(good.subarray(0, good.length - 1), /needs 24 data bytes, 23 present/, 'shape');
      expectError(buildNpy({ descr: '<f4', shape: [1000, 3], data: new Float32Array(6) }), /needs 12000 data bytes/, 'shape');
    });

    it('rejects big-endian, Fortran order, structured and unsupported dtypes', () => {
      expectError(buildNpy({ descr: '>f4', shape: [2], data: new Float32Array(2) }), /big-endian/, 'descr');
      expectError(buildNpy({ descr: '<f4', shape: [2, 3], data: new Float32Array(6), fortranOrder: true }), /fortran_order True/, 'fortran_order');
      expectError(buildNpy({ descr: '<c8', shape: [2], data: new Float32Array(4) }), /unsupported dtype '<c8'/, 'descr');
      expectError(buildNpy({ descr: '<f2', shape: [2], data: new Uint16Array(2) }), /unsupported dtype '<f2'/, 'descr');
      expectError(
        buildNpy({ descr: '', shape: [2], data: new Float32Array(4), headerText: "{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (2,), }" }),
        /structured dtypes/,
        'descr',
      );
      expectError(buildNpy({ descr: '<f4', shape: [2], data: new Float32Array(2), headerText: "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }" }), /not a non-negative integer/, 'shape');
    });

    it('accepts single-byte types with any byte-order mark', () => {
      expect(Array.from(readNpy(buildNpy({ descr: '>u1', shape: [2], data: Uint8Array.from([3, 4]) })).data as Uint8Array)).toEqual([3, 4]);
    });
  });
});

describe('readNpyPointCloud', () => {
  const readCloud = (descr: string, shape: number[], data: Float32Array | Float64Array) =>
    readNpyPointCloud(buildNpy({ descr, shape, data }), { fileName: 'cloud.npy' });

  it('reads (N, 3) float64 positions', async () => {
    const cloud = await readCloud('<f8', [2, 3], Float64Array.from([1, 2, 3, 4, 5, 6]));
    expect(cloud.pointCount).toBe(2);
    expect(Array.from(cloud.positions)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(cloud.colors).toBeUndefined();
    expect(cloud.metadata?.format).toBe('npy');
  });

  it('reads (N, 4) as positions and intensity', async () => {
    const cloud = await readCloud('<f4', [2, 4], Float32Array.from([1, 2, 3, 0.5, 4, 5, 6, 0.25]));
    expect(Array.from(cloud.positions)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(cloud.intensity!)).toEqual([0.5, 0.25]);
  });

  it('reads (N, 6) colours on the 0..255 scale and on the 0..1 scale', async () => {
    const byteScale = await readCloud('<f4', [2, 6], Float32Array.from([0, 0, 0, 255, 128, 2, 1, 1, 1, 0, 10.6, 1]));
    expect(Array.from(byteScale.colors!)).toEqual([255, 128, 2, 0, 11, 1]);
    const unitScale = await readCloud('<f4', [2, 6], Float32Array.from([0, 0, 0, 1, 0.5, 0, 1, 1, 1, 0, 0.2, 1]));
    expect(Array.from(unitScale.colors!)).toEqual([255, 128, 0, 0, 51, 255]);
  });

  it('keeps columns past the sixth as attributes', async () => {
    const cloud = await readCloud('<f4', [1, 8], Float32Array.from([1, 2, 3, 10, 20, 30, 7, -1]));
    expect(Array.from(cloud.colors!)).toEqual([10, 20, 30]);
    expect(Array.from(cloud.attributes!.column_6)).toEqual([7]);
    expect(Array.from(cloud.attributes!.column_7)).toEqual([-1]);
  });

  it('rejects integer dtypes, wrong shapes, NaN/Inf coordinates and out-of-range colours', async () => {
    const rejects = async (promise: Promise<unknown>, pattern: RegExp): Promise<void> => {
      const error = await promise.then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(PointCloudFormatError);
      expect((error as Error).message).toMatch(pattern);
      expect((error as PointCloudFormatError).fileName).toBe('cloud.npy');
    };
    await rejects(readNpyPointCloud(buildNpy({ descr: '<i4', shape: [1, 3], data: new Int32Array(3) }), { fileName: 'cloud.npy' }), /float32 or float64, got int32/);
    await rejects(readCloud('<f4', [6], new Float32Array(6)), /expected shape .* got \(6\)/);
    await rejects(readCloud('<f4', [1, 5], new Float32Array(5)), /got \(1, 5\)/);
    await rejects(readCloud('<f4', [2, 2], new Float32Array(4)), /got \(2, 2\)/);
    await rejects(readCloud('<f4', [2, 3], Float32Array.from([0, 0, 0, 1, Number.NaN, 2])), /point 1 has a non-finite y/);
    await rejects(readCloud('<f8', [1, 3], Float64Array.from([Number.POSITIVE_INFINITY, 0, 0])), /non-finite x/);
    await rejects(readCloud('<f4', [1, 6], Float32Array.from([0, 0, 0, 300, 0, 0])), /colour channel 0 = 300/);
    await rejects(readCloud('<f4', [1, 6], Float32Array.from([0, 0, 0, 1, -1, 0])), /colour channel 1 = -1/);
  });

  it('refuses an empty array whose one row could not fit the file, before looping over its columns', async () => {
    const bytes = buildNpy({ descr: '<f4', shape: [0, 1e15], data: new Float32Array(0) });
    const start = performance.now();
    const error = await readNpyPointCloud(bytes, { fileName: 'cloud.npy' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PointCloudFormatError);
    expect((error as PointCloudFormatError).field).toBe('shape');
    expect((error as Error).message).toMatch(new RegExp(`one row of 1000000000000000 float32 values needs 4000000000000000 bytes, the file has ${bytes.length}`));
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
