/**
 * The fuzz corpus: every fixture in `shared/data/fixtures` (whole, and as small slices so that most cases cost well
 * under a millisecond), a few osd-learn scans, and generated PLY / PCD variants; plus the mutations. Every case is a
 * pure function of (seed, base, case index), so a failing case is reproduced from those three alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { PointCloud, PointCloudFormat } from '../../src/core/point-cloud.js';
import { writePly } from '../../src/ply/ply-writer.js';
import { writeLaz } from '../../src/las/laz-writer.js';
import { buildPly, type TestPlyElement } from '../ply-test-files.js';

/** Fixed seed of the fuzz run; change it only on purpose (the case list and any reproduction depend on it). */
export const FUZZ_SEED = 20_261_201;

/** A binary integer or float field of a header that targeted mutations rewrite. */
export interface BinaryField {
  /** Name for reports, e.g. `'pointCount'`. */
  name: string;
  /** Byte offset in the base's bytes. */
  offset: number;
  /** Encoding (little-endian). */
  type: 'u8' | 'u16' | 'u32' | 'i64' | 'f64';
}

/** One unmutated input and how to mutate it. */
export interface FuzzBase {
  name: string;
  format: PointCloudFormat;
  fileName: string;
  bytes: Uint8Array;
  /** End of the header (text or binary): half of the positional mutations aim before it. */
  headerEnd: number;
  /** Header numbers and tokens to rewrite: `'text'` for PLY / PCD / NPY headers, `'none'` for headerless formats. */
  textHeader: boolean;
  /** Binary header fields to rewrite (LAS / LAZ header, VLRs and chunk table, PCD compressed sizes). */
  binaryFields: BinaryField[];
  /** Whether the body is float32 rows (KITTI / xyzrgb), where NaN / Inf / huge values are planted. */
  float32Rows: boolean;
  /** Any byte removed from the end must make the read fail (formats whose header fixes the body length). */
  exactLength: boolean;
  /** Cases to run on this base. */
  caseCount: number;
}

/** One mutated input. */
export interface FuzzMutation {
  description: string;
  bytes: Uint8Array;
  truncated: boolean;
}

/** Points kept in each slice of a big fixture. */
const SLICE_POINTS = 300;

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
const fromLatin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** xorshift32 over a seed mixed from the run seed, the base and the case: each case stands alone. */
export function createCaseRandom(seed: number, baseIndex: number, caseIndex: number): () => number {
  let state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(baseIndex + 1, 0xc2b2ae35) ^ Math.imul(caseIndex + 1, 0x27d4eb2f)) >>> 0 || 1;
  for (let warm = 0; warm < 4; warm++) state = xorshift(state);
  return () => {
    state = xorshift(state);
    return state / 4294967296;
  };
}

function xorshift(value: number): number {
  let state = value;
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return state >>> 0;
}

const plyHeaderEnd = (bytes: Uint8Array): number => latin1(bytes.subarray(0, 4096)).indexOf('end_header') + 11;
const pcdHeaderEnd = (bytes: Uint8Array): number => {
  const text = latin1(bytes.subarray(0, 4096));
  return text.indexOf('\n', text.indexOf('\nDATA ') + 1) + 1;
};

/** LAS public-header fields (LAS 1.4 R15, table 3) that counts, offsets, sizes and types live in. */
function lasHeaderFields(): BinaryField[] {
  const fields: [string, number, BinaryField['type']][] = [
    ['version minor', 25, 'u8'], ['headerSize', 94, 'u16'], ['pointDataOffset', 96, 'u32'], ['variableLengthRecordCount', 100, 'u32'],
    ['pointFormat', 104, 'u8'], ['pointRecordLength', 105, 'u16'], ['pointCount', 107, 'u32'], ['pointsByReturn[0]', 111, 'u32'],
    ['scale x', 131, 'f64'], ['offset z', 171, 'f64'], ['max x', 179, 'f64'], ['min z', 219, 'f64'],
  ];
  return fields.map(([name, offset, type]) => ({ name, offset, type }));
}

/** VLR lengths, LASzip VLR fields and chunk-table fields of a LAZ file. */
function lazLayoutFields(bytes: Uint8Array): BinaryField[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields = lasHeaderFields();
  const pointDataOffset = view.getUint32(96, true);
  for (let index = 0, offset = view.getUint16(94, true); index < view.getUint32(100, true); index++) {
    fields.push({ name: `vlr ${index} recordLengthAfterHeader`, offset: offset + 20, type: 'u16' });
    if (view.getUint16(offset + 18, true) === 22204) {
      const laszip = offset + 54;
      fields.push(
        { name: 'laszip compressor', offset: laszip, type: 'u16' },
        { name: 'laszip coder', offset: laszip + 2, type: 'u16' },
        { name: 'laszip chunkSize', offset: laszip + 12, type: 'u32' },
        { name: 'laszip itemCount', offset: laszip + 32, type: 'u16' },
      );
      for (let item = 0; item < view.getUint16(laszip + 32, true); item++) {
        fields.push(
          { name: `laszip item ${item} type`, offset: laszip + 34 + item * 6, type: 'u16' },
          { name: `laszip item ${item} size`, offset: laszip + 36 + item * 6, type: 'u16' },
          { name: `laszip item ${item} version`, offset: laszip + 38 + item * 6, type: 'u16' },
        );
      }
    }
    offset += 54 + view.getUint16(offset + 20, true);
  }
  const chunkTableOffset = Number(view.getBigInt64(pointDataOffset, true));
  fields.push(
    { name: 'chunkTableOffset', offset: pointDataOffset, type: 'i64' },
    { name: 'chunk table version', offset: chunkTableOffset, type: 'u32' },
    { name: 'chunkCount', offset: chunkTableOffset + 4, type: 'u32' },
  );
  return fields;
}

/** The compressed / uncompressed size pair after the DATA line of a binary_compressed PCD. */
const pcdCompressedFields = (bytes: Uint8Array): BinaryField[] => [
  { name: 'compressedSize', offset: pcdHeaderEnd(bytes), type: 'u32' },
  { name: 'uncompressedSize', offset: pcdHeaderEnd(bytes) + 4, type: 'u32' },
];

type BaseOptions = Partial<Omit<FuzzBase, 'name' | 'format' | 'fileName' | 'bytes'>>;

function base(name: string, format: PointCloudFormat, fileName: string, bytes: Uint8Array, options: BaseOptions): FuzzBase {
  return { name, format, fileName, bytes, headerEnd: 0, textHeader: false, binaryFields: [], float32Rows: false, exactLength: false, caseCount: 0, ...options };
}

/** Osd-learn scans in the corpus (a box, an occluded scene, cylinders). */
export const OSD_LEARN_SCANS = ['learn0.pcd', 'learn28.pcd', 'learn40.pcd'];

/** Every fixture file the corpus reads whole, relative to the shared data folder. */
export const WHOLE_FIXTURES = [
  'fixtures/MixedConifer.laz',
  'fixtures/Topography.laz',
  'fixtures/autzen_trim.las',
  'fixtures/office1.pcd',
  'fixtures/votenet_input_pc_scannet_ascii.ply',
  'fixtures/labelcloud_exemplary.ply',
  'fixtures/labelcloud_exemplary_segmentation.bin',
  'fixtures/kitti_000008_xyzi.bin',
  'fixtures/mmdet3d_scannet_scene0000_00_xyzrgb.bin',
];

/** Whether every file the corpus needs is present under `directory`. */
export function fuzzCorpusAvailable(directory: string): boolean {
  return [...WHOLE_FIXTURES, ...OSD_LEARN_SCANS.map((name) => `osd-learn/${name}`), 'semantickitti/000000.bin', 'scannet-votenet/scene0000_00_vert.npy'].every((path) =>
    existsSync(`${directory}/${path}`),
  );
}

/** Builds the corpus from the shared data folder; the same list, in the same order, on every call. */
export function loadFuzzBases(directory: string): FuzzBase[] {
  const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(`${directory}/${path}`));
  const bases: FuzzBase[] = [];

  // Whole files: the real layouts (LAZ chunk tables, LZF streams, long bodies), fewer cases as each read costs more.
  const mixedConifer = fixture('fixtures/MixedConifer.laz');
  bases.push(base('MixedConifer.laz', 'laz', 'MixedConifer.laz', mixedConifer, { headerEnd: 700, binaryFields: lazLayoutFields(mixedConifer), exactLength: false, caseCount: 350 }));
  const topography = fixture('fixtures/Topography.laz');
  bases.push(base('Topography.laz', 'laz', 'Topography.laz', topography, { headerEnd: 420, binaryFields: lazLayoutFields(topography), caseCount: 350 }));
  const autzen = fixture('fixtures/autzen_trim.las');
  const autzenView = new DataView(autzen.buffer, autzen.byteOffset, autzen.byteLength);
  bases.push(base('autzen_trim.las', 'las', 'autzen_trim.las', autzen, { headerEnd: autzenView.getUint32(96, true), binaryFields: lasHeaderFields(), exactLength: true, caseCount: 250 }));
  const office = fixture('fixtures/office1.pcd');
  bases.push(base('office1.pcd', 'pcd', 'office1.pcd', office, { headerEnd: pcdHeaderEnd(office), textHeader: true, binaryFields: pcdCompressedFields(office), exactLength: true, caseCount: 200 }));
  for (const name of OSD_LEARN_SCANS) {
    const scan = fixture(`osd-learn/${name}`);
    bases.push(base(`osd-learn ${name}`, 'pcd', name, scan, { headerEnd: pcdHeaderEnd(scan), textHeader: true, binaryFields: pcdCompressedFields(scan), exactLength: true, caseCount: 100 }));
  }
  const votenet = fixture('fixtures/votenet_input_pc_scannet_ascii.ply');
  bases.push(base('votenet ascii ply', 'ply', 'votenet.ply', votenet, { headerEnd: plyHeaderEnd(votenet), textHeader: true, caseCount: 100 }));
  const labelcloud = fixture('fixtures/labelcloud_exemplary.ply');
  bases.push(base('labelcloud binary ply', 'ply', 'labelcloud.ply', labelcloud, { headerEnd: plyHeaderEnd(labelcloud), textHeader: true, exactLength: true, caseCount: 250 }));
  // The int8 label file is no point cloud: read as a KITTI .bin it must be refused (its length is no multiple of 16).
  const segmentation = fixture('fixtures/labelcloud_exemplary_segmentation.bin');
  bases.push(base('labelcloud segmentation bin', 'kitti-bin', 'labelcloud_exemplary_segmentation.bin', segmentation, { caseCount: 300 }));
  const kitti = fixture('fixtures/kitti_000008_xyzi.bin');
  bases.push(base('kitti bin', 'kitti-bin', 'kitti.bin', kitti, { float32Rows: true, caseCount: 600 }));
  const xyzrgb = fixture('fixtures/mmdet3d_scannet_scene0000_00_xyzrgb.bin');
  bases.push(base('xyzrgb bin', 'xyzrgb-bin', 'scene_xyzrgb.bin', xyzrgb, { float32Rows: true, caseCount: 500 }));

  // Slices: the same formats cut to SLICE_POINTS points (headers edited to match), for thousands of cheap cases.
  const votenetLines = latin1(votenet).split('\n');
  const votenetHeaderEnd = votenetLines.indexOf('end_header') + 1;
  const votenetSlice = fromLatin1(
    `${[...votenetLines.slice(0, votenetHeaderEnd), ...votenetLines.slice(votenetHeaderEnd, votenetHeaderEnd + SLICE_POINTS)]
      .join('\n')
      .replace('element vertex 40000', `element vertex ${SLICE_POINTS}`)}\n`,
  );
  bases.push(base('votenet ascii ply slice', 'ply', 'votenet.ply', votenetSlice, { headerEnd: plyHeaderEnd(votenetSlice), textHeader: true, caseCount: 4500 }));
  const labelcloudHeaderEnd = plyHeaderEnd(labelcloud);
  const labelcloudSlice = concat(
    fromLatin1(latin1(labelcloud.subarray(0, labelcloudHeaderEnd)).replace('element vertex 86357', `element vertex ${SLICE_POINTS}`)),
    labelcloud.subarray(labelcloudHeaderEnd, labelcloudHeaderEnd + SLICE_POINTS * 27),
  );
  bases.push(base('labelcloud binary ply slice', 'ply', 'labelcloud.ply', labelcloudSlice, { headerEnd: plyHeaderEnd(labelcloudSlice), textHeader: true, exactLength: true, caseCount: 4500 }));

  // Meshes in all three encodings, from real vertex positions, with faces before and after the vertices.
  const realPositions = votenetLines.slice(votenetHeaderEnd, votenetHeaderEnd + 60).map((line) => line.trim().split(/\s+/).map(Number));
  const vertex: TestPlyElement = {
    name: 'vertex',
    properties: [
      { name: 'x', type: 'float' }, { name: 'y', type: 'float' }, { name: 'z', type: 'double' },
      { name: 'red', type: 'uchar' }, { name: 'green', type: 'uchar' }, { name: 'blue', type: 'uchar' },
      { name: 'label', type: 'ushort' }, { name: 'instance_id', type: 'int' },
    ],
    rows: realPositions.map((position, index) => [...position, index % 256, (index * 7) % 256, 9, index % 5, index % 3]),
  };
  const face: TestPlyElement = {
    name: 'face',
    properties: [{ name: 'vertex_indices', type: 'int', listCountType: 'uchar' }],
    rows: Array.from({ length: 30 }, (_, index) => [[index, index + 1, index + 2]]),
  };
  for (const [encoding, elements] of [
    ['ascii', [vertex, face]],
    ['binary_little_endian', [face, vertex]],
    ['binary_big_endian', [vertex, face]],
  ] as const) {
    const bytes = buildPly(encoding, [...elements]);
    bases.push(base(`${encoding} mesh ply`, 'ply', 'mesh.ply', bytes, { headerEnd: plyHeaderEnd(bytes), textHeader: true, exactLength: encoding !== 'ascii', caseCount: 3000 }));
  }

  // Our own writer's output, with labels and attributes, from real KITTI points.
  const kittiSlice = kitti.slice(0, SLICE_POINTS * 16);
  const kittiValues = new Float32Array(kittiSlice.buffer.slice(0));
  const written: PointCloud = {
    pointCount: SLICE_POINTS,
    positions: Float32Array.from({ length: SLICE_POINTS * 3 }, (_, index) => kittiValues[Math.floor(index / 3) * 4 + (index % 3)]),
    intensity: Float32Array.from({ length: SLICE_POINTS }, (_, index) => kittiValues[index * 4 + 3]),
    instance: Int32Array.from({ length: SLICE_POINTS }, (_, index) => index % 7),
    semantic: Int32Array.from({ length: SLICE_POINTS }, (_, index) => index % 3),
    attributes: { ring: Uint16Array.from({ length: SLICE_POINTS }, (_, index) => index % 64) },
  };
  const writtenBytes = writePly(written);
  bases.push(base('writePly output', 'ply', 'written.ply', writtenBytes, { headerEnd: plyHeaderEnd(writtenBytes), textHeader: true, exactLength: true, caseCount: 3000 }));
  // writeLaz's LAS 1.4 layered LAZ (POINT14, RGB14, BYTE14 for instance and ring): the layered-chunk walk and laz-perf's
  // 1.4 decoder on damaged layer sizes, counts and layers.
  const lazBytes = writeLaz({
    ...written,
    intensity: written.intensity!.map((value) => Math.round(value * 65535)), // KITTI remission 0..1 → LAS 16 bits
    colors: Uint8Array.from({ length: SLICE_POINTS * 3 }, (_, index) => (index * 37) % 256),
  });
  const lazView = new DataView(lazBytes.buffer);
  const firstChunk = lazView.getUint32(96, true) + 8;
  const lazFields: BinaryField[] = [
    ...lazLayoutFields(lazBytes),
    { name: 'pointCount (1.4)', offset: 247, type: 'i64' },
    { name: 'chunk 0 point count', offset: firstChunk + lazView.getUint16(105, true), type: 'u32' },
    ...Array.from({ length: 4 }, (_, layer) => ({ name: `chunk 0 layer ${layer} size`, offset: firstChunk + lazView.getUint16(105, true) + 4 + layer * 4, type: 'u32' as const })),
  ];
  bases.push(base('writeLaz output', 'laz', 'written.laz', lazBytes, { headerEnd: firstChunk, binaryFields: lazFields, caseCount: 350 }));

  // Headerless float32 formats.
  bases.push(base('kitti bin slice', 'kitti-bin', 'kitti.bin', kittiSlice, { float32Rows: true, caseCount: 2500 }));
  const semanticKitti = fixture('semantickitti/000000.bin').slice(0, SLICE_POINTS * 16);
  bases.push(base('semantickitti bin slice', 'kitti-bin', '000000.bin', semanticKitti, { float32Rows: true, caseCount: 2000 }));
  bases.push(base('xyzrgb bin slice', 'xyzrgb-bin', 'scene_xyzrgb.bin', xyzrgb.slice(0, SLICE_POINTS * 24), { float32Rows: true, caseCount: 2500 }));
  bases.push(base('labelcloud segmentation bin slice', 'kitti-bin', 'segmentation.bin', segmentation.slice(0, SLICE_POINTS * 16), { caseCount: 1000 }));

  // PCD: ascii and binary PCDs of real points (the binary_compressed ones are the whole files above).
  const pcdHeader = (data: string): string =>
    `# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS x y z intensity\nSIZE 4 4 4 4\nTYPE F F F F\nCOUNT 1 1 1 1\nWIDTH ${SLICE_POINTS}\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS ${SLICE_POINTS}\nDATA ${data}\n`;
  const pcdAsciiRows = Array.from({ length: SLICE_POINTS }, (_, index) => Array.from(kittiValues.subarray(index * 4, index * 4 + 4)).join(' '));
  const pcdAscii = fromLatin1(`${pcdHeader('ascii')}${pcdAsciiRows.join('\n')}\n`);
  bases.push(base('kitti points as ascii pcd', 'pcd', 'kitti.pcd', pcdAscii, { headerEnd: pcdHeaderEnd(pcdAscii), textHeader: true, caseCount: 4000 }));
  const pcdBinary = concat(fromLatin1(pcdHeader('binary')), kittiSlice);
  bases.push(base('kitti points as binary pcd', 'pcd', 'kitti.pcd', pcdBinary, { headerEnd: pcdHeaderEnd(pcdBinary), textHeader: true, exactLength: true, caseCount: 4000 }));

  // LAS 1.2: header + VLRs + the first records, with the point count edited; also sniffed under a .laz name.
  const pointDataOffset = autzenView.getUint32(96, true);
  const recordLength = autzenView.getUint16(105, true);
  const lasSlice = autzen.slice(0, pointDataOffset + SLICE_POINTS * recordLength);
  new DataView(lasSlice.buffer).setUint32(107, SLICE_POINTS, true);
  bases.push(base('autzen las slice', 'las', 'autzen.las', lasSlice, { headerEnd: pointDataOffset, binaryFields: lasHeaderFields(), exactLength: true, caseCount: 4500 }));
  bases.push(base('autzen las slice named .laz', 'laz', 'autzen.laz', lasSlice, { headerEnd: pointDataOffset, binaryFields: lasHeaderFields(), caseCount: 1000 }));

  // NPY (float32 (N, 6) x y z r g b) from a ScanNet room, header rebuilt for the slice.
  const npy = fixture('scannet-votenet/scene0000_00_vert.npy');
  const npyHeaderLength = npy[8] | (npy[9] << 8);
  const npyDictionary = latin1(npy.subarray(10, 10 + npyHeaderLength)).trim().replace('(50000, 6)', `(${SLICE_POINTS}, 6)`);
  const paddedLength = Math.ceil((10 + npyDictionary.length + 1) / 64) * 64 - 10;
  const npyHeader = fromLatin1(`${npyDictionary.padEnd(paddedLength - 1, ' ')}\n`);
  const npyPrefix = npy.slice(0, 10);
  npyPrefix[8] = paddedLength & 0xff;
  npyPrefix[9] = paddedLength >> 8;
  const npySlice = concat(npyPrefix, npyHeader, npy.subarray(10 + npyHeaderLength, 10 + npyHeaderLength + SLICE_POINTS * 24));
  bases.push(
    base('scannet npy slice', 'npy', 'scene_vert.npy', npySlice, {
      headerEnd: 10 + paddedLength,
      textHeader: true,
      binaryFields: [{ name: 'headerLength', offset: 8, type: 'u16' }],
      exactLength: true,
      caseCount: 4500,
    }),
  );
  return bases;
}

/** Header tokens that name types, encodings and fields, and what a targeted mutation swaps them for. */
const TOKEN_VOCABULARY = [
  // PLY scalar types and keywords
  'char', 'uchar', 'short', 'ushort', 'int', 'uint', 'float', 'double', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64',
  'list', 'vertex', 'face', 'property', 'element', 'ascii', 'binary_little_endian', 'binary_big_endian', 'x', 'red', 'label',
  // PCD TYPE, DATA and FIELDS tokens
  'F', 'I', 'U', 'binary', 'binary_compressed', 'rgb', 'rgba', 'normal_x',
  // NPY dtypes and flags
  "'<f4'", "'<f8'", "'<i4'", "'|u1'", "'>f4'", "'<f2'", "'<u8'", 'True', 'False',
];
const TOKEN_SET = new Set(TOKEN_VOCABULARY);
const NUMBER_REPLACEMENTS = ['0', '1', '2', '7', '299', '301', '600', '65535', '99999999', '4294967295', '4294967296', '18446744073709551616', '-1', '1e9', '', 'nan', '3.5', '00'];

/** The case `caseIndex` of `base` under `seed`: always the same bytes and description. */
export function mutateFuzzBase(base: FuzzBase, baseIndex: number, caseIndex: number, seed = FUZZ_SEED): FuzzMutation {
  const random = createCaseRandom(seed, baseIndex, caseIndex);
  const { bytes, headerEnd } = base;
  const pick = (limit: number): number => Math.floor(random() * limit);
  const position = (): number => (headerEnd > 0 && random() < 0.5 ? pick(headerEnd) : pick(bytes.length));
  const targeted = [base.textHeader ? 'number' : '', base.textHeader ? 'token' : '', base.binaryFields.length > 0 ? 'field' : '', base.float32Rows ? 'float32' : ''].filter(Boolean);
  // Half the cases edit a header field on purpose (when the format has one), half damage bytes at random.
  const kind = targeted.length > 0 && random() < 0.5 ? targeted[pick(targeted.length)] : ['truncate', 'flip', 'delete', 'insert'][pick(4)];
  switch (kind) {
    case 'truncate': {
      const cut = position();
      return { description: `truncate at ${cut}`, bytes: bytes.slice(0, cut), truncated: true };
    }
    case 'flip': {
      const copy = bytes.slice();
      const flips: string[] = [];
      for (let count = 1 + pick(4); count > 0; count--) {
        const at = position();
        copy[at] = random() < 0.5 ? copy[at] ^ (1 << pick(8)) : pick(256);
        flips.push(`${at}=${copy[at]}`);
      }
      return { description: `set bytes ${flips.join(', ')}`, bytes: copy, truncated: false };
    }
    case 'delete': {
      const at = position();
      const length = 1 + pick(32);
      return { description: `delete ${length} bytes at ${at}`, bytes: concat(bytes.subarray(0, at), bytes.subarray(at + length)), truncated: false };
    }
    case 'insert': {
      const garbage = Uint8Array.from({ length: 1 + pick(40) }, () => pick(256));
      const at = random() < 0.5 ? bytes.length : position();
      return { description: `insert ${garbage.length} random bytes at ${at}`, bytes: concat(bytes.subarray(0, at), garbage, bytes.subarray(at)), truncated: false };
    }
    case 'number':
    case 'token': {
      const header = latin1(bytes.subarray(0, headerEnd));
      const runs = [...header.matchAll(kind === 'number' ? /\d+/g : /[^\s,:(){}]+/g)].filter((run) => kind === 'number' || TOKEN_SET.has(run[0]));
      if (runs.length === 0) return { description: 'no header token to edit: unmutated', bytes: bytes.slice(), truncated: false };
      const run = runs[pick(runs.length)];
      let replacement: string;
      if (kind === 'number') {
        const original = Number(run[0]);
        const candidates = [...NUMBER_REPLACEMENTS, String(original + 1), String(Math.max(0, original - 1)), String(original * 2), String(original * 1000)];
        replacement = candidates[pick(candidates.length)]!;
      } else {
        replacement = TOKEN_VOCABULARY[pick(TOKEN_VOCABULARY.length)]!;
      }
      const start = run.index ?? 0;
      const edited = concat(bytes.subarray(0, start), fromLatin1(replacement), bytes.subarray(start + run[0].length));
      return { description: `header ${kind} '${run[0]}' at ${start} → '${replacement}'`, bytes: edited, truncated: false };
    }
    case 'field': {
      const copy = bytes.slice();
      const view = new DataView(copy.buffer);
      const field = base.binaryFields[pick(base.binaryFields.length)];
      if (field.type === 'f64') {
        const value = [0, Number.NaN, Infinity, -1, 1e-300, 1e300, view.getFloat64(field.offset, true) * 1e6][pick(7)];
        view.setFloat64(field.offset, value, true);
        return { description: `field ${field.name} (f64 at ${field.offset}) → ${value}`, bytes: copy, truncated: false };
      }
      const original = field.type === 'u8' ? view.getUint8(field.offset) : field.type === 'u16' ? view.getUint16(field.offset, true) : field.type === 'u32' ? view.getUint32(field.offset, true) : Number(view.getBigInt64(field.offset, true));
      const values = [0, 1, 2, 3, 255, 256, 65535, 2 ** 31 - 1, 2 ** 32 - 1, original + 1, original - 1, original * 2, original * 256, original + 2 ** 24, pick(1 << 20)];
      const value = values[pick(values.length)];
      if (field.type === 'u8') view.setUint8(field.offset, value & 0xff);
      else if (field.type === 'u16') view.setUint16(field.offset, value & 0xffff, true);
      else if (field.type === 'u32') view.setUint32(field.offset, value >>> 0, true);
      else view.setBigInt64(field.offset, BigInt(Math.trunc(value)), true);
      return { description: `field ${field.name} (${field.type} at ${field.offset}) ${original} → ${value}`, bytes: copy, truncated: false };
    }
    default: {
      const copy = bytes.slice();
      const view = new DataView(copy.buffer);
      const at = pick(Math.floor(copy.length / 4)) * 4;
      const value = [Number.NaN, Infinity, -Infinity, 3.4e38, -1, 1e9, 256][pick(7)];
      view.setFloat32(at, value, true);
      return { description: `float32 at ${at} → ${value}`, bytes: copy, truncated: false };
    }
  }
}
