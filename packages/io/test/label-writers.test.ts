/**
 * Labels out and back in: every writer against its reader on real data from ../shared/data (the SemanticKITTI scan, a
 * ScanNet room, the LAS/LAZ fixtures), and the typed errors for labels a format cannot hold.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClassMappingError, convertSemanticIds } from '../src/classes/class-conversion.js';
import type { PointCloud } from '../src/core/point-cloud.js';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readSemanticKittiLabels } from '../src/kitti/semantickitti-label-reader.js';
import { writeSemanticKittiLabels } from '../src/kitti/semantickitti-label-writer.js';
import { readLas } from '../src/las/las-reader.js';
import { writeLas } from '../src/las/las-writer.js';
import { parseS3disRoom } from '../src/node/scenes/s3dis-room-reader.js';
import { parseScannetScene } from '../src/node/scenes/scannet-scene-reader.js';
import { readVotenetScene } from '../src/node/scenes/votenet-scene-reader.js';
import { writeS3disRoom } from '../src/scenes/s3dis-room-writer.js';
import { writeScanNetAnnotation } from '../src/scenes/scannet-annotation-writer.js';
import { parseScannetLabelTable } from '../src/scenes/scannet-label-table.js';
import { SHARED_DATA_DIRECTORY } from './shared-data.js';

const labelPath = join(SHARED_DATA_DIRECTORY, 'semantickitti', '000000.label');
const votenetDirectory = join(SHARED_DATA_DIRECTORY, 'scannet-votenet');
const autzenPath = join(SHARED_DATA_DIRECTORY, 'fixtures', 'autzen_trim.las');
const conifersPath = join(SHARED_DATA_DIRECTORY, 'fixtures', 'MixedConifer.laz');
const missing = [labelPath, join(votenetDirectory, 'scene0000_00_vert.npy'), autzenPath, conifersPath].filter((path) => !existsSync(path));
if (missing.length > 0) console.warn(`label-writers.test: skipping round trips on real data, missing ${missing.join(', ')} (set POINTCLICK_SHARED_DATA)`);

/** Index of the first value where two arrays differ (or where one ends), -1 when they are equal. */
function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  for (let index = 0; index < Math.max(actual.length, expected.length); index++) if (!Object.is(actual[index], expected[index])) return index;
  return -1;
}

function expectFormatError(action: () => unknown, expected: { format: string; field: string; pointIndex?: number }): PointCloudFormatError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PointCloudFormatError);
    expect(error).toMatchObject(expected);
    return error as PointCloudFormatError;
  }
  throw new Error('expected a PointCloudFormatError');
}

describe('SemanticKITTI .label out', () => {
  it.skipIf(!existsSync(labelPath))('writes the real scan back byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(labelPath));
    const labels = readSemanticKittiLabels(bytes);
    expect(new Set(labels.instance).size).toBeGreaterThan(5);
    const written = writeSemanticKittiLabels(labels);
    expect(Buffer.from(written).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses an instance id past 16 bits, a semantic id past 16 bits and mismatched lengths, naming field and point', () => {
    const semantic = Int32Array.from([10, 10, 40]);
    const error = expectFormatError(() => writeSemanticKittiLabels({ semantic, instance: Int32Array.from([1, 65536, 0]) }), {
      format: 'semantickitti-label',
      field: 'instance',
      pointIndex: 1,
    });
    expect(error.message).toContain('65536');
    expectFormatError(() => writeSemanticKittiLabels({ semantic: Int32Array.from([10, 70000, 40]), instance: new Int32Array(3) }), {
      format: 'semantickitti-label',
      field: 'semantic',
      pointIndex: 1,
    });
    expectFormatError(() => writeSemanticKittiLabels({ semantic, instance: new Int32Array(2) }), { format: 'semantickitti-label', field: 'instance' });
  });
});

describe.skipIf(!existsSync(join(votenetDirectory, 'scene0000_00_vert.npy')))('ScanNet annotation out, on scene0000_00', async () => {
  const room = existsSync(votenetDirectory) ? await readVotenetScene(votenetDirectory, 'scene0000_00') : undefined;
  const labelTable = existsSync(votenetDirectory) ? parseScannetLabelTable(readFileSync(join(votenetDirectory, 'scannetv2-labels.combined.tsv'), 'utf8')) : undefined;

  const readBack = (files: { aggregation: string; segments: string }) =>
    parseScannetScene({ vertices: room!, aggregation: files.aggregation, segments: files.segments, labelTable: labelTable!, sceneId: 'scene0000_00' });

  it('reads back to the same instances and NYU40 classes, one segment per object by default', () => {
    const files = writeScanNetAnnotation({ sceneId: 'scene0000_00', instance: room!.instance!, semantic: room!.semantic!, classNames: labelTable!.nyu40ClassNames, labelTable });
    const back = readBack(files);
    expect(firstDifference(back.instance!, room!.instance!)).toBe(-1);
    expect(firstDifference(back.semantic!, room!.semantic!)).toBe(-1);
    const aggregation = JSON.parse(files.aggregation) as { segGroups: { objectId: number; label: string; segments: number[] }[] };
    const objectCount = new Set(room!.instance).size - (room!.instance!.includes(0) ? 1 : 0);
    expect(aggregation.segGroups).toHaveLength(objectCount);
    expect(aggregation.segGroups.every((group) => group.segments.length === 1)).toBe(true);
    // otherprop (NYU40 40) is no raw category: the writer picked one that the table maps back to 40.
    const otherprop = aggregation.segGroups.find((group) => labelTable!.nyu40IdByRawCategory.get(group.label) === 40);
    if (otherprop) expect(otherprop.label).not.toBe('otherprop');
  });

  it('splits given superpoints at object boundaries so the labels survive exactly', () => {
    // 0.5 m voxels stand in for superpoints: they cut across objects, which the writer must split.
    const positions = room!.positions;
    const segments = new Int32Array(room!.pointCount);
    for (let point = 0; point < room!.pointCount; point++) {
      const cell = [0, 1, 2].map((axis) => Math.floor((positions[point * 3 + axis] + 50) / 0.5));
      segments[point] = cell[0] * 40_000 + cell[1] * 200 + cell[2];
    }
    const files = writeScanNetAnnotation({ sceneId: 'scene0000_00', instance: room!.instance!, semantic: room!.semantic!, classNames: labelTable!.nyu40ClassNames, labelTable, segments });
    const back = readBack(files);
    expect(firstDifference(back.instance!, room!.instance!)).toBe(-1);
    expect(firstDifference(back.semantic!, room!.semantic!)).toBe(-1);
    const segIndices = (JSON.parse(files.segments) as { segIndices: number[] }).segIndices;
    const written = new Set(segIndices).size;
    expect(written).toBeGreaterThan(new Set(segments).size);
    // Every written segment lies inside one voxel and one object.
    const voxelOf = new Map<number, number>();
    const objectOf = new Map<number, number>();
    const straddling = segIndices.filter((segment, point) => {
      const crosses = (voxelOf.get(segment) ?? segments[point]) !== segments[point] || (objectOf.get(segment) ?? room!.instance![point]) !== room!.instance![point];
      voxelOf.set(segment, segments[point]);
      objectOf.set(segment, room!.instance![point]);
      return crosses;
    });
    expect(straddling).toEqual([]);
  });

  it('refuses a label count that differs from the point count, an object with two classes and a class without a name', () => {
    const instance = room!.instance!;
    const semantic = room!.semantic!;
    expectFormatError(() => writeScanNetAnnotation({ sceneId: 's', instance, semantic: semantic.subarray(1), classNames: labelTable!.nyu40ClassNames }), { format: 'scannet', field: 'semantic' });
    const mixed = semantic.slice();
    const point = instance.findIndex((value, index) => value > 0 && index > 100);
    const sibling = instance.findIndex((value, index) => value === instance[point] && index > point);
    mixed[sibling] = semantic[sibling] === 1 ? 2 : 1;
    expectFormatError(() => writeScanNetAnnotation({ sceneId: 's', instance, semantic: mixed, classNames: labelTable!.nyu40ClassNames }), { format: 'scannet', field: 'semantic', pointIndex: sibling });
    const names = { ...labelTable!.nyu40ClassNames };
    delete names[semantic[point]];
    const error = expectFormatError(() => writeScanNetAnnotation({ sceneId: 's', instance, semantic, classNames: names }), { format: 'scannet', field: 'classNames' });
    expect(error.message).toContain(`semantic ${semantic[point]}`);
  });
});

describe.skipIf(!existsSync(join(votenetDirectory, 'scene0001_00_vert.npy')))('S3DIS room out, on scene0001_00 in S3DIS classes', async () => {
  const room = existsSync(votenetDirectory) ? await readVotenetScene(votenetDirectory, 'scene0001_00') : undefined;

  /** The room's objects whose NYU40 class has an S3DIS counterpart, others unlabelled. */
  function roomInS3disClasses(): PointCloud {
    const instance = room!.instance!.slice();
    const semantic = new Int32Array(room!.pointCount);
    for (let point = 0; point < room!.pointCount; point++) {
      try {
        semantic[point] = convertSemanticIds([room!.semantic![point]], 'nyu40', 's3dis13')[0];
      } catch (error) {
        if (!(error instanceof ClassMappingError)) throw error;
        instance[point] = 0;
      }
    }
    return { ...room!, instance, semantic };
  }

  it('reads back to the same points, classes and grouping', () => {
    const cloud = roomInS3disClasses();
    const labelled = cloud.instance!.filter((value) => value > 0).length;
    expect(labelled).toBeGreaterThan(10_000);
    const files = writeS3disRoom({ roomName: 'scene0001_00', positions: cloud.positions, colors: cloud.colors, instance: cloud.instance!, semantic: cloud.semantic! });
    expect(files['scene0001_00.txt'].trimEnd().split('\n')).toHaveLength(cloud.pointCount);
    const annotations = Object.entries(files)
      .filter(([name]) => name.startsWith('Annotations/'))
      .map(([name, text]) => ({ name: name.slice('Annotations/'.length), text }));
    expect(annotations.map((file) => file.name)).toContain('wall_1.txt');
    const back = parseS3disRoom(annotations, 'scene0001_00');
    expect(back.pointCount).toBe(labelled);
    // Match points by their exact float32 position (unique among the labelled points of this room).
    const key = (positions: Float32Array, point: number) => `${positions[point * 3]},${positions[point * 3 + 1]},${positions[point * 3 + 2]}`;
    const original = new Map<string, number>();
    for (let point = 0; point < cloud.pointCount; point++) if (cloud.instance![point] > 0) original.set(key(cloud.positions, point), point);
    expect(original.size).toBe(labelled);
    const objectOfReadObject = new Map<number, number>();
    const problems: string[] = [];
    for (let point = 0; point < back.pointCount; point++) {
      const source = original.get(key(back.positions, point));
      if (source === undefined) {
        problems.push(`point ${point}: position not in the room`);
        continue;
      }
      if (back.semantic![point] !== cloud.semantic![source]) problems.push(`point ${point}: semantic ${back.semantic![point]} ≠ ${cloud.semantic![source]}`);
      if (firstDifference(back.colors!.subarray(point * 3, point * 3 + 3), cloud.colors!.subarray(source * 3, source * 3 + 3)) >= 0) problems.push(`point ${point}: colour`);
      const mapped = objectOfReadObject.get(back.instance![point]) ?? cloud.instance![source];
      if (mapped !== cloud.instance![source]) problems.push(`point ${point}: object ${back.instance![point]} holds points of ${mapped} and ${cloud.instance![source]}`);
      objectOfReadObject.set(back.instance![point], mapped);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(new Set(objectOfReadObject.values()).size).toBe(objectOfReadObject.size);
  });

  it('refuses a class that is not an S3DIS class, naming it', () => {
    const cloud = roomInS3disClasses();
    const semantic = cloud.semantic!.slice();
    const instance = cloud.instance!.slice();
    instance[0] = 999;
    semantic[0] = 14;
    expect(() => writeS3disRoom({ roomName: 'r', positions: cloud.positions, instance, semantic })).toThrow(ClassMappingError);
    expect(() => writeS3disRoom({ roomName: 'r', positions: cloud.positions, instance, semantic })).toThrow(/semantic id 14 is not a class of s3dis13/);
    expectFormatError(() => writeS3disRoom({ roomName: 'r', positions: cloud.positions.subarray(3), instance, semantic }), { format: 's3dis', field: 'positions' });
  });
});

describe('LAS out and extra bytes in', () => {
  it.skipIf(!existsSync(conifersPath))('reads the treeID extra-bytes field of MixedConifer.laz into attributes', async () => {
    const cloud = await readLas(new Uint8Array(readFileSync(conifersPath)), { fileName: 'MixedConifer.laz' });
    const treeId = cloud.attributes?.treeID;
    expect(treeId).toBeInstanceOf(Float64Array);
    expect(treeId).toHaveLength(cloud.pointCount);
    // Tree ids are whole numbers (points in no tree carry the largest double as "no data").
    const trees = new Map<number, number[]>();
    treeId!.forEach((value, point) => {
      if (value === Number.MAX_VALUE) return;
      expect(Number.isInteger(value)).toBe(true);
      trees.set(value, [...(trees.get(value) ?? []), point]);
    });
    expect(trees.size).toBeGreaterThan(100);
    // A segmentation, not noise: each large tree is a compact crown, far narrower than the plot.
    const extent = (points: number[], axis: number) => {
      const values = points.map((point) => cloud.positions[point * 3 + axis]);
      return Math.max(...values) - Math.min(...values);
    };
    const plotWidth = extent([...Array(cloud.pointCount).keys()], 0);
    const largeTrees = [...trees.values()].filter((points) => points.length >= 200);
    expect(largeTrees.length).toBeGreaterThan(20);
    for (const points of largeTrees) expect(Math.max(extent(points, 0), extent(points, 1))).toBeLessThan(plotWidth / 4);
  });

  it.skipIf(!existsSync(conifersPath))('writes MixedConifer as LAS 1.4 and reads back every field, treeID included', async () => {
    const cloud = await readLas(new Uint8Array(readFileSync(conifersPath)));
    const instance = Int32Array.from(cloud.attributes!.treeID, (value) => (value === Number.MAX_VALUE ? 0 : value));
    const back = await readLas(writeLas({ ...cloud, instance }));
    expect(back.metadata.lasHeader.version).toEqual([1, 4]);
    expect(back.metadata.lasHeader.pointFormat).toBe(6);
    expect(back.metadata.origin).toEqual(cloud.metadata.origin);
    expect(firstDifference(back.positions, cloud.positions)).toBe(-1);
    expect(firstDifference(back.instance!, instance)).toBe(-1);
    expect(firstDifference(back.semantic!, cloud.semantic!)).toBe(-1);
    expect(firstDifference(back.intensity!, cloud.intensity!)).toBe(-1);
    expect(firstDifference(back.attributes!.treeID, cloud.attributes!.treeID)).toBe(-1);
  });

  it.skipIf(!existsSync(autzenPath))('writes autzen_trim with colours (format 7) and an instance field; readLas gives it all back', async () => {
    const cloud = await readLas(new Uint8Array(readFileSync(autzenPath)));
    // Instances: 20 m tiles of the ground points, so the field holds many distinct ids.
    const instance = new Int32Array(cloud.pointCount);
    for (let point = 0; point < cloud.pointCount; point++) {
      if (cloud.semantic![point] === 2) instance[point] = 1 + Math.floor(cloud.positions[point * 3] / 20) + 1000 * Math.floor(cloud.positions[point * 3 + 1] / 20);
    }
    const written = writeLas({ ...cloud, instance });
    const back = await readLas(written);
    expect(back.metadata.lasHeader.pointFormat).toBe(7);
    expect(back.pointCount).toBe(cloud.pointCount);
    expect(firstDifference(back.positions, cloud.positions)).toBe(-1);
    expect(firstDifference(back.colors!, cloud.colors!)).toBe(-1);
    expect(firstDifference(back.semantic!, cloud.semantic!)).toBe(-1);
    expect(firstDifference(back.instance!, instance)).toBe(-1);
    expect(new Set(instance).size).toBeGreaterThan(20);
    for (const name of ['returnNumber', 'numberOfReturns', 'pointSourceId', 'gpsTime']) {
      expect(firstDifference(back.attributes![name], cloud.attributes![name]), name).toBe(-1);
    }
  });

  it('reads a scaled extra-bytes field as float64 and refuses a descriptor with an unknown data type', async () => {
    const positions = Float32Array.from([0, 0, 0, 1, 1, 1]);
    const written = writeLas({ pointCount: 2, positions, attributes: { height: Int16Array.from([150, -20]) } });
    // The descriptor follows the 375-byte header and the 54-byte VLR header: set its scale option (bit 3) to 0.01.
    const descriptor = 375 + 54;
    const scaled = written.slice();
    scaled[descriptor + 3] |= 0x08;
    new DataView(scaled.buffer).setFloat64(descriptor + 112, 0.01, true);
    const back = await readLas(scaled);
    expect(back.attributes!.height).toBeInstanceOf(Float64Array);
    expect(Array.from(back.attributes!.height)).toEqual([1.5, -0.2]);
    const broken = written.slice();
    broken[descriptor + 2] = 31;
    await expect(readLas(broken, { fileName: 'broken.las' })).rejects.toMatchObject({ name: 'PointCloudFormatError', field: 'extraBytes', fileName: 'broken.las' });
  });

  it('quantises a cloud without a LAS origin to 0.1 mm and refuses a class past one byte', async () => {
    const positions = Float32Array.from([0.12345, 1.5, -2.25, 10.00004, 3.3, 7.1]);
    const back = await readLas(writeLas({ pointCount: 2, positions, semantic: Int32Array.from([5, 7]) }));
    // The reader makes positions local to floor(minimum); compare world coordinates.
    back.positions.forEach((value, index) => expect(Math.abs(value + back.metadata.origin[index % 3] - positions[index])).toBeLessThanOrEqual(0.00005 + 1e-6));
    expect(Array.from(back.semantic!)).toEqual([5, 7]);
    expect(back.instance).toBeUndefined();
    expectFormatError(() => writeLas({ pointCount: 2, positions, semantic: Int32Array.from([5, 300]) }), { format: 'las', field: 'semantic', pointIndex: 1 });
    expectFormatError(() => writeLas({ pointCount: 2, positions, instance: new Int32Array(3) }), { format: 'las', field: 'instance' });
  });
});
