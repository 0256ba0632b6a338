import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { checkLabelCounts, checkLabelRange } from '../labels/label-checks.js';
import { collectObjectClasses } from '../labels/object-classes.js';
import type { ScannetLabelTable } from './scannet-label-table.js';

/** Inputs of {@link writeScanNetAnnotation}. */
export interface ScanNetAnnotationInput {
  /** Scene id, e.g. `scene0000_00`; recorded in both files as `scannet.<sceneId>`. */
  sceneId: string;
  /** Instance id per vertex; 0 = in no object. Written as segment group `objectId = instance − 1`. */
  instance: ArrayLike<number>;
  /** Semantic id per vertex; one per instance, 0 where instance is 0. */
  semantic: ArrayLike<number>;
  /** Class name by semantic id, written as each segment group's `label` (ScanNet's raw category). */
  classNames: Readonly<Record<number, string>>;
  /**
   * Over-segmentation per vertex (superpoint ids, e.g. from `@pointclick/sampling`'s `computeSuperpoints`). Each
   * segment is split where it crosses an instance boundary, so the labels survive exactly. Default: one segment per
   * instance (and one for the unlabelled vertices).
   */
  segments?: ArrayLike<number>;
  /**
   * ScanNet's label table. When given, `semantic` holds NYU40 ids and each group's label is a raw category the table
   * maps back to that id: the class name where it is one, else the table's first raw category of that id
   * (`otherprop` is not a raw category; `objects` is). Without it labels are written as `classNames` gives them.
   */
  labelTable?: ScannetLabelTable;
}

/** The two JSON texts of a ScanNet annotation. */
export interface ScanNetAnnotationFiles {
  /** `<sceneId>.aggregation.json`: `segGroups` with `objectId`, `label`, `segments`. */
  aggregation: string;
  /** `<sceneId>_vh_clean_2.0.010000.segs.json`: `segIndices`, one segment id per vertex. */
  segments: string;
}

/**
 * Writes labels as a ScanNet v2 annotation: the `<scene>.aggregation.json` and
 * `<scene>_vh_clean_2.0.010000.segs.json` pair that {@link parseScannetScene} reads back to the same `instance` and
 * (with the same label table) `semantic`.
 *
 * @throws {PointCloudFormatError} (format `'scannet'`) for arrays of different lengths, negative or fractional ids,
 *   a class without an instance, an instance with two classes, or a semantic id without a class name (or, with a
 *   label table, one the table has no raw category for); the error names the field and point.
 */
export function writeScanNetAnnotation(input: ScanNetAnnotationInput): ScanNetAnnotationFiles {
  const format = 'scannet';
  const { instance, semantic, segments, sceneId } = input;
  const pointCount = instance.length;
  checkLabelCounts(format, pointCount, { semantic, segments });
  checkLabelRange(format, 'instance', instance, 0, 2 ** 31 - 1);
  checkLabelRange(format, 'semantic', semantic, 0, 2 ** 31 - 1);
  if (segments) checkLabelRange(format, 'segments', segments, 0, 2 ** 31 - 1);
  const classOfObject = collectObjectClasses(format, instance, semantic);
  const labelOfClass = chooseGroupLabels(new Set(classOfObject.values()), input, instance, semantic);

  // Segment id per vertex: one per (input segment, instance) pair, numbered in order of first appearance.
  const segmentIndices = new Array<number>(pointCount);
  const segmentOfPair = new Map<number, Map<number, number>>();
  let segmentCount = 0;
  const segmentsOfObject = new Map<number, number[]>();
  for (let point = 0; point < pointCount; point++) {
    const objectId = instance[point];
    const inputSegment = segments ? segments[point] : 0;
    let byObject = segmentOfPair.get(inputSegment);
    if (byObject === undefined) segmentOfPair.set(inputSegment, (byObject = new Map<number, number>()));
    let segment = byObject.get(objectId);
    if (segment === undefined) {
      segment = segmentCount++;
      byObject.set(objectId, segment);
      if (objectId > 0) {
        const list = segmentsOfObject.get(objectId) ?? [];
        list.push(segment);
        segmentsOfObject.set(objectId, list);
      }
    }
    segmentIndices[point] = segment;
  }
  const segGroups = [...classOfObject.keys()]
    .sort((left, right) => left - right)
    .map((objectId) => ({ id: objectId - 1, objectId: objectId - 1, segments: segmentsOfObject.get(objectId)!, label: labelOfClass.get(classOfObject.get(objectId)!)! }));
  const aggregation = {
    sceneId: `scannet.${sceneId}`,
    appId: 'pointclick',
    segGroups,
    segmentsFile: `scannet.${sceneId}_vh_clean_2.0.010000.segs.json`,
  };
  return { aggregation: JSON.stringify(aggregation), segments: JSON.stringify({ sceneId: `scannet.${sceneId}`, segIndices: segmentIndices }) };
}

function chooseGroupLabels(
  classIds: Set<number>,
  input: ScanNetAnnotationInput,
  instance: ArrayLike<number>,
  semantic: ArrayLike<number>,
): Map<number, string> {
  const labels = new Map<number, string>();
  for (const classId of classIds) {
    const firstPoint = Array.prototype.findIndex.call(semantic, (value: number, point: number) => value === classId && instance[point] > 0);
    const name = input.classNames[classId];
    if (name === undefined) {
      throw new PointCloudFormatError({
        format: 'scannet',
        field: 'classNames',
        pointIndex: firstPoint,
        message: `cannot write: semantic ${classId} (point ${firstPoint}) has no entry in classNames`,
      });
    }
    const table = input.labelTable;
    if (!table || table.nyu40IdByRawCategory.get(name) === classId) {
      labels.set(classId, name);
      continue;
    }
    const raw = [...table.nyu40IdByRawCategory].find(([, id]) => id === classId)?.[0];
    if (raw === undefined) {
      throw new PointCloudFormatError({
        format: 'scannet',
        field: 'semantic',
        pointIndex: firstPoint,
        message: `cannot write: NYU40 id ${classId} ('${name}', point ${firstPoint}) has no raw category in the label table`,
      });
    }
    labels.set(classId, raw);
  }
  return labels;
}
