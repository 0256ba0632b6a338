/** Builds small LAS files in memory for tests (public header block, no VLRs, raw point records). */

/** One synthetic point, in world coordinates. */
export interface SyntheticLasPoint {
  x: number;
  y: number;
  z: number;
  intensity: number;
  classification: number;
  returnNumber: number;
  numberOfReturns: number;
  color?: [number, number, number];
  gpsTime?: number;
}

const RECORD_SIZES = [20, 28, 26, 34, 57, 63, 30, 36, 38, 59, 67];
const COLOR_OFFSETS: Record<number, number> = { 2: 20, 3: 28, 5: 28, 7: 30, 8: 30, 10: 30 };
const GPS_TIME_OFFSETS: Record<number, number> = { 1: 20, 3: 20, 4: 20, 5: 20, 6: 22, 7: 22, 8: 22, 9: 22, 10: 22 };

/** Writes a LAS file of `version` [1, minor] and `pointFormat` holding `points`. */
export function buildLas(options: {
  points: SyntheticLasPoint[];
  pointFormat: number;
  minorVersion: number;
  scale?: [number, number, number];
  offset?: [number, number, number];
  extraBytes?: number;
  /** Flag bits OR-ed into the format-0–5 classification byte (synthetic = 0x20, withheld = 0x80). */
  classificationFlags?: number;
}): Uint8Array {
  const { points, pointFormat, minorVersion } = options;
  const scale = options.scale ?? [0.01, 0.01, 0.01];
  const offset = options.offset ?? [0, 0, 0];
  const headerSize = minorVersion >= 4 ? 375 : minorVersion === 3 ? 235 : 227;
  const recordLength = RECORD_SIZES[pointFormat] + (options.extraBytes ?? 0);
  const bytes = new Uint8Array(headerSize + points.length * recordLength);
  const view = new DataView(bytes.buffer);
  bytes.set([0x4c, 0x41, 0x53, 0x46]);
  bytes[24] = 1;
  bytes[25] = minorVersion;
  bytes.set(new TextEncoder().encode('pointclick test'), 26);
  bytes.set(new TextEncoder().encode('las-test-files'), 58);
  view.setUint16(94, headerSize, true);
  view.setUint32(96, headerSize, true);
  view.setUint32(100, 0, true);
  bytes[104] = pointFormat;
  view.setUint16(105, recordLength, true);
  view.setUint32(107, pointFormat >= 6 ? 0 : points.length, true);
  for (let axis = 0; axis < 3; axis++) {
    view.setFloat64(131 + axis * 8, scale[axis], true);
    view.setFloat64(155 + axis * 8, offset[axis], true);
    const values = points.map((point) => [point.x, point.y, point.z][axis]);
    view.setFloat64(179 + axis * 16, Math.max(...values), true);
    view.setFloat64(187 + axis * 16, Math.min(...values), true);
  }
  if (minorVersion >= 4) view.setBigUint64(247, BigInt(points.length), true);
  points.forEach((point, index) => {
    const record = headerSize + index * recordLength;
    [point.x, point.y, point.z].forEach((value, axis) => view.setInt32(record + axis * 4, Math.round((value - offset[axis]) / scale[axis]), true));
    view.setUint16(record + 12, point.intensity, true);
    if (pointFormat >= 6) {
      bytes[record + 14] = point.returnNumber | (point.numberOfReturns << 4);
      bytes[record + 16] = point.classification;
    } else {
      bytes[record + 14] = point.returnNumber | (point.numberOfReturns << 3);
      bytes[record + 15] = point.classification | (options.classificationFlags ?? 0);
    }
    const gpsOffset = GPS_TIME_OFFSETS[pointFormat];
    if (gpsOffset !== undefined) view.setFloat64(record + gpsOffset, point.gpsTime ?? 0, true);
    const colorOffset = COLOR_OFFSETS[pointFormat];
    if (colorOffset !== undefined && point.color) point.color.forEach((value, channel) => view.setUint16(record + colorOffset + channel * 2, value, true));
  });
  return bytes;
}

/**
 * Wraps the records of a LAS file the way LASzip lays out a LAZ file: a LASzip VLR (one item the size of a record,
 * chunks of `chunkSize` points), the 8-byte chunk-table pointer, the records standing in for compressed chunks, and
 * the chunk table (version 0, chunk count; its compressed entries are left out, as readLas never reads them).
 * `itemType` 6 is LASzip's POINT10 item.
 */
export function buildLaz(points: SyntheticLasPoint[], pointFormat: number, minorVersion: number, chunkSize = 50_000, itemType = 6): Uint8Array {
  const las = buildLas({ points, pointFormat, minorVersion });
  const lasView = new DataView(las.buffer);
  const headerSize = lasView.getUint16(94, true);
  const recordLength = lasView.getUint16(105, true);
  const vlrLength = 34 + 6;
  const pointDataOffset = headerSize + 54 + vlrLength;
  const records = las.subarray(headerSize);
  const chunkTableOffset = pointDataOffset + 8 + records.length;
  const bytes = new Uint8Array(chunkTableOffset + 8);
  const view = new DataView(bytes.buffer);
  bytes.set(las.subarray(0, headerSize));
  bytes[104] = pointFormat | 0x80; // LASzip marks compressed records with bit 7 of the format byte
  view.setUint32(96, pointDataOffset, true);
  view.setUint32(100, 1, true);
  bytes.set(new TextEncoder().encode('laszip encoded'), headerSize + 2);
  view.setUint16(headerSize + 18, 22204, true);
  view.setUint16(headerSize + 20, vlrLength, true);
  const laszip = headerSize + 54;
  view.setUint16(laszip, 2, true); // point-wise chunked compressor
  view.setUint32(laszip + 12, chunkSize, true);
  view.setUint16(laszip + 32, 1, true);
  view.setUint16(laszip + 34, itemType, true);
  view.setUint16(laszip + 36, recordLength, true);
  view.setBigInt64(pointDataOffset, BigInt(chunkTableOffset), true);
  bytes.set(records, pointDataOffset + 8);
  view.setUint32(chunkTableOffset + 4, Math.ceil(points.length / chunkSize), true);
  return bytes;
}

/** Georeferenced points (UTM-like eastings/northings) with 16-bit colours. */
export function makeSyntheticPoints(count: number, colorScale: 1 | 257 = 257): SyntheticLasPoint[] {
  return Array.from({ length: count }, (_, index) => ({
    x: 636_001.25 + index * 1.37,
    y: 848_935.5 + ((index * 7) % 13) * 0.91,
    z: 406.26 + index * 0.05,
    intensity: (index * 997) % 65_536,
    classification: index % 3 === 0 ? 2 : index % 3 === 1 ? 1 : 6,
    returnNumber: 1 + (index % 2),
    numberOfReturns: 2,
    color: [(index * 40) % 256, 255 - (index % 256), 17].map((value) => value * colorScale) as [number, number, number],
    gpsTime: 1.5e8 + index * 0.001,
  }));
}
