import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readPly } from '../src/ply/ply-reader.js';
import { buildPly, type TestPlyEncoding } from './ply-test-files.js';
import { SHARED_DATA_AVAILABLE, SHARED_DATA_DIRECTORY } from './shared-data.js';

const ENCODINGS: TestPlyEncoding[] = ['ascii', 'binary_little_endian', 'binary_big_endian'];
const encoder = new TextEncoder();

async function expectFormatError(promise: Promise<unknown>, pattern: RegExp): Promise<PointCloudFormatError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PointCloudFormatError);
  expect((error as Error).message).toMatch(pattern);
  return error as PointCloudFormatError;
}

describe.each(ENCODINGS)('readPly (%s)', (encoding) => {
  it('reads every scalar type and alias, double positions included, into typed attributes', async () => {
    const properties = [
      { name: 'x', type: 'double' },
      { name: 'y', type: 'float32' },
      { name: 'z', type: 'short' },
      { name: 'a_char', type: 'char' },
      { name: 'a_int8', type: 'int8' },
      { name: 'a_uchar', type: 'uchar' },
      { name: 'a_uint8', type: 'uint8' },
      { name: 'a_short', type: 'int16' },
      { name: 'a_ushort', type: 'ushort' },
      { name: 'a_uint16', type: 'uint16' },
      { name: 'a_int', type: 'int' },
      { name: 'a_int32', type: 'int32' },
      { name: 'a_uint', type: 'uint' },
      { name: 'a_uint32', type: 'uint32' },
      { name: 'a_float', type: 'float' },
      { name: 'a_double', type: 'float64' },
    ];
    const rows = [
      [1.25, -2.5, 3, -128, 127, 255, 0, -32768, 65535, 1, -2147483648, 2147483647, 4294967295, 0, 0.5, 1e-300],
      [123456.125, 0.1, -7, 5, -5, 17, 200, 32767, 0, 2, 42, -42, 7, 3000000000, -1.5, -2.25],
    ];
    const cloud = await readPly(buildPly(encoding, [{ name: 'vertex', properties, rows }]));
    expect(cloud.pointCount).toBe(2);
    expect(Array.from(cloud.positions)).toEqual([1.25, Math.fround(-2.5), 3, 123456.125, Math.fround(0.1), -7]);
    const attributes = cloud.attributes ?? {};
    const expectedTypes: Record<string, unknown> = {
      a_char: Int8Array, a_int8: Int8Array, a_uchar: Uint8Array, a_uint8: Uint8Array, a_short: Int16Array,
      a_ushort: Uint16Array, a_uint16: Uint16Array, a_int: Int32Array, a_int32: Int32Array, a_uint: Uint32Array,
      a_uint32: Uint32Array, a_float: Float32Array, a_double: Float64Array,
    };
    expect(Object.keys(attributes)).toEqual(Object.keys(expectedTypes));
    properties.slice(3).forEach((property, offset) => {
      const column = attributes[property.name];
      expect(column).toBeInstanceOf(expectedTypes[property.name] as typeof Int8Array);
      const expected = rows.map((row) => row[offset + 3]);
      expect(Array.from(column)).toEqual(property.type === 'float' ? expected.map(Math.fround) : expected);
    });
  });

  it('maps colours, normals, intensity, instance and semantic properties by name', async () => {
    const properties = [
      { name: 'x', type: 'float' }, { name: 'y', type: 'float' }, { name: 'z', type: 'float' },
      { name: 'nx', type: 'float' }, { name: 'ny', type: 'float' }, { name: 'nz', type: 'float' },
      { name: 'red', type: 'uchar' }, { name: 'green', type: 'uchar' }, { name: 'blue', type: 'uchar' },
      { name: 'scalar_intensity', type: 'float' },
      { name: 'objectId', type: 'ushort' },
      { name: 'sem_label', type: 'uint' },
      { name: 'confidence', type: 'float' },
    ];
    const rows = [
      [0, 0, 0, 0, 0, 1, 255, 128, 0, 0.25, 3, 7, 0.5],
      [1, 2, 3, 1, 0, 0, 1, 2, 3, 0.75, 0, 40, 0.25],
    ];
    const cloud = await readPly(buildPly(encoding, [{ name: 'vertex', properties, rows }]));
    expect(Array.from(cloud.normals ?? [])).toEqual([0, 0, 1, 1, 0, 0]);
    expect(Array.from(cloud.colors ?? [])).toEqual([255, 128, 0, 1, 2, 3]);
    expect(Array.from(cloud.intensity ?? [])).toEqual([0.25, 0.75]);
    expect(cloud.instance).toBeInstanceOf(Int32Array);
    expect(Array.from(cloud.instance ?? [])).toEqual([3, 0]);
    expect(Array.from(cloud.semantic ?? [])).toEqual([7, 40]);
    expect(Object.keys(cloud.attributes ?? {})).toEqual(['confidence']);
  });

  it('treats label as semantic, and keeps it as an attribute when an explicit semantic property exists', async () => {
    const xyz = [{ name: 'x', type: 'float' }, { name: 'y', type: 'float' }, { name: 'z', type: 'float' }];
    const alone = await readPly(buildPly(encoding, [{ name: 'vertex', properties: [...xyz, { name: 'label', type: 'int' }], rows: [[0, 0, 0, 9]] }]));
    expect(Array.from(alone.semantic ?? [])).toEqual([9]);
    expect(alone.instance).toBeUndefined();
    const withClass = await readPly(
      buildPly(encoding, [{
        name: 'vertex',
        properties: [...xyz, { name: 'label', type: 'int' }, { name: 'class', type: 'uchar' }, { name: 'instance_id', type: 'int' }],
        rows: [[0, 0, 0, 9, 4, 11]],
      }]),
    );
    expect(Array.from(withClass.semantic ?? [])).toEqual([4]);
    expect(Array.from(withClass.instance ?? [])).toEqual([11]);
    expect(Array.from(withClass.attributes?.label ?? [])).toEqual([9]);
  });

  it('scales float 0..1 and ushort colours to 0..255', async () => {
    const xyz = [{ name: 'x', type: 'float' }, { name: 'y', type: 'float' }, { name: 'z', type: 'float' }];
    const floats = await readPly(buildPly(encoding, [{
      name: 'vertex',
      properties: [...xyz, { name: 'red', type: 'float' }, { name: 'green', type: 'float' }, { name: 'blue', type: 'double' }],
      rows: [[0, 0, 0, 1, 0.5, 0], [0, 0, 0, 0.2, 0.4, 0.6]],
    }]));
    expect(Array.from(floats.colors ?? [])).toEqual([255, 128, 0, 51, 102, 153]);
    const shorts = await readPly(buildPly(encoding, [{
      name: 'vertex',
      properties: [...xyz, { name: 'red', type: 'ushort' }, { name: 'green', type: 'ushort' }, { name: 'blue', type: 'ushort' }],
      rows: [[0, 0, 0, 65535, 257, 0]],
    }]));
    expect(Array.from(shorts.colors ?? [])).toEqual([255, 1, 0]);
  });

  it('reads meshes as vertices, skipping face elements before and after the vertex element and vertex list properties', async () => {
    const face = {
      name: 'face',
      properties: [{ name: 'vertex_indices', type: 'int', listCountType: 'uchar' }, { name: 'flags', type: 'uchar' }],
      rows: [[[0, 1, 2], 1], [[2, 1, 0, 1], 2], [[], 3]],
    };
    const vertex = {
      name: 'vertex',
      properties: [
        { name: 'x', type: 'float' }, { name: 'neighbours', type: 'uint', listCountType: 'ushort' },
        { name: 'y', type: 'float' }, { name: 'z', type: 'double' },
      ],
      rows: [[1, [5, 6], 2, 3], [4, [], 5, 6], [7, [1], 8, 9]],
    };
    const edge = { name: 'edge', properties: [{ name: 'vertex1', type: 'int' }, { name: 'vertex2', type: 'int' }], rows: [[0, 1]] };
    for (const elements of [[vertex, face], [face, vertex, edge], [edge, face, vertex, face]]) {
      const cloud = await readPly(buildPly(encoding, elements));
      expect(cloud.pointCount).toBe(3);
      expect(Array.from(cloud.positions)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(cloud.attributes).toBeUndefined();
    }
  });

  it('rejects a truncated body, naming where', async () => {
    const bytes = buildPly(encoding, [{
      name: 'vertex',
      properties: [{ name: 'x', type: 'float' }, { name: 'y', type: 'float' }, { name: 'z', type: 'float' }],
      rows: [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
    }]);
    const error = await expectFormatError(readPly(bytes.subarray(0, bytes.length - 8), { fileName: 'cut.ply' }), /truncated|expected a value|more values/);
    expect(error.fileName).toBe('cut.ply');
    expect(error.message).toContain('cut.ply');
    expect(error.byteOffset !== undefined || error.line !== undefined).toBe(true);
  });

  it('rejects NaN and infinite positions, naming the vertex', async () => {
    for (const bad of [Number.NaN, Infinity, 1e300]) {
      const bytes = buildPly(encoding, [{
        name: 'vertex',
        properties: [{ name: 'x', type: 'double' }, { name: 'y', type: 'float' }, { name: 'z', type: 'float' }],
        rows: [[1, 2, 3], [4, bad, 6]],
      }]);
      const error = await expectFormatError(readPly(bytes), /non-finite position y .* at vertex 1/);
      if (encoding === 'ascii') expect(error.line).toBe(9);
      else expect(error.byteOffset).toBe(bytes.length - 8);
    }
  });

  it('rejects a header count larger than the bytes present before allocating', async () => {
    const bytes = buildPly(encoding, [{
      name: 'vertex',
      properties: [{ name: 'x', type: 'float' }, { name: 'y', type: 'float' }, { name: 'z', type: 'float' }],
      rows: [[1, 2, 3]],
    }]);
    const text = new TextDecoder('latin1').decode(bytes).replace('element vertex 1', 'element vertex 4000000000');
    const edited = Uint8Array.from(text, (character) => character.charCodeAt(0));
    await expectFormatError(readPly(edited), /declares|more values/);
  });

  it('rejects rows beyond the declared count instead of returning a partial cloud', async () => {
    const bytes = buildPly(encoding, [{
      name: 'vertex',
      properties: [{ name: 'x', type: 'float' }, { name: 'y', type: 'float' }, { name: 'z', type: 'float' }],
      rows: [[1, 2, 3], [4, 5, 6]],
    }]);
    const text = new TextDecoder('latin1').decode(bytes).replace('element vertex 2', 'element vertex 1');
    await expectFormatError(readPly(Uint8Array.from(text, (character) => character.charCodeAt(0))), /after the last element/);
  });
});

describe('readPly header errors', () => {
  it('rejects bad magic', async () => {
    const error = await expectFormatError(readPly(encoder.encode('plx\nformat ascii 1.0\nend_header\n')), /bad magic/);
    expect(error.byteOffset).toBe(0);
  });

  it("rejects a missing 'end_header'", async () => {
    await expectFormatError(readPly(encoder.encode('ply\nformat ascii 1.0\nelement vertex 0\nproperty float x\n')), /end_header/);
  });

  it('rejects unsupported property types, naming the line', async () => {
    const error = await expectFormatError(
      readPly(encoder.encode('ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty half y\nend_header\n1 2\n')),
      /unsupported property type 'half'/,
    );
    expect(error.line).toBe(5);
  });

  it('rejects an unknown format and a missing x property', async () => {
    await expectFormatError(readPly(encoder.encode('ply\nformat binary_middle_endian 1.0\nend_header\n')), /unsupported format/);
    await expectFormatError(
      readPly(encoder.encode('ply\nformat ascii 1.0\nelement vertex 1\nproperty float y\nproperty float z\nend_header\n1 2\n')),
      /no 'x' property/,
    );
  });

  it('rejects malformed ASCII values and extra values, naming the line', async () => {
    const header = 'ply\nformat ascii 1.0\ncomment test\nelement vertex 2\nproperty float x\nproperty float y\nproperty uchar z\nend_header\n';
    let error = await expectFormatError(readPly(encoder.encode(`${header}1 2 3\n4 abc 6\n`)), /'abc' is not a number/);
    expect(error.line).toBe(10);
    error = await expectFormatError(readPly(encoder.encode(`${header}1 2 3\n4 5 6 7\n`)), /more values/);
    expect(error.line).toBe(10);
    error = await expectFormatError(readPly(encoder.encode(`${header}1 2 3\n4 5 256\n`)), /not a uchar/);
    expect(error.line).toBe(10);
  });

  it('parses ASCII decimals to exactly the double Number() gives', async () => {
    let state = 99;
    const random = (): number => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 4294967296;
    };
    const tokens: string[] = [];
    for (let index = 0; index < 3000; index++) {
      const digits = (count: number): string => Array.from({ length: count }, () => Math.floor(random() * 10)).join('');
      const sign = random() < 0.5 ? '-' : '';
      const shape = index % 4;
      tokens.push(
        shape === 0 ? `${sign}${digits(1 + Math.floor(random() * 8))}.${digits(1 + Math.floor(random() * 12))}`
          : shape === 1 ? `${sign}${digits(1 + Math.floor(random() * 20))}`
            : shape === 2 ? `${sign}0.${digits(15 + Math.floor(random() * 10))}`
              : `${sign}${digits(2)}.${digits(3)}e${Math.floor(random() * 60) - 30}`,
      );
    }
    const text = `ply\nformat ascii 1.0\nelement vertex ${tokens.length}\nproperty float x\nproperty float y\nproperty float z\nproperty double value\nend_header\n${tokens.map((token) => `0 0 0 ${token}`).join('\n')}\n`;
    const cloud = await readPly(encoder.encode(text));
    expect(Array.from(cloud.attributes?.value ?? [])).toEqual(tokens.map(Number));
  });

  it('accepts CRLF line breaks and keeps header comments', async () => {
    const text = 'ply\r\nformat ascii 1.0\r\ncomment made by hand\r\nelement vertex 1\r\nproperty float x\r\nproperty float y\r\nproperty float z\r\nend_header\r\n1 2 3\r\n';
    const cloud = await readPly(encoder.encode(text));
    expect(Array.from(cloud.positions)).toEqual([1, 2, 3]);
    expect(cloud.metadata?.comments).toEqual(['made by hand']);
  });
});

describe.skipIf(!SHARED_DATA_AVAILABLE)('readPly on real fixtures', () => {
  it('reads the VoteNet ScanNet ASCII PLY (40,000 float xyz points)', async () => {
    const bytes = readFileSync(`${SHARED_DATA_DIRECTORY}/fixtures/votenet_input_pc_scannet_ascii.ply`);
    const cloud = await readPly(bytes, { fileName: 'votenet_input_pc_scannet_ascii.ply' });
    expect(cloud.pointCount).toBe(40000);
    expect(cloud.positions.length).toBe(120000);
    const lines = bytes.toString('latin1').split('\n');
    const bodyStart = lines.indexOf('end_header') + 1;
    for (const index of [0, 1, 12345, 39999]) {
      const expected = lines[bodyStart + index].trim().split(/\s+/).map((token) => Math.fround(Number(token)));
      expect(Array.from(cloud.positions.subarray(index * 3, index * 3 + 3))).toEqual(expected);
    }
  });

  it('reads the labelCloud binary PLY (86,357 points, double xyz + uchar rgb) matching its segmentation file', async () => {
    const bytes = readFileSync(`${SHARED_DATA_DIRECTORY}/fixtures/labelcloud_exemplary.ply`);
    const cloud = await readPly(bytes, { fileName: 'labelcloud_exemplary.ply' });
    expect(cloud.pointCount).toBe(86357);
    expect(cloud.colors?.length).toBe(3 * 86357);
    const bodyStart = bytes.indexOf('end_header\n') + 'end_header\n'.length;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const stride = 3 * 8 + 3;
    for (const index of [0, 4242, 86356]) {
      const row = bodyStart + index * stride;
      expect(cloud.positions[index * 3]).toBe(Math.fround(view.getFloat64(row, true)));
      expect(cloud.positions[index * 3 + 2]).toBe(Math.fround(view.getFloat64(row + 16, true)));
      expect(Array.from(cloud.colors?.subarray(index * 3, index * 3 + 3) ?? [])).toEqual([bytes[row + 24], bytes[row + 25], bytes[row + 26]]);
    }
    const segmentation = readFileSync(`${SHARED_DATA_DIRECTORY}/fixtures/labelcloud_exemplary_segmentation.bin`);
    expect(segmentation.length).toBe(cloud.pointCount);
  });
});
