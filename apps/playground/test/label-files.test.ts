/**
 * The playground's label files without a browser: every Export menu format built from a real ScanNet room and read
 * back by Import labels to the same objects and classes; unknown classes and wrong point counts as typed errors; and
 * how imported labels and the segmenter's masks combine.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ClassMappingError, NYU40_CLASS_NAMES, PointCloudFormatError, type PointCloud } from '@pointclick/io';
import { readVotenetScene } from '@pointclick/io/node';
import { buildLabelFile, LABEL_EXPORT_FORMATS } from '../src/export/label-formats.js';
import { importLabels } from '../src/export/label-import.js';
import { listWithImported, mergeImportedLabels, sessionFromImport } from '../src/app/imported-labels.js';
import { deleteObject } from '../src/state/session-history.js';
import type { LabelExportInput } from '../src/export/label-export.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenet = join(sharedData, 'scannet-votenet');
const hasData = existsSync(join(votenet, 'scene0001_00_vert.npy'));
if (!hasData) console.warn(`label-files.test: SKIPPED — ${votenet} is missing (set POINTCLICK_SHARED_DATA)`);

/** The page's classes as the default model names them: index = NYU40 id, then 'other'. */
const CLASS_NAMES = [...NYU40_CLASS_NAMES, 'other'];

/** The room's chairs, tables, walls, floor and doors as page objects (ids from the ground truth), the rest unlabelled. */
function pageLabels(room: PointCloud): LabelExportInput {
  const keep = new Set(['wall', 'floor', 'chair', 'table', 'door']);
  const instance = Int32Array.from(room.instance!, (objectId, point) => (keep.has(NYU40_CLASS_NAMES[room.semantic![point]]) ? objectId : 0));
  const classOf = new Map<number, number>();
  instance.forEach((objectId, point) => objectId > 0 && classOf.set(objectId, room.semantic![point]));
  const objects = [...classOf].map(([objectId, classIndex]) => ({ objectId, classIndex, confidence: 1, pointCount: instance.filter((value) => value === objectId).length }));
  return { positions: room.positions, colors: room.colors, instance, objects, classNames: CLASS_NAMES, clicks: [], scanName: 'scene0001_00_vert.npy' };
}

/** Same grouping (up to renumbering) and the same class name for each group. */
function expectSameObjects(imported: Awaited<ReturnType<typeof importLabels>>, input: LabelExportInput): void {
  const classOfImported = new Map(imported.objects.map((object) => [object.objectId, object.className.replace(/[\s_-]+/g, ' ')]));
  const classOfInput = new Map(input.objects.map((object) => [object.objectId, input.classNames[object.classIndex]]));
  const inputOfImported = new Map<number, number>();
  const problems: string[] = [];
  for (let point = 0; point < input.instance.length; point++) {
    const importedId = imported.instance[point];
    const inputId = input.instance[point];
    if ((importedId === 0) !== (inputId === 0)) problems.push(`point ${point}: ${importedId} vs ${inputId}`);
    if (importedId === 0) continue;
    if ((inputOfImported.get(importedId) ?? inputId) !== inputId) problems.push(`point ${point}: object ${importedId} spans ${inputOfImported.get(importedId)} and ${inputId}`);
    inputOfImported.set(importedId, inputId);
    if (classOfImported.get(importedId) !== classOfInput.get(inputId)) problems.push(`point ${point}: class ${classOfImported.get(importedId)} vs ${classOfInput.get(inputId)}`);
  }
  expect(problems.slice(0, 5)).toEqual([]);
  expect(imported.objects).toHaveLength(input.objects.length);
}

describe.skipIf(!hasData)('Export menu formats read back by Import labels (scene0001_00)', async () => {
  const room = hasData ? await readVotenetScene(votenet, 'scene0001_00') : undefined;

  for (const { format } of LABEL_EXPORT_FORMATS) {
    it(`${format}: the same objects and classes come back`, async () => {
      const input = pageLabels(room!);
      // Superpoint-like segments for ScanNet: 0.4 m voxels, split by the writer at object boundaries.
      const segments = Int32Array.from({ length: room!.pointCount }, (_, point) => Math.floor((room!.positions[point * 3] + 20) / 0.4) * 1000 + Math.floor((room!.positions[point * 3 + 1] + 20) / 0.4));
      // SemanticKITTI knows none of the indoor classes but person; its check is the error below.
      if (format === 'semantickitti') {
        expect(() => buildLabelFile(format, room!, input, 'scene0001_00')).toThrow(ClassMappingError);
        const outdoor = { ...input, classNames: CLASS_NAMES.map((name) => ({ wall: 'building', floor: 'road', chair: 'car', table: 'trunk', door: 'pole' })[name] ?? name) };
        const file = buildLabelFile(format, room!, outdoor, 'scene0001_00');
        expectSameObjects(await importLabels([{ name: file.fileName, bytes: file.bytes }], room!, CLASS_NAMES), outdoor);
        return;
      }
      const file = buildLabelFile(format, room!, input, 'scene0001_00', format === 'scannet' ? segments : undefined);
      const imported = await importLabels([{ name: file.fileName, bytes: file.bytes }], room!, CLASS_NAMES);
      expectSameObjects(imported, input);
      if (format === 'ply' || format === 'las' || format === 'laz' || format === 'labels-json') expect(Array.from(imported.instance)).toEqual(Array.from(input.instance));
    });
  }

  it('names the class a format lacks, and refuses labels for another point count', async () => {
    const input = pageLabels(room!);
    const cabinet = { ...input, objects: [...input.objects, { objectId: 999, classIndex: 3, confidence: 1, pointCount: 1 }], instance: input.instance.slice() };
    cabinet.instance[0] = 999;
    try {
      buildLabelFile('s3dis', room!, cabinet, 'room');
      throw new Error('expected a ClassMappingError');
    } catch (error) {
      expect(error).toBeInstanceOf(ClassMappingError);
      expect((error as ClassMappingError).className).toBe('cabinet');
    }
    const file = buildLabelFile('ply', room!, input, 'room');
    const smaller = { ...room!, pointCount: room!.pointCount - 1, positions: room!.positions.subarray(3) };
    await expect(importLabels([{ name: file.fileName, bytes: file.bytes }], smaller, CLASS_NAMES)).rejects.toThrow(PointCloudFormatError);
    await expect(importLabels([{ name: file.fileName, bytes: file.bytes }], smaller, CLASS_NAMES)).rejects.toThrow(/points, but the open scan has/);
  });
});

describe('imported labels under the segmenter', () => {
  const imported = { sourceName: 'x.ply', instance: Int32Array.from([1, 1, 2, 2, 0, 0]), objects: [{ objectId: 1, className: 'Chair', pointCount: 2 }, { objectId: 2, className: 'crate', pointCount: 2 }] };

  it('matches classes by name, appends unknown ones and activates a fresh object id', () => {
    const classNames = ['unlabeled', 'wall', 'chair'];
    const state = sessionFromImport(imported, classNames);
    expect(classNames).toEqual(['unlabeled', 'wall', 'chair', 'crate']);
    expect(state.objects).toEqual({ 1: { visible: true, classOverride: 2 }, 2: { visible: true, classOverride: 3 } });
    expect(state.activeObjectId).toBe(3);
  });

  it('lets the masks take points over, drops deleted objects and counts points from the result', () => {
    const classNames = ['unlabeled', 'wall', 'chair'];
    const state = sessionFromImport(imported, classNames);
    const model = Int32Array.from([0, 3, 0, 0, 3, 0]);
    const merged = mergeImportedLabels(imported, model, state)!;
    expect(Array.from(merged)).toEqual([1, 3, 2, 2, 3, 0]);
    const listed = listWithImported([], imported, merged, state, classNames);
    expect(listed.map((object) => [object.objectId, object.prediction?.pointCount, classNames[object.classIndex]])).toEqual([
      [1, 1, 'chair'],
      [2, 2, 'crate'],
    ]);
    const withoutTwo = deleteObject(state, 2);
    expect(Array.from(mergeImportedLabels(imported, model, withoutTwo)!)).toEqual([1, 3, 0, 0, 3, 0]);
    expect(mergeImportedLabels(undefined, model, state)).toBe(model);
  });
});
