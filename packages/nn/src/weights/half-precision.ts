const floatView = new Float32Array(1);
const bitsView = new Uint32Array(floatView.buffer);

/** IEEE 754 binary16 bits of `value`, rounded to nearest even; overflow becomes ±Infinity. */
export function toHalfBits(value: number): number {
  floatView[0] = value;
  const bits = bitsView[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf or NaN
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half: a multiple of 2^-24 (a result of 0x400 is, correctly, the smallest normal).
    return sign | Math.round(Math.abs(value) * 2 ** 24);
  }
  const halfMantissa = mantissa >>> 13;
  const remainder = mantissa & 0x1fff;
  let result = sign | (halfExponent << 10) | halfMantissa;
  if (remainder > 0x1000 || (remainder === 0x1000 && (halfMantissa & 1))) result++; // carries into the exponent correctly
  return result;
}

/** The float32 value of IEEE 754 binary16 `bits`. */
export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
