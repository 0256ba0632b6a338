import { allocateArray } from '../core/point-cloud-allocation.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';

/** Element types {@link readNpy} understands, named as NumPy names them. */
export type NpyDataType =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

/** Typed arrays an {@link NpyArray} may hold. */
export type NpyTypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** An n-dimensional array read from a `.npy` file, in C (row-major) order. */
export interface NpyArray {
  /** Extent of each axis; `[]` for a scalar. */
  shape: number[];
  /** Element type as stored in the file (before any `int64` conversion). */
  dtype: NpyDataType;
  /** Elements in row-major order, `shape` product long; a copy, independent of the input bytes. */
  data: NpyTypedArray;
}

/** Options of {@link readNpy}. */
export interface NpyReaderOptions {
  /** File name, used in error messages. */
  fileName?: string;
  /**
   * How to return `int64` / `uint64` data: `'bigint'` (default) as `BigInt64Array` / `BigUint64Array`,
   * exact; `'number'` as `Float64Array`, throwing when a value is beyond ±2^53 and so not exact.
   */
  int64As?: 'bigint' | 'number';
}

interface DataTypeInfo {
  dtype: NpyDataType;
  size: number;
  create: (buffer: ArrayBuffer) => NpyTypedArray;
}

const DATA_TYPES: Record<string, DataTypeInfo> = {
  b1: { dtype: 'bool', size: 1, create: (buffer) => new Uint8Array(buffer) },
  i1: { dtype: 'int8', size: 1, create: (buffer) => new Int8Array(buffer) },
  u1: { dtype: 'uint8', size: 1, create: (buffer) => new Uint8Array(buffer) },
  i2: { dtype: 'int16', size: 2, create: (buffer) => new Int16Array(buffer) },
  u2: { dtype: 'uint16', size: 2, create: (buffer) => new Uint16Array(buffer) },
  i4: { dtype: 'int32', size: 4, create: (buffer) => new Int32Array(buffer) },
  u4: { dtype: 'uint32', size: 4, create: (buffer) => new Uint32Array(buffer) },
  i8: { dtype: 'int64', size: 8, create: (buffer) => new BigInt64Array(buffer) },
  u8: { dtype: 'uint64', size: 8, create: (buffer) => new BigUint64Array(buffer) },
  f4: { dtype: 'float32', size: 4, create: (buffer) => new Float32Array(buffer) },
  f8: { dtype: 'float64', size: 8, create: (buffer) => new Float64Array(buffer) },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** What the header of a `.npy` file says, checked against the file's size. */
export interface NpyHeader {
  /** Extent of each dimension. */
  shape: number[];
  /** Element type. */
  dtype: NpyDataType;
  /** Bytes per element. */
  elementSize: number;
  /** Byte offset of the first element. */
  dataStart: number;
  /** Bytes of data the shape needs. */
  byteLength: number;
}

/**
 * Parses and checks the header of a `.npy` file; `bytes` must hold at least the header, `totalBytes` is the size of
 * the whole file (default `bytes.length`), which must hold the data the shape needs.
 * @throws {@link PointCloudFormatError} as {@link readNpy} does for everything but the data itself.
 */
export function parseNpyHeader(bytes: Uint8Array, fileName?: string, totalBytes = bytes.length): NpyHeader {
  const fail = (message: string, byteOffset?: number, field?: string): never => {
    throw new PointCloudFormatError({ format: 'npy', fileName, byteOffset, field, message });
  };
  if (bytes.length < 10 || MAGIC.some((value, index) => bytes[index] !== value)) {
    fail('wrong magic: expected \\x93NUMPY followed by a version and header length', 0);
  }
  const major = bytes[6];
  const minor = bytes[7];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated: version 2/3 header length needs 12 bytes', bytes.length);
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    return fail(`unsupported format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`, 6, 'version');
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > totalBytes || dataStart > bytes.length) {
    fail(`truncated: header declares ${headerLength} bytes, ${Math.min(totalBytes, bytes.length) - headerStart} present`, Math.min(totalBytes, bytes.length), 'header');
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descriptionMatch = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header);
  if (!descriptionMatch) {
    fail(`header has no string 'descr' (structured dtypes are not supported): ${header.trim()}`, headerStart, 'descr');
  }
  const description = descriptionMatch![1];
  const byteOrder = description[0];
  const info = DATA_TYPES[description.slice(1)];
  if (!info || !'<>|='.includes(byteOrder)) {
    fail(`unsupported dtype '${description}' (expected float32/64, int8/16/32/64, uint8/16/32/64 or bool)`, headerStart, 'descr');
  }
  if (byteOrder === '>' && info.size > 1) {
    fail(`big-endian dtype '${description}' is not supported; save with a little-endian dtype (e.g. array.astype('<${description.slice(1)}'))`, headerStart, 'descr');
  }
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  if (!fortranMatch) fail('header has no fortran_order True/False', headerStart, 'fortran_order');
  if (fortranMatch![1] === 'True') {
    fail('fortran_order True is not supported; save a C-ordered array (numpy.ascontiguousarray)', headerStart, 'fortran_order');
  }
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!shapeMatch) fail('header has no shape tuple', headerStart, 'shape');
  const shapeTokens = shapeMatch![1].split(',').map((token) => token.trim()).filter((token) => token.length > 0);
  const shape = shapeTokens.map((token) => {
    const value = Number(token.replace(/L$/, ''));
    if (!/^\d+L?$/.test(token) || !Number.isSafeInteger(value)) fail(`shape entry '${token}' is not a non-negative integer`, headerStart, 'shape');
    return value;
  });
  const elementCount = shape.reduce((product, extent) => product * extent, 1);
  const byteLength = elementCount * info.size;
  if (dataStart + byteLength > totalBytes) {
    fail(
      `truncated: shape (${shape.join(', ')}) of ${info.dtype} needs ${byteLength} data bytes, ${totalBytes - dataStart} present`,
      totalBytes,
      'shape',
    );
  }
  return { shape, dtype: info.dtype, elementSize: info.size, dataStart, byteLength };
}

/**
 * Reads a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0) holding a little-endian,
 * C-ordered array of a plain numeric dtype.
 *
 * @param bytes - Contents of the file.
 * @param options - File name for errors and the `int64` representation.
 * @throws {@link PointCloudFormatError} (format `'npy'`) for a wrong magic, a malformed header,
 *   big-endian or Fortran-ordered data, structured or unsupported dtypes, and data shorter than the shape.
 */
export function readNpy(bytes: Uint8Array, options: NpyReaderOptions = {}): NpyArray {
  const fileName = options.fileName;
  const { shape, dtype, dataStart, byteLength } = parseNpyHeader(bytes, fileName);
  const info = Object.values(DATA_TYPES).find((candidate) => candidate.dtype === dtype)!;
  const fail = (message: string, byteOffset?: number, field?: string): never => {
    throw new PointCloudFormatError({ format: 'npy', fileName, byteOffset, field, message });
  };
  // Copy into a fresh, aligned buffer: the input's offset may not be a multiple of the element size.
  // (Not `bytes.slice`: on a Node Buffer that returns a view of the shared pool, not a copy.)
  const copy = allocateArray(Uint8Array, byteLength, { format: 'npy', fileName, field: 'data' });
  copy.set(bytes.subarray(dataStart, dataStart + byteLength));
  const buffer = copy.buffer;
  let data = info.create(buffer);
  if ((info.dtype === 'int64' || info.dtype === 'uint64') && options.int64As === 'number') {
    const wide = data as BigInt64Array | BigUint64Array;
    const converted = new Float64Array(wide.length);
    for (let index = 0; index < wide.length; index++) {
      const value = wide[index];
      if (value > 9007199254740991n || value < -9007199254740991n) {
        fail(`${info.dtype} element ${index} = ${value} is beyond ±2^53 and cannot be converted exactly`, dataStart + index * 8, 'data');
      }
      converted[index] = Number(value);
    }
    data = converted;
  }
  return { shape, dtype: info.dtype, data };
}
