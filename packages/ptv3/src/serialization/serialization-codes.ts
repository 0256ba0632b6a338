import { PointTransformerInputError } from '../errors/point-transformer-error.js';

/** Space-filling curves used to serialise voxels (PTv3 §3.1 "Point cloud serialization"). */
export type SerializationOrder = 'z' | 'z-trans' | 'hilbert' | 'hilbert-trans';

/** Every supported order, in Pointcept's ScanNet configuration order. */
export const SERIALIZATION_ORDERS: readonly SerializationOrder[] = ['z', 'z-trans', 'hilbert', 'hilbert-trans'];

/** Largest serialization depth (bits per axis): 3 × 16 = 48-bit codes, exact in float64. */
export const MAX_SERIALIZATION_DEPTH = 16;

const POWERS_OF_TWO = Float64Array.from({ length: 49 }, (_, exponent) => 2 ** exponent);

/** Bit `i` of a byte moved to bit `3i` (24-bit result); the z-order spreading table. */
const SPREAD_BYTE = (() => {
  const table = new Int32Array(256);
  for (let value = 0; value < 256; value++) {
    let spread = 0;
    for (let bit = 0; bit < 8; bit++) spread |= ((value >> bit) & 1) << (3 * bit);
    table[value] = spread;
  }
  return table;
})();

/**
 * Serialization depth of integer grid coordinates, as Pointcept computes it: the bit length of
 * (largest coordinate + 1).
 * @throws PointTransformerInputError when a coordinate is negative or the depth exceeds 16.
 */
export function computeSerializationDepth(gridCoordinates: Int32Array): number {
  let largest = 0;
  for (let index = 0; index < gridCoordinates.length; index++) {
    const value = gridCoordinates[index];
    if (value < 0) throw new PointTransformerInputError('gridCoordinates', index, 'a non-negative integer');
    if (value > largest) largest = value;
  }
  const depth = 32 - Math.clz32(largest + 1);
  if (depth > MAX_SERIALIZATION_DEPTH) {
    throw new PointTransformerInputError(
      'gridCoordinates',
      -1,
      `an extent of at most 2^${MAX_SERIALIZATION_DEPTH} - 1 voxels per axis (got ${largest}); use a larger grid size`,
    );
  }
  return depth;
}

/**
 * Z-order (Morton) code of one cell: bit i of x goes to bit 3i+2, of y to 3i+1, of z to 3i (the OCNN /
 * Pointcept layout, x most significant within each triplet).
 * @returns the code as an exact float64 integer below 2^48.
 */
export function encodeZOrder(x: number, y: number, z: number): number {
  const lowBits = (SPREAD_BYTE[x & 255] << 2) | (SPREAD_BYTE[y & 255] << 1) | SPREAD_BYTE[z & 255];
  const highBits = (SPREAD_BYTE[(x >> 8) & 255] << 2) | (SPREAD_BYTE[(y >> 8) & 255] << 1) | SPREAD_BYTE[(z >> 8) & 255];
  return highBits * POWERS_OF_TWO[24] + lowBits;
}

/**
 * Hilbert code of one cell of a 2^depth cube, Skilling's algorithm ("Programming the Hilbert curve",
 * 2004) exactly as Pointcept vectorises it: transpose-form axes transform, bits interleaved most
 * significant first with x leading, then Gray decoding by prefix XOR over the interleaved bits.
 * @returns the code as an exact float64 integer below 2^(3·depth).
 */
export function encodeHilbert(x: number, y: number, z: number, depth: number): number {
  let axis0 = x;
  let axis1 = y;
  let axis2 = z;
  for (let bit = depth - 1; bit > 0; bit--) {
    const current = 1 << bit;
    const lowerMask = current - 1;
    // Dimension 0 against itself: invert its lower bits where its own bit is set.
    if (axis0 & current) axis0 ^= lowerMask;
    if (axis1 & current) axis0 ^= lowerMask;
    else {
      const flip = (axis0 ^ axis1) & lowerMask;
      axis0 ^= flip;
      axis1 ^= flip;
    }
    if (axis2 & current) axis0 ^= lowerMask;
    else {
      const flip = (axis0 ^ axis2) & lowerMask;
      axis0 ^= flip;
      axis2 ^= flip;
    }
  }
  let code = 0;
  let running = 0;
  for (let bit = depth - 1; bit >= 0; bit--) {
    running ^= (axis0 >> bit) & 1;
    code = code * 2 + running;
    running ^= (axis1 >> bit) & 1;
    code = code * 2 + running;
    running ^= (axis2 >> bit) & 1;
    code = code * 2 + running;
  }
  return code;
}

/**
 * Codes of every cell for one order. `-trans` orders swap x and y before encoding (Pointcept's
 * `grid_coord[:, [1, 0, 2]]`).
 * @param gridCoordinates `count*3` non-negative integer coordinates.
 * @param depth bits per axis (see {@link computeSerializationDepth}).
 * @returns `count` codes, exact float64 integers.
 */
export function encodeSerializationCodes(
  gridCoordinates: Int32Array,
  depth: number,
  order: SerializationOrder,
): Float64Array {
  const count = gridCoordinates.length / 3;
  const codes = new Float64Array(count);
  const transposed = order === 'z-trans' || order === 'hilbert-trans';
  const hilbert = order === 'hilbert' || order === 'hilbert-trans';
  for (let index = 0; index < count; index++) {
    const first = gridCoordinates[3 * index];
    const second = gridCoordinates[3 * index + 1];
    const third = gridCoordinates[3 * index + 2];
    const x = transposed ? second : first;
    const y = transposed ? first : second;
    codes[index] = hilbert ? encodeHilbert(x, y, third, depth) : encodeZOrder(x, y, third);
  }
  return codes;
}
