import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PointCloud } from '../../core/point-cloud.js';
import { PointCloudFormatError } from '../../core/point-cloud-format-error.js';
import { readPly } from '../../ply/ply-reader.js';
import { parseScannetLabelTable, type ScannetLabelTable } from '../../scenes/scannet-label-table.js';

/** Inputs of {@link parseScannetScene}: the parsed mesh vertices and the annotation texts. */
export interface ScannetSceneSources {
  /** Vertices of `<scene>_vh_clean_2.ply` (positions in metres, colours). */
  vertices: PointCloud;
  /** Text of `<scene>.aggregation.json` (`segGroups`: objectId, label, segments). */
  aggregation: string;
  /** Text of `<scene>_vh_clean_2.0.010000.segs.json` (`segIndices`: one segment id per vertex). */
  segments: string;
  /** Parsed `scannetv2-labels.combined.tsv`. */
  labelTable: ScannetLabelTable;
  /** Scene id, for errors and metadata. */
  sceneId?: string;
}

interface SegmentGroup {
  objectId: number;
  label: string;
  segments: number[];
}

/**
 * Labels the vertices of a ScanNet v2 scene: `instance = objectId + 1` (0 = not in any object, the
 * VoteNet convention), `semantic` = NYU40 id of the object's raw category (0 when unmapped).
 * Where segment groups overlap the later group wins, as in ScanNet's own export scripts.
 *
 * @throws {@link PointCloudFormatError} (format `'scannet'`) for malformed JSON, a segment index
 *   list whose length differs from the vertex count, or a malformed segment group.
 */
export function parseScannetScene(sources: ScannetSceneSources): PointCloud {
  const { vertices, labelTable, sceneId } = sources;
  const segmentsFile = sceneId ? `${sceneId}_vh_clean_2.0.010000.segs.json` : 'segs.json';
  const aggregationFile = sceneId ? `${sceneId}.aggregation.json` : 'aggregation.json';
  const parseJson = (text: string, fileName: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new PointCloudFormatError({ format: 'scannet', fileName, message: `not valid JSON: ${(error as Error).message}`, cause: error });
    }
  };
  const segmentJson = parseJson(sources.segments, segmentsFile) as { segIndices?: unknown };
  const segmentIndices = segmentJson.segIndices;
  if (!Array.isArray(segmentIndices) || segmentIndices.some((value) => !Number.isInteger(value))) {
    throw new PointCloudFormatError({ format: 'scannet', fileName: segmentsFile, field: 'segIndices', message: 'expected an array of integer segment ids' });
  }
  if (segmentIndices.length !== vertices.pointCount) {
    throw new PointCloudFormatError({
      format: 'scannet',
      fileName: segmentsFile,
      field: 'segIndices',
      message: `${segmentIndices.length} segment ids for ${vertices.pointCount} mesh vertices`,
    });
  }
  const aggregationJson = parseJson(sources.aggregation, aggregationFile) as { segGroups?: unknown };
  if (!Array.isArray(aggregationJson.segGroups)) {
    throw new PointCloudFormatError({ format: 'scannet', fileName: aggregationFile, field: 'segGroups', message: 'expected a segGroups array' });
  }
  const groups = aggregationJson.segGroups as Partial<SegmentGroup>[];
  const objectBySegment = new Map<number, { instance: number; semantic: number }>();
  groups.forEach((group, groupIndex) => {
    if (!Number.isInteger(group.objectId) || group.objectId! < 0 || typeof group.label !== 'string' || !Array.isArray(group.segments)) {
      throw new PointCloudFormatError({
        format: 'scannet',
        fileName: aggregationFile,
        field: `segGroups[${groupIndex}]`,
        message: 'expected { objectId: non-negative integer, label: string, segments: number[] }',
      });
    }
    const label = { instance: group.objectId! + 1, semantic: labelTable.nyu40IdByRawCategory.get(group.label) ?? 0 };
    for (const segment of group.segments) objectBySegment.set(segment, label);
  });
  const instance = new Int32Array(vertices.pointCount);
  const semantic = new Int32Array(vertices.pointCount);
  for (let index = 0; index < vertices.pointCount; index++) {
    const label = objectBySegment.get(segmentIndices[index] as number);
    if (label) {
      instance[index] = label.instance;
      semantic[index] = label.semantic;
    }
  }
  return {
    pointCount: vertices.pointCount,
    positions: vertices.positions,
    ...(vertices.colors ? { colors: vertices.colors } : {}),
    ...(vertices.normals ? { normals: vertices.normals } : {}),
    instance,
    semantic,
    metadata: {
      format: 'ply',
      classNames: labelTable.nyu40ClassNames,
      ...(sceneId ? { comments: [`ScanNet v2 scene ${sceneId}`] } : {}),
    },
  };
}

/** Options of {@link readScannetScene}. */
export interface ReadScannetSceneOptions {
  /** Path of `scannetv2-labels.combined.tsv`; default: that name inside the scene folder. */
  labelTablePath?: string;
}

/**
 * Reads a ScanNet v2 scene folder (Node only): `<scene>_vh_clean_2.ply`, `<scene>.aggregation.json`
 * and `<scene>_vh_clean_2.0.010000.segs.json`, labelled as {@link parseScannetScene} describes.
 *
 * @param directory - The scene folder, e.g. `scans/scene0000_00`.
 * @param sceneId - Scene id; default: the folder's name.
 * @param options - Where the label table is.
 */
export async function readScannetScene(directory: string, sceneId = basename(directory), options: ReadScannetSceneOptions = {}): Promise<PointCloud> {
  const meshPath = join(directory, `${sceneId}_vh_clean_2.ply`);
  const [meshBytes, aggregation, segments, labelText] = await Promise.all([
    readFile(meshPath),
    readFile(join(directory, `${sceneId}.aggregation.json`), 'utf8'),
    readFile(join(directory, `${sceneId}_vh_clean_2.0.010000.segs.json`), 'utf8'),
    readFile(options.labelTablePath ?? join(directory, 'scannetv2-labels.combined.tsv'), 'utf8'),
  ]);
  const vertices = await readPly(meshBytes, { fileName: meshPath });
  return parseScannetScene({ vertices, aggregation, segments, labelTable: parseScannetLabelTable(labelText), sceneId });
}
