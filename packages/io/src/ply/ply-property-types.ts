import type { PointAttributeArray } from '../core/point-cloud.js';

/** Canonical PLY scalar type names (the `float32` style aliases map onto these). */
export type PlyScalarType = 'char' | 'uchar' | 'short' | 'ushort' | 'int' | 'uint' | 'float' | 'double';

/** Size, typed-array constructor and integer range of one PLY scalar type. */
export interface PlyScalarTypeInfo {
  /** Canonical name. */
  name: PlyScalarType;
  /** Size of one value in bytes. */
  byteSize: 1 | 2 | 4 | 8;
  /** Typed array holding values of this type natively. */
  arrayConstructor: PlyArrayConstructor;
  /** Whether the type holds integers (so ASCII values must be whole numbers in range). */
  integer: boolean;
  /** Smallest representable value (integers only meaningful). */
  minimum: number;
  /** Largest representable value (integers only meaningful). */
  maximum: number;
}

/** Constructors of the typed arrays PLY scalars decode into. */
export type PlyArrayConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor;

const CANONICAL_TYPES: Record<PlyScalarType, PlyScalarTypeInfo> = {
  char: { name: 'char', byteSize: 1, arrayConstructor: Int8Array, integer: true, minimum: -128, maximum: 127 },
  uchar: { name: 'uchar', byteSize: 1, arrayConstructor: Uint8Array, integer: true, minimum: 0, maximum: 255 },
  short: { name: 'short', byteSize: 2, arrayConstructor: Int16Array, integer: true, minimum: -32768, maximum: 32767 },
  ushort: { name: 'ushort', byteSize: 2, arrayConstructor: Uint16Array, integer: true, minimum: 0, maximum: 65535 },
  int: { name: 'int', byteSize: 4, arrayConstructor: Int32Array, integer: true, minimum: -2147483648, maximum: 2147483647 },
  uint: { name: 'uint', byteSize: 4, arrayConstructor: Uint32Array, integer: true, minimum: 0, maximum: 4294967295 },
  float: { name: 'float', byteSize: 4, arrayConstructor: Float32Array, integer: false, minimum: -Infinity, maximum: Infinity },
  double: { name: 'double', byteSize: 8, arrayConstructor: Float64Array, integer: false, minimum: -Infinity, maximum: Infinity },
};

const TYPE_ALIASES: Record<string, PlyScalarType> = {
  char: 'char',
  int8: 'char',
  uchar: 'uchar',
  uint8: 'uchar',
  short: 'short',
  int16: 'short',
  ushort: 'ushort',
  uint16: 'ushort',
  int: 'int',
  int32: 'int',
  uint: 'uint',
  uint32: 'uint',
  float: 'float',
  float32: 'float',
  double: 'double',
  float64: 'double',
};

/** Looks up a PLY type name or alias (`uchar`, `uint8`, …); `undefined` when the name is not a PLY scalar type. */
export function lookUpPlyScalarType(typeName: string): PlyScalarTypeInfo | undefined {
  const canonical = Object.prototype.hasOwnProperty.call(TYPE_ALIASES, typeName) ? TYPE_ALIASES[typeName] : undefined;
  return canonical === undefined ? undefined : CANONICAL_TYPES[canonical];
}

/** The PLY type a typed attribute array is written as. */
export function plyScalarTypeOfArray(array: PointAttributeArray): PlyScalarTypeInfo {
  if (array instanceof Float32Array) return CANONICAL_TYPES.float;
  if (array instanceof Float64Array) return CANONICAL_TYPES.double;
  if (array instanceof Int8Array) return CANONICAL_TYPES.char;
  if (array instanceof Uint8Array) return CANONICAL_TYPES.uchar;
  if (array instanceof Int16Array) return CANONICAL_TYPES.short;
  if (array instanceof Uint16Array) return CANONICAL_TYPES.ushort;
  if (array instanceof Int32Array) return CANONICAL_TYPES.int;
  return CANONICAL_TYPES.uint;
}

/** `true` on little-endian hosts (every platform Node and browsers ship on today). */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads one scalar of a PLY type at a byte offset of a DataView. */
export type PlyScalarRead = (view: DataView, byteOffset: number) => number;

function makeScalarRead(typeName: string, littleEndian: boolean): PlyScalarRead {
  switch (typeName) {
    case 'char':
      return (view, offset) => view.getInt8(offset);
    case 'uchar':
      return (view, offset) => view.getUint8(offset);
    case 'short':
      return (view, offset) => view.getInt16(offset, littleEndian);
    case 'ushort':
      return (view, offset) => view.getUint16(offset, littleEndian);
    case 'int':
      return (view, offset) => view.getInt32(offset, littleEndian);
    case 'uint':
      return (view, offset) => view.getUint32(offset, littleEndian);
    case 'float':
      return (view, offset) => view.getFloat32(offset, littleEndian);
    default:
      return (view, offset) => view.getFloat64(offset, littleEndian);
  }
}

/** Readers per canonical type name, little-endian then big-endian, made once. */
const SCALAR_READS = new Map(Object.keys(CANONICAL_TYPES).map((name) => [name, [makeScalarRead(name, true), makeScalarRead(name, false)] as const]));

/** The reader of one scalar of `type` in the given byte order (shared functions: no allocation per call). */
export function plyScalarReader(type: PlyScalarTypeInfo, littleEndian: boolean): PlyScalarRead {
  return SCALAR_READS.get(type.name)![littleEndian ? 0 : 1];
}
