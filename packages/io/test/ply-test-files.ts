/** Builds small PLY files for tests with DataView, independently of the package's own writer. */

export type TestPlyEncoding = 'ascii' | 'binary_little_endian' | 'binary_big_endian';

export interface TestPlyProperty {
  name: string;
  /** Scalar type name as written in the header (aliases allowed). */
  type: string;
  /** For list properties: the count type. */
  listCountType?: string;
}

export interface TestPlyElement {
  name: string;
  properties: TestPlyProperty[];
  /** One array per row; list properties take a nested array. */
  rows: (number | number[])[][];
}

const SIZES: Record<string, number> = {
  char: 1, int8: 1, uchar: 1, uint8: 1, short: 2, int16: 2, ushort: 2, uint16: 2,
  int: 4, int32: 4, uint: 4, uint32: 4, float: 4, float32: 4, double: 8, float64: 8,
};

function setValue(view: DataView, offset: number, type: string, value: number, littleEndian: boolean): void {
  switch (type) {
    case 'char': case 'int8': view.setInt8(offset, value); break;
    case 'uchar': case 'uint8': view.setUint8(offset, value); break;
    case 'short': case 'int16': view.setInt16(offset, value, littleEndian); break;
    case 'ushort': case 'uint16': view.setUint16(offset, value, littleEndian); break;
    case 'int': case 'int32': view.setInt32(offset, value, littleEndian); break;
    case 'uint': case 'uint32': view.setUint32(offset, value, littleEndian); break;
    case 'float': case 'float32': view.setFloat32(offset, value, littleEndian); break;
    case 'double': case 'float64': view.setFloat64(offset, value, littleEndian); break;
    default: throw new Error(`test helper: unknown type ${type}`);
  }
}

export function buildPlyHeader(encoding: TestPlyEncoding, elements: TestPlyElement[], comments: string[] = []): string {
  const lines = ['ply', `format ${encoding} 1.0`, ...comments.map((comment) => `comment ${comment}`)];
  for (const element of elements) {
    lines.push(`element ${element.name} ${element.rows.length}`);
    for (const property of element.properties) {
      lines.push(
        property.listCountType !== undefined
          ? `property list ${property.listCountType} ${property.type} ${property.name}`
          : `property ${property.type} ${property.name}`,
      );
    }
  }
  lines.push('end_header');
  return `${lines.join('\n')}\n`;
}

export function buildPly(encoding: TestPlyEncoding, elements: TestPlyElement[], comments: string[] = []): Uint8Array {
  const header = new TextEncoder().encode(buildPlyHeader(encoding, elements, comments));
  if (encoding === 'ascii') {
    const body = elements
      .map((element) => element.rows.map((row) => row.map((cell) => (Array.isArray(cell) ? `${cell.length} ${cell.join(' ')}` : String(cell))).join(' ')).join('\n'))
      .filter((text) => text.length > 0)
      .join('\n');
    const bodyBytes = new TextEncoder().encode(`${body}\n`);
    const result = new Uint8Array(header.length + bodyBytes.length);
    result.set(header);
    result.set(bodyBytes, header.length);
    return result;
  }
  const littleEndian = encoding === 'binary_little_endian';
  let size = 0;
  for (const element of elements) {
    for (const row of element.rows) {
      element.properties.forEach((property, index) => {
        const cell = row[index];
        size += Array.isArray(cell) ? SIZES[property.listCountType as string] + cell.length * SIZES[property.type] : SIZES[property.type];
      });
    }
  }
  const result = new Uint8Array(header.length + size);
  result.set(header);
  const view = new DataView(result.buffer);
  let offset = header.length;
  for (const element of elements) {
    for (const row of element.rows) {
      element.properties.forEach((property, index) => {
        const cell = row[index];
        if (Array.isArray(cell)) {
          setValue(view, offset, property.listCountType as string, cell.length, littleEndian);
          offset += SIZES[property.listCountType as string];
          for (const item of cell) {
            setValue(view, offset, property.type, item, littleEndian);
            offset += SIZES[property.type];
          }
        } else {
          setValue(view, offset, property.type, cell, littleEndian);
          offset += SIZES[property.type];
        }
      });
    }
  }
  return result;
}
