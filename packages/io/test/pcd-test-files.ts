/** Synthetic PCD files for the reader and stream tests. */

/** A field of a synthetic PCD file. */
export interface SyntheticField {
  name: string;
  size: number;
  type: 'F' | 'I' | 'U';
  count: number;
  /** Values per point, `count` each. */
  values: (pointIndex: number) => number[];
}

const encoder = new TextEncoder();

export function packRgb(red: number, green: number, blue: number): number {
  return ((red << 16) | (green << 8) | blue) >>> 0;
}

export function floatFromBits(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits, true);
  return view.getFloat32(0, true);
}

export function writeValue(view: DataView, offset: number, field: SyntheticField, value: number): void {
  const key = `${field.type}${field.size}`;
  if (field.name === 'rgb' && field.type === 'F') view.setUint32(offset, value, true);
  else if (key === 'F4') view.setFloat32(offset, value, true);
  else if (key === 'F8') view.setFloat64(offset, value, true);
  else if (key === 'U1') view.setUint8(offset, value);
  else if (key === 'U2') view.setUint16(offset, value, true);
  else if (key === 'U4') view.setUint32(offset, value, true);
  else if (key === 'I1') view.setInt8(offset, value);
  else if (key === 'I2') view.setInt16(offset, value, true);
  else if (key === 'I4') view.setInt32(offset, value, true);
  else if (key === 'U8') view.setBigUint64(offset, BigInt(value), true);
  else view.setBigInt64(offset, BigInt(value), true);
}

/** LZF with literal runs only: valid input for any LZF decoder. */
export function compressLzfLiterals(data: Uint8Array): Uint8Array {
  const output: number[] = [];
  for (let start = 0; start < data.length; start += 32) {
    const run = data.subarray(start, Math.min(start + 32, data.length));
    output.push(run.length - 1, ...run);
  }
  return Uint8Array.from(output);
}

export function buildPcd(
  fields: SyntheticField[],
  width: number,
  height: number,
  dataKind: 'ascii' | 'binary' | 'binary_compressed',
): Uint8Array {
  const pointCount = width * height;
  const header =
    '# .PCD v0.7 - synthetic\nVERSION 0.7\n' +
    `FIELDS ${fields.map((field) => field.name).join(' ')}\n` +
    `SIZE ${fields.map((field) => field.size).join(' ')}\n` +
    `TYPE ${fields.map((field) => field.type).join(' ')}\n` +
    `COUNT ${fields.map((field) => field.count).join(' ')}\n` +
    `WIDTH ${width}\nHEIGHT ${height}\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS ${pointCount}\nDATA ${dataKind}\n`;
  const recordSize = fields.reduce((sum, field) => sum + field.size * field.count, 0);
  if (dataKind === 'ascii') {
    const lines: string[] = [];
    for (let pointIndex = 0; pointIndex < pointCount; pointIndex++) {
      lines.push(
        fields
          .flatMap((field) =>
            field.values(pointIndex).map((value) => (field.name === 'rgb' && field.type === 'F' ? floatFromBits(value) : value)),
          )
          .map((value) => (Number.isNaN(value) ? 'nan' : String(value)))
          .join(' '),
      );
    }
    return encoder.encode(header + lines.join('\n') + '\n');
  }
  const body = new Uint8Array(pointCount * recordSize);
  const view = new DataView(body.buffer);
  let fieldOffset = 0;
  for (const field of fields) {
    for (let pointIndex = 0; pointIndex < pointCount; pointIndex++) {
      field.values(pointIndex).forEach((value, component) => {
        const offset =
          dataKind === 'binary'
            ? pointIndex * recordSize + fieldOffset + component * field.size
            : pointCount * fieldOffset + (pointIndex * field.count + component) * field.size;
        writeValue(view, offset, field, value);
      });
    }
    fieldOffset += field.size * field.count;
  }
  const headerBytes = encoder.encode(header);
  if (dataKind === 'binary') return concat(headerBytes, body);
  const compressed = compressLzfLiterals(body);
  const sizes = new Uint8Array(8);
  new DataView(sizes.buffer).setUint32(0, compressed.length, true);
  new DataView(sizes.buffer).setUint32(4, body.length, true);
  return concat(headerBytes, sizes, compressed);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
