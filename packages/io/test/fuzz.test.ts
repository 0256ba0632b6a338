/**
 * Mutation fuzzing of every format readPointCloud dispatches to, seeded from the real fixtures (small slices of the
 * big ones, so thousands of cases run in seconds). Every outcome must be a valid cloud or a PointCloudFormatError.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PointCloud, PointCloudFormat } from '../src/core/point-cloud.js';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { findPointCloudProblems } from '../src/core/point-cloud-validation.js';
import { readSemanticKittiLabels } from '../src/kitti/semantickitti-label-reader.js';
import { readLabelsCsv, writeLabelsCsv } from '../src/labels/labels-csv.js';
import { readLabelsJson, writeLabelsJson } from '../src/labels/labels-json.js';
import { writePly } from '../src/ply/ply-writer.js';
import { readPointCloud } from '../src/read-point-cloud.js';
import { buildPly, type TestPlyElement } from './ply-test-files.js';
import { SHARED_DATA_AVAILABLE, SHARED_DATA_DIRECTORY } from './shared-data.js';

/** Points kept from each big fixture. */
const SLICE_POINTS = 300;

interface FuzzBase {
  name: string;
  format: PointCloudFormat;
  fileName: string;
  bytes: Uint8Array;
  /** End of the header (text or binary) — mutations aim there half the time. */
  headerEnd: number;
  /** Header-number edits: 'text' rewrites digit runs before headerEnd, 'las' rewrites binary header fields, 'float32' plants NaN/Inf/huge values. */
  numbers: 'text' | 'las' | 'float32';
  /** Any byte removed from the end must make the read fail (formats whose header fixes the body length). */
  exactLength: boolean;
  /** Cases to run. */
  caseCount: number;
}

function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
const fromLatin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

function loadBases(): FuzzBase[] {
  const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(`${SHARED_DATA_DIRECTORY}/${name}`));
  const bases: FuzzBase[] = [];

  // ASCII PLY: header with the count edited down, first SLICE_POINTS lines.
  const votenet = latin1(fixture('fixtures/votenet_input_pc_scannet_ascii.ply'));
  const votenetLines = votenet.split('\n');
  const votenetHeaderEnd = votenetLines.indexOf('end_header') + 1;
  const votenetSlice = fromLatin1(
    `${[...votenetLines.slice(0, votenetHeaderEnd), ...votenetLines.slice(votenetHeaderEnd, votenetHeaderEnd + SLICE_POINTS)]
      .join('\n')
      .replace('element vertex 40000', `element vertex ${SLICE_POINTS}`)}\n`,
  );
  const plyHeaderEnd = (bytes: Uint8Array): number => latin1(bytes.subarray(0, 4096)).indexOf('end_header') + 11;
  bases.push({ name: 'votenet ascii ply', format: 'ply', fileName: 'votenet.ply', bytes: votenetSlice, headerEnd: plyHeaderEnd(votenetSlice), numbers: 'text', exactLength: false, caseCount: 900 });

  // Binary PLY with double xyz + uchar rgb.
  const labelcloud = fixture('fixtures/labelcloud_exemplary.ply');
  const labelcloudHeaderEnd = plyHeaderEnd(labelcloud);
  const labelcloudSlice = concat(
    fromLatin1(latin1(labelcloud.subarray(0, labelcloudHeaderEnd)).replace('element vertex 86357', `element vertex ${SLICE_POINTS}`)),
    labelcloud.subarray(labelcloudHeaderEnd, labelcloudHeaderEnd + SLICE_POINTS * 27),
  );
  bases.push({ name: 'labelcloud binary ply', format: 'ply', fileName: 'labelcloud.ply', bytes: labelcloudSlice, headerEnd: plyHeaderEnd(labelcloudSlice), numbers: 'text', exactLength: true, caseCount: 900 });

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
    bases.push({ name: `${encoding} mesh ply`, format: 'ply', fileName: 'mesh.ply', bytes, headerEnd: plyHeaderEnd(bytes), numbers: 'text', exactLength: encoding !== 'ascii', caseCount: 600 });
  }

  // Our own writer's output, with labels and attributes.
  const kitti = fixture('fixtures/kitti_000008_xyzi.bin');
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
  bases.push({ name: 'writePly output', format: 'ply', fileName: 'written.ply', bytes: writtenBytes, headerEnd: plyHeaderEnd(writtenBytes), numbers: 'text', exactLength: true, caseCount: 600 });

  // Headerless float32 formats.
  bases.push({ name: 'kitti bin', format: 'kitti-bin', fileName: 'kitti.bin', bytes: kittiSlice, headerEnd: 0, numbers: 'float32', exactLength: false, caseCount: 600 });
  const semanticKitti = fixture('semantickitti/000000.bin').slice(0, SLICE_POINTS * 16);
  bases.push({ name: 'semantickitti bin', format: 'kitti-bin', fileName: '000000.bin', bytes: semanticKitti, headerEnd: 0, numbers: 'float32', exactLength: false, caseCount: 450 });
  const xyzrgb = fixture('fixtures/mmdet3d_scannet_scene0000_00_xyzrgb.bin').slice(0, SLICE_POINTS * 24);
  bases.push({ name: 'xyzrgb bin', format: 'xyzrgb-bin', fileName: 'scene_xyzrgb.bin', bytes: xyzrgb, headerEnd: 0, numbers: 'float32', exactLength: false, caseCount: 600 });

  // PCD: the real binary_compressed frame (whole: LZF cannot be sliced), plus ascii and binary PCDs of real points.
  const office = fixture('fixtures/office1.pcd');
  const pcdHeaderEnd = (bytes: Uint8Array): number => {
    const text = latin1(bytes.subarray(0, 4096));
    const dataLine = text.indexOf('\nDATA ');
    return text.indexOf('\n', dataLine + 1) + 1;
  };
  bases.push({ name: 'office1 pcd (binary_compressed)', format: 'pcd', fileName: 'office1.pcd', bytes: office, headerEnd: pcdHeaderEnd(office), numbers: 'text', exactLength: true, caseCount: 180 });
  const pcdHeader = (data: string): string =>
    `# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS x y z intensity\nSIZE 4 4 4 4\nTYPE F F F F\nCOUNT 1 1 1 1\nWIDTH ${SLICE_POINTS}\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS ${SLICE_POINTS}\nDATA ${data}\n`;
  const pcdAsciiRows = Array.from({ length: SLICE_POINTS }, (_, index) => Array.from(kittiValues.subarray(index * 4, index * 4 + 4)).join(' '));
  const pcdAscii = fromLatin1(`${pcdHeader('ascii')}${pcdAsciiRows.join('\n')}\n`);
  bases.push({ name: 'kitti points as ascii pcd', format: 'pcd', fileName: 'kitti.pcd', bytes: pcdAscii, headerEnd: pcdHeaderEnd(pcdAscii), numbers: 'text', exactLength: false, caseCount: 600 });
  const pcdBinary = concat(fromLatin1(pcdHeader('binary')), kittiSlice);
  bases.push({ name: 'kitti points as binary pcd', format: 'pcd', fileName: 'kitti.pcd', bytes: pcdBinary, headerEnd: pcdHeaderEnd(pcdBinary), numbers: 'text', exactLength: true, caseCount: 600 });

  // LAS 1.2: header + VLRs + the first records, with the point count edited.
  const las = fixture('fixtures/autzen_trim.las');
  const lasView = new DataView(las.buffer, las.byteOffset, las.byteLength);
  const pointDataOffset = lasView.getUint32(96, true);
  const recordLength = lasView.getUint16(105, true);
  const lasSlice = las.slice(0, pointDataOffset + SLICE_POINTS * recordLength);
  new DataView(lasSlice.buffer).setUint32(107, SLICE_POINTS, true);
  bases.push({ name: 'autzen las', format: 'las', fileName: 'autzen.las', bytes: lasSlice, headerEnd: pointDataOffset, numbers: 'las', exactLength: true, caseCount: 750 });
  bases.push({ name: 'autzen las as laz', format: 'laz', fileName: 'autzen.laz', bytes: lasSlice, headerEnd: pointDataOffset, numbers: 'las', exactLength: false, caseCount: 180 });

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
  bases.push({ name: 'scannet npy', format: 'npy', fileName: 'scene_vert.npy', bytes: npySlice, headerEnd: 10 + paddedLength, numbers: 'text', exactLength: true, caseCount: 750 });
  return bases;
}

/**
 * Failures already reported to the owner of the reader, kept visible instead of failing the whole suite:
 * `it.fails` below turns red once they are fixed, so this list cannot go stale.
 */
const KNOWN_BUGS: { base: RegExp; failure: RegExp; note: string }[] = [];

type Mutation = { description: string; bytes: Uint8Array; truncated: boolean };

const NUMBER_REPLACEMENTS = ['0', '1', '2', '7', '299', '301', '600', '65535', '99999999', '4294967295', '4294967296', '18446744073709551616', '-1', '1e9', '', 'nan', '3.5', '00'];

function mutate(base: FuzzBase, random: () => number): Mutation {
  const { bytes, headerEnd } = base;
  const pick = (limit: number): number => Math.floor(random() * limit);
  const position = (): number => (headerEnd > 0 && random() < 0.5 ? pick(headerEnd) : pick(bytes.length));
  const kind = pick(6);
  if (kind === 0) {
    const cut = position();
    return { description: `truncate at ${cut}`, bytes: bytes.slice(0, cut), truncated: true };
  }
  if (kind === 1) {
    const copy = bytes.slice();
    const flips: number[] = [];
    for (let count = 1 + pick(4); count > 0; count--) {
      const at = position();
      copy[at] = random() < 0.5 ? copy[at] ^ (1 << pick(8)) : pick(256);
      flips.push(at);
    }
    return { description: `flip bytes ${flips.join(',')}`, bytes: copy, truncated: false };
  }
  if (kind === 2 || kind === 3) {
    if (base.numbers === 'text') {
      const header = latin1(bytes.subarray(0, headerEnd));
      const runs = [...header.matchAll(/\d+/g)];
      if (runs.length > 0) {
        const run = runs[pick(runs.length)];
        const original = Number(run[0]);
        const candidates = [...NUMBER_REPLACEMENTS, String(original + 1), String(Math.max(0, original - 1)), String(original * 2)];
        const replacement = candidates[pick(candidates.length)];
        const start = run.index ?? 0;
        const edited = concat(
          bytes.subarray(0, start),
          fromLatin1(replacement),
          bytes.subarray(start + run[0].length),
        );
        return { description: `header number '${run[0]}' at ${start} → '${replacement}'`, bytes: edited, truncated: false };
      }
    }
    if (base.numbers === 'las') {
      const copy = bytes.slice();
      const view = new DataView(copy.buffer);
      const fields: [number, number][] = [[94, 2], [96, 4], [100, 4], [104, 1], [105, 2], [107, 4], [111, 4], [131, 8], [155, 8], [179, 8]];
      const [offset, size] = fields[pick(fields.length)];
      const values = [0, 1, 2, 3, 255, 65535, 4294967295, SLICE_POINTS + 1, SLICE_POINTS * 2, pick(1 << 20)];
      const value = values[pick(values.length)];
      if (size === 1) view.setUint8(offset, value & 0xff);
      else if (size === 2) view.setUint16(offset, value & 0xffff, true);
      else if (size === 4) view.setUint32(offset, value >>> 0, true);
      else view.setFloat64(offset, [0, Number.NaN, Infinity, 1e-300, 1e300][pick(5)], true);
      return { description: `las header field ${offset} → ${value}`, bytes: copy, truncated: false };
    }
    const copy = bytes.slice();
    const view = new DataView(copy.buffer);
    const at = pick(Math.floor(copy.length / 4)) * 4;
    const value = [Number.NaN, Infinity, -Infinity, 3.4e38, -1, 1e9, 256][pick(7)];
    view.setFloat32(at, value, true);
    return { description: `float32 at ${at} → ${value}`, bytes: copy, truncated: false };
  }
  if (kind === 4) {
    const at = position();
    const length = 1 + pick(32);
    return { description: `delete ${length} bytes at ${at}`, bytes: concat(bytes.subarray(0, at), bytes.subarray(at + length)), truncated: false };
  }
  const garbage = Uint8Array.from({ length: 1 + pick(40) }, () => pick(256));
  const at = random() < 0.5 ? bytes.length : position();
  return { description: `insert ${garbage.length} bytes at ${at}`, bytes: concat(bytes.subarray(0, at), garbage, bytes.subarray(at)), truncated: false };
}

const knownFailures: string[] = [];

describe.skipIf(!SHARED_DATA_AVAILABLE)('fuzzing readPointCloud with mutated real fixtures', () => {
  it('returns a valid cloud or throws PointCloudFormatError for every mutation of every format', async () => {
    const bases = loadBases();
    const failures: string[] = [];
    const report = (base: FuzzBase, message: string): void => {
      const known = KNOWN_BUGS.find((bug) => bug.base.test(base.name) && bug.failure.test(message));
      if (known === undefined) failures.push(message);
      else knownFailures.push(`${message} [known: ${known.note}]`);
    };
    const outcomes: Record<string, { valid: number; rejected: number }> = {};
    let caseCount = 0;
    for (const [baseIndex, base] of bases.entries()) {
      // The unmutated slice must read (otherwise the mutations test nothing).
      const original = await readPointCloud(base.bytes, { format: base.format, fileName: base.fileName }).catch((error: unknown) => error);
      if (original instanceof Error) {
        if (!(original instanceof PointCloudFormatError && /not implemented/.test(original.message))) {
          failures.push(`${base.name}: unmutated slice failed: ${original.message}`);
        }
      }
      const tally = (outcomes[base.name] = { valid: 0, rejected: 0 });
      const random = createRandom(1000 + baseIndex);
      for (let caseIndex = 0; caseIndex < base.caseCount; caseIndex++) {
        const mutation = mutate(base, random);
        // Half the cases let readPointCloud sniff the format from the bytes and the file name.
        const options = caseIndex % 2 === 0 ? { format: base.format, fileName: base.fileName } : { fileName: base.fileName };
        caseCount++;
        try {
          const cloud = await readPointCloud(mutation.bytes, options);
          const problems = findPointCloudProblems(cloud);
          if (problems.length > 0) report(base, `${base.name} / ${mutation.description}: invalid cloud: ${problems.join('; ')}`);
          if (mutation.truncated && base.exactLength && mutation.bytes.length < base.bytes.length) {
            report(base, `${base.name} / ${mutation.description}: truncated input read as ${cloud.pointCount} points without an error`);
          }
          tally.valid++;
        } catch (error) {
          if (error instanceof PointCloudFormatError) tally.rejected++;
          else report(base, `${base.name} / ${mutation.description}: ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
        }
      }
    }
    console.log(`fuzz: ${caseCount} cases`, outcomes);
    if (knownFailures.length > 0) console.warn(`fuzz: ${knownFailures.length} known failures, e.g. ${knownFailures[0]}`);
    expect(failures.slice(0, 20)).toEqual([]);
    expect(caseCount).toBeGreaterThanOrEqual(3000);
  });

  it('has no failures matching KNOWN_BUGS (the list is empty: every fuzz outcome must be a cloud or a PointCloudFormatError)', () => {
    expect(knownFailures.slice(0, 5)).toEqual([]);
  });

  it('label readers return consistent labels or throw PointCloudFormatError', () => {
    const random = createRandom(77);
    const labelBytes = new Uint8Array(readFileSync(`${SHARED_DATA_DIRECTORY}/semantickitti/000000.label`)).slice(0, SLICE_POINTS * 4);
    const labelled: PointCloud = {
      pointCount: SLICE_POINTS,
      positions: new Float32Array(SLICE_POINTS * 3),
      ...readSemanticKittiLabels(labelBytes),
    };
    const sources: [string, Uint8Array, (bytes: Uint8Array) => { semantic?: Int32Array; instance?: Int32Array }][] = [
      ['semantickitti label', labelBytes, (bytes) => readSemanticKittiLabels(bytes, { expectedPointCount: SLICE_POINTS })],
      ['labels json', fromLatin1(writeLabelsJson(labelled, { classNames: { 10: 'car' } })), (bytes) => readLabelsJson(bytes, { expectedPointCount: SLICE_POINTS })],
      ['labels csv', fromLatin1(writeLabelsCsv(labelled)), (bytes) => readLabelsCsv(bytes, { expectedPointCount: SLICE_POINTS })],
    ];
    const failures: string[] = [];
    let rejected = 0;
    for (const [name, bytes, read] of sources) {
      const base: FuzzBase = { name, format: 'ply', fileName: name, bytes, headerEnd: Math.min(64, bytes.length), numbers: 'text', exactLength: false, caseCount: 900 };
      for (let caseIndex = 0; caseIndex < base.caseCount; caseIndex++) {
        const mutation = mutate(base, random);
        try {
          const labels = read(mutation.bytes);
          for (const array of [labels.semantic, labels.instance]) {
            if (array !== undefined && array.length !== SLICE_POINTS) failures.push(`${name} / ${mutation.description}: ${array.length} labels`);
          }
        } catch (error) {
          if (error instanceof PointCloudFormatError) rejected++;
          else failures.push(`${name} / ${mutation.description}: ${(error as Error).message}`);
        }
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(rejected).toBeGreaterThan(0);
  });
});
