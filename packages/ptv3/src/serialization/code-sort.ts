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
  // The three 16-bit digits of every code, by input index; the histograms of all three passes in one sequential
  // read (a histogram does not depend on the order it is counted in).
  const digits = [new Uint16Array(count), new Uint16Array(count), new Uint16Array(count)];
  const histograms = [new Int32Array(TWO_POW_16), new Int32Array(TWO_POW_16), new Int32Array(TWO_POW_16)];
  const [lowDigits, middleDigits, highDigits] = digits;
  const [lowHistogram, middleHistogram, highHistogram] = histograms;
  for (let index = 0; index < count; index++) {
    const code = codes[index];
    const highPart = Math.floor(code / TWO_POW_32); // bits 32..47
    const low = code - highPart * TWO_POW_32; // bits 0..31
    const lowDigit = low & 0xffff;
    const middleDigit = low >>> 16;
    lowDigits[index] = lowDigit;
    middleDigits[index] = middleDigit;
    highDigits[index] = highPart;
    lowHistogram[lowDigit]++;
    middleHistogram[middleDigit]++;
    highHistogram[highPart]++;
  }
  let order = new Int32Array(count);
  for (let index = 0; index < count; index++) order[index] = index;
  let scratch = new Int32Array(count);
  for (let pass = 0; pass < 3; pass++) {
    const digitOf = digits[pass];
    const histogram = histograms[pass];
    if (count === 0 || histogram[digitOf[0]] === count) continue; // one digit value: this pass reorders nothing
    let running = 0;
    for (let digit = 0; digit < TWO_POW_16; digit++) {
      const bucket = histogram[digit];
      histogram[digit] = running;
      running += bucket;
    }
    // Stable scatter: positions in the current order, each to the next free slot of its digit.
    for (let position = 0; position < count; position++) {
      const index = order[position];
      scratch[histogram[digitOf[index]]++] = index;
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
