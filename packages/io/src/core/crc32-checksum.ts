/** CRC-32 (IEEE 802.3, polynomial 0xEDB88320, as zlib and PNG) lookup table, built once. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let value = byte;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[byte] = value >>> 0;
  }
  return table;
})();

/**
 * CRC-32 of a byte range (IEEE polynomial, the checksum zlib's `crc32` returns); scene caches and checkpoints
 * use it to catch corrupted files. Written by hand: thirty lines do not justify a dependency, and it must run in
 * the browser too.
 *
 * @param bytes The data.
 * @param start First byte index checked (inclusive).
 * @param end Byte index where the check stops (exclusive).
 * @returns the checksum as an unsigned 32-bit integer.
 */
export function computeCrc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let index = start; index < end; index++) crc = CRC_TABLE[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
