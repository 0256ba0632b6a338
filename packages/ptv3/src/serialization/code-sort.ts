/**
 * Sorting of 48-bit serialization codes held exactly in float64 (codes < 2^48 < 2^53), without BigInt:
 * a stable least-significant-digit radix argsort over three 16-bit digits.
 */

const TWO_POW_16 = 65536;
const TWO_POW_32 = 4294967296;

/**
 * Indices that sort `codes` ascending; ties keep their input order (stable).
 * @param codes non-negative integers below 2^48, exactly representable in float64.
 * @returns permutation `order` with `codes[order[0]] <= codes[order[1]] <= …`.
 */
export function argsortCodes(codes: Float64Array): Int32Array {
  const count = codes.length;
  const low = new Uint32Array(count); // bits 0..31
  const high = new Uint32Array(count); // bits 32..47
  for (let index = 0; index < count; index++) {
    const code = codes[index];
    const highPart = Math.floor(code / TWO_POW_32);
    high[index] = highPart;
    low[index] = code - highPart * TWO_POW_32;
  }
  let order = new Int32Array(count);
  for (let index = 0; index < count; index++) order[index] = index;
  let scratch = new Int32Array(count);
  const histogram = new Int32Array(TWO_POW_16);
  for (let pass = 0; pass < 3; pass++) {
    histogram.fill(0);
    const digitOf = (index: number): number =>
      pass === 0 ? low[index] & 0xffff : pass === 1 ? low[index] >>> 16 : high[index] & 0xffff;
    let allSame = true;
    const firstDigit = count > 0 ? digitOf(order[0]) : 0;
    for (let position = 0; position < count; position++) {
      const digit = digitOf(order[position]);
      histogram[digit]++;
      if (digit !== firstDigit) allSame = false;
    }
    if (allSame) continue; // this digit does not reorder anything
    let running = 0;
    for (let digit = 0; digit < TWO_POW_16; digit++) {
      const bucket = histogram[digit];
      histogram[digit] = running;
      running += bucket;
    }
    for (let position = 0; position < count; position++) {
      const index = order[position];
      scratch[histogram[digitOf(index)]++] = index;
    }
    const swap = order;
    order = scratch;
    scratch = swap;
  }
  return order;
}

/**
 * Inverse of a permutation: `inverse[order[position]] = position`.
 * @param order a permutation of `0 … order.length - 1`.
 */
export function invertPermutation(order: Int32Array): Int32Array {
  const inverse = new Int32Array(order.length);
  for (let position = 0; position < order.length; position++) inverse[order[position]] = position;
  return inverse;
}
