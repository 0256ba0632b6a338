import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { parseS3disRoom, readS3disRoom } from '../src/node/scenes/s3dis-room-reader.js';
import { S3DIS_CLASS_NAMES } from '../src/classes/s3dis-class-names.js';
import { parseScannetLabelTable } from '../src/scenes/scannet-label-table.js';
import { parseScannetScene, readScannetScene } from '../src/node/scenes/scannet-scene-reader.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const labelTablePath = join(sharedData, 'scannet-votenet', 'scannetv2-labels.combined.tsv');
const labelTableAvailable = existsSync(labelTablePath);
if (!labelTableAvailable) console.warn(`scenes-scannet-s3dis.test: skipping ScanNet folder checks, ${labelTablePath} not found (set POINTCLICK_SHARED_DATA)`);

const temporaryDirectory = mkdtempSync(join(tmpdir(), 'pointclick-scenes-'));
afterAll(() => rmSync(temporaryDirectory, { recursive: true, force: true }));

/** A tiny binary little-endian PLY mesh like ScanNet's `_vh_clean_2.ply` (float xyz, uchar rgba, triangles). */
function writeScannetMesh(path: string, vertices: number[][], faces: number[][]): void {
  const header =
    `ply\nformat binary_little_endian 1.0\ncomment synthetic ScanNet-like mesh\nelement vertex ${vertices.length}\n` +
    'property float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nproperty uchar alpha\n' +
    `element face ${faces.length}\nproperty list uchar int vertex_indices\nend_header\n`;
  const body = new DataView(new ArrayBuffer(vertices.length * 16 + faces.length * 13));
  let offset = 0;
  for (const [x, y, z, red, green, blue] of vertices) {
    body.setFloat32(offset, x, true);
    body.setFloat32(offset + 4, y, true);
    body.setFloat32(offset + 8, z, true);
    body.setUint8(offset + 12, red);
    body.setUint8(offset + 13, green);
    body.setUint8(offset + 14, blue);
    body.setUint8(offset + 15, 255);
    offset += 16;
  }
  for (const face of faces) {
    body.setUint8(offset, 3);
    face.forEach((vertex, corner) => body.setInt32(offset + 1 + corner * 4, vertex, true));
    offset += 13;
  }
  writeFileSync(path, Buffer.concat([Buffer.from(header, 'latin1'), Buffer.from(body.buffer)]));
}

// Eight vertices in four segments; the chair (objectId 0) owns segments 10 and 11, the table
// (objectId 3) segment 12, segment 13 is unannotated.
const meshVertices = Array.from({ length: 8 }, (_, index) => [index * 0.5, 1, 0.25 * index, 10 * index, 20, 30]);
const segmentIndices = [10, 10, 11, 12, 12, 13, 11, 13];
const aggregation = {
  sceneId: 'scannet.scene9999_00',
  segGroups: [
    { id: 0, objectId: 0, segments: [10, 11], label: 'chair' },
    { id: 1, objectId: 3, segments: [12], label: 'table' },
    { id: 2, objectId: 4, segments: [99], label: 'not a scannet category' },
  ],
};

describe.skipIf(!labelTableAvailable)('readScannetScene on a synthetic scene folder with the real label table', () => {
  const sceneId = 'scene9999_00';
  const sceneDirectory = join(temporaryDirectory, sceneId);
  mkdirSync(sceneDirectory, { recursive: true });
  writeScannetMesh(join(sceneDirectory, `${sceneId}_vh_clean_2.ply`), meshVertices, [[0, 1, 2], [3, 4, 5]]);
  writeFileSync(join(sceneDirectory, `${sceneId}.aggregation.json`), JSON.stringify(aggregation));
  writeFileSync(join(sceneDirectory, `${sceneId}_vh_clean_2.0.010000.segs.json`), JSON.stringify({ sceneId, segIndices: segmentIndices }));

  it('labels vertices with objectId + 1 and the NYU40 id of the raw category', async () => {
    const cloud = await readScannetScene(sceneDirectory, undefined, { labelTablePath });
    expect(cloud.pointCount).toBe(8);
    expect(Array.from(cloud.positions.subarray(9, 12))).toEqual([1.5, 1, 0.75]);
    expect(Array.from(cloud.colors!.subarray(6, 9))).toEqual([20, 20, 30]);
    // chair → instance 1, table → instance 4, unannotated segment 13 → 0.
    expect(Array.from(cloud.instance!)).toEqual([1, 1, 1, 4, 4, 0, 1, 0]);
    // NYU40: chair = 5, table = 7 (ScanNet's label table); names from its nyu40class column.
    expect(Array.from(cloud.semantic!)).toEqual([5, 5, 5, 7, 7, 0, 5, 0]);
    expect(cloud.metadata?.classNames?.[5]).toBe('chair');
    expect(cloud.metadata?.classNames?.[7]).toBe('table');
  });

  it('rejects a segment list whose length differs from the vertex count', async () => {
    const labelTable = parseScannetLabelTable('raw_category\tnyu40id\tnyu40class\nchair\t5\tchair\n');
    const vertices = { pointCount: 8, positions: new Float32Array(24) };
    const call = (segments: unknown, groups: unknown = aggregation.segGroups) => () =>
      parseScannetScene({ vertices, aggregation: JSON.stringify({ segGroups: groups }), segments: JSON.stringify(segments), labelTable, sceneId });
    expect(call({ segIndices: segmentIndices.slice(1) })).toThrow(/7 segment ids for 8 mesh vertices/);
    expect(call({ segIndices: segmentIndices.slice(1) })).toThrow(PointCloudFormatError);
    expect(call({ segIndices: 'nope' })).toThrow(/array of integer segment ids/);
    expect(call({ segIndices: segmentIndices }, [{ objectId: -1, label: 'chair', segments: [] }])).toThrow(/segGroups\[0\]/);
    expect(() => parseScannetScene({ vertices, aggregation: '{', segments: JSON.stringify({ segIndices: segmentIndices }), labelTable })).toThrow(/aggregation.json.*not valid JSON/);
  });
});

describe('parseScannetLabelTable', () => {
  it('maps raw categories to NYU40 ids and rejects a table without the columns', () => {
    const table = parseScannetLabelTable('id\traw_category\tnyu40id\tnyu40class\n1\twall\t1\twall\n2\tkitchen counter\t12\tcounter\n');
    expect(table.nyu40IdByRawCategory.get('kitchen counter')).toBe(12);
    expect(table.nyu40ClassNames).toEqual({ 1: 'wall', 12: 'counter' });
    expect(() => parseScannetLabelTable('id\tcategory\n1\twall\n')).toThrow(/no 'raw_category' column/);
    expect(() => parseScannetLabelTable('raw_category\tnyu40id\tnyu40class\nwall\t41\twall\n')).toThrow(/line 2.*not an integer in 0..40/);
  });
});

describe('readS3disRoom on a synthetic room folder', () => {
  const roomDirectory = join(temporaryDirectory, 'Area_9', 'office_1');
  mkdirSync(join(roomDirectory, 'Annotations'), { recursive: true });
  writeFileSync(join(roomDirectory, 'office_1.txt'), '0 0 0 1 2 3\n');
  writeFileSync(join(roomDirectory, 'Annotations', 'chair_10.txt'), '1.0 2.0 3.0 10 20 30\n1.5 2.5 3.5 11 21 31\n');
  writeFileSync(join(roomDirectory, 'Annotations', 'chair_2.txt'), '4 5 6 40 50 60\r\n');
  writeFileSync(join(roomDirectory, 'Annotations', 'floor_1.txt'), '-1.25 0 0 255 255 255\n\n');
  writeFileSync(join(roomDirectory, 'Annotations', 'stairs_1.txt'), '7 7 7 0 0 0\n');

  it('makes one instance per annotation file and classes from the 13-class list', async () => {
    const cloud = await readS3disRoom(roomDirectory);
    // Files in natural order: chair_2, chair_10, floor_1, stairs_1.
    expect(cloud.pointCount).toBe(5);
    expect(Array.from(cloud.instance!)).toEqual([1, 2, 2, 3, 4]);
    const chair = S3DIS_CLASS_NAMES.indexOf('chair') + 1;
    const floor = S3DIS_CLASS_NAMES.indexOf('floor') + 1;
    const clutter = S3DIS_CLASS_NAMES.indexOf('clutter') + 1;
    expect([chair, floor, clutter]).toEqual([9, 2, 13]);
    expect(Array.from(cloud.semantic!)).toEqual([chair, chair, chair, floor, clutter]);
    expect(Array.from(cloud.positions.subarray(0, 6))).toEqual([4, 5, 6, 1, 2, 3]);
    expect(Array.from(cloud.colors!.subarray(9, 12))).toEqual([255, 255, 255]);
    expect(cloud.metadata?.classNames?.[chair]).toBe('chair');
  });

  it('rejects unknown classes, malformed lines and out-of-range values with file and line', () => {
    const expectError = (name: string, text: string, pattern: RegExp, line?: number): void => {
      try {
        parseS3disRoom([{ name, text }]);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(PointCloudFormatError);
        expect((error as PointCloudFormatError).fileName).toBe(name);
        expect((error as PointCloudFormatError).line).toBe(line);
        expect((error as Error).message).toMatch(pattern);
      }
    };
    expectError('lamp_1.txt', '0 0 0 1 1 1\n', /not <class>_<n>.txt/);
    expectError('chair_1.txt', '0 0 0 1 1 1\n0 0 0 1 1\n', /six numbers/, 2);
    expectError('chair_1.txt', '0 0 0 1 1 1\n0 0 x\u0010 1 1 1\n', /six numbers/, 2);
    expectError('chair_1.txt', 'Infinity 0 0 1 1 1\n', /non-finite coordinate/, 1);
    expectError('chair_1.txt', '0 0 0 256 1 1\n', /colour outside 0..255/, 1);
  });
});
