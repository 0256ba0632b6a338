/** `true` on little-endian hosts. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Little-endian float32 values of `bytes` (length must be a multiple of 4) as a Float32Array: a view when the bytes
 * are 4-byte aligned, otherwise an aligned copy; byte-swapped on big-endian hosts.
 */
export function viewLittleEndianFloat32(bytes: Uint8Array): Float32Array {
  // The uint32 words hold the float bits exactly (a float32 round trip through a JS number could alter NaN bits).
  const words = viewLittleEndianUint32(bytes);
  return new Float32Array(words.buffer, words.byteOffset, words.length);
}

/** Little-endian uint32 values of `bytes` (length must be a multiple of 4), as a view or an aligned copy. */
export function viewLittleEndianUint32(bytes: Uint8Array): Uint32Array {
  const count = bytes.length >>> 2;
  if (HOST_IS_LITTLE_ENDIAN) {
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
    return new Uint32Array(aligned.buffer, aligned.byteOffset, count);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Uint32Array(count);
  for (let index = 0; index < count; index++) values[index] = view.getUint32(index * 4, true);
  return values;
}
