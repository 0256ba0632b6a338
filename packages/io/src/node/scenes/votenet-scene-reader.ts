import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PointCloud } from '../../core/point-cloud.js';
import { PointCloudFormatError } from '../../core/point-cloud-format-error.js';
import { readNpy, type NpyArray } from '../../npy/npy-reader.js';
import { parseScannetLabelTable } from '../../scenes/scannet-label-table.js';

/** The three `.npy` files of a VoteNet-preprocessed ScanNet scene. */
export interface VotenetSceneSources {
  /** `<scene>_vert.npy`: float32 (N, 6) x y z r g b (metres, colours 0..255). */
  vertices: Uint8Array;
  /** `<scene>_ins_label.npy`: (N,) instance ids, ScanNet objectId + 1, 0 = unannotated. */
  instanceLabels: Uint8Array;
  /** `<scene>_sem_label.npy`: (N,) NYU40 class ids, 0 = unannotated. */
  semanticLabels: Uint8Array;
  /** Scene id, used in file names of errors. */
  sceneId?: string;
  /** NYU40 class names by id, recorded in `metadata.classNames`. */
  classNames?: Record<number, string>;
}

/**
 * Builds a labelled cloud from the VoteNet `.npy` triplet of a ScanNet scene.
 *
 * @throws {@link PointCloudFormatError} (format `'npy'`) for a wrong shape or dtype, label arrays whose
 *   length differs from the vertex count, negative or out-of-range ids, non-finite coordinates, or
 *   colours outside 0..255.
 */
export function parseVotenetScene(sources: VotenetSceneSources): PointCloud {
  const prefix = sources.sceneId ?? 'scene';
  const verticesName = `${prefix}_vert.npy`;
  const vertexArray = readNpy(sources.vertices, { fileName: verticesName });
  if (vertexArray.dtype !== 'float32' && vertexArray.dtype !== 'float64') {
    throw new PointCloudFormatError({ format: 'npy', fileName: verticesName, field: 'descr', message: `expected float32 vertices, got ${vertexArray.dtype}` });
  }
  if (vertexArray.shape.length !== 2 || vertexArray.shape[1] !== 6) {
    throw new PointCloudFormatError({ format: 'npy', fileName: verticesName, field: 'shape', message: `expected shape (N, 6), got (${vertexArray.shape.join(', ')})` });
  }
  const pointCount = vertexArray.shape[0];
  const values = vertexArray.data as Float32Array | Float64Array;
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  for (let index = 0; index < pointCount; index++) {
    for (let channel = 0; channel < 6; channel++) {
      const value = values[index * 6 + channel];
      if (channel < 3) {
        if (!Number.isFinite(value)) {
          throw new PointCloudFormatError({ format: 'npy', fileName: verticesName, field: 'xyz'[channel], message: `point ${index} has a non-finite coordinate ${value}` });
        }
        positions[index * 3 + channel] = value;
      } else {
        if (!(value >= 0 && value <= 255)) {
          throw new PointCloudFormatError({ format: 'npy', fileName: verticesName, field: 'rgb', message: `point ${index} has colour ${value}, expected 0..255` });
        }
        colors[index * 3 + channel - 3] = Math.round(value);
      }
    }
  }
  const instance = toLabels(readNpy(sources.instanceLabels, { fileName: `${prefix}_ins_label.npy`, int64As: 'number' }), pointCount, `${prefix}_ins_label.npy`);
  const semantic = toLabels(readNpy(sources.semanticLabels, { fileName: `${prefix}_sem_label.npy`, int64As: 'number' }), pointCount, `${prefix}_sem_label.npy`);
  return {
    pointCount,
    positions,
    colors,
    instance,
    semantic,
    metadata: { format: 'npy', ...(sources.classNames ? { classNames: sources.classNames } : {}), ...(sources.sceneId ? { comments: [`ScanNet v2 scene ${sources.sceneId} (VoteNet preprocessing)`] } : {}) },
  };
}

function toLabels(array: NpyArray, pointCount: number, fileName: string): Int32Array {
  const integerTypes = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'int64', 'uint64'];
  if (!integerTypes.includes(array.dtype) || array.shape.length !== 1) {
    throw new PointCloudFormatError({ format: 'npy', fileName, field: 'shape', message: `expected a 1-D integer label array, got ${array.dtype} (${array.shape.join(', ')})` });
  }
  if (array.shape[0] !== pointCount) {
    throw new PointCloudFormatError({ format: 'npy', fileName, field: 'shape', message: `${array.shape[0]} labels for ${pointCount} points` });
  }
  const labels = new Int32Array(pointCount);
  const data = array.data as ArrayLike<number>;
  for (let index = 0; index < pointCount; index++) {
    const value = data[index];
    if (value < 0 || value > 2147483647) {
      throw new PointCloudFormatError({ format: 'npy', fileName, field: 'data', message: `label ${index} is ${value}, expected 0..2^31-1` });
    }
    labels[index] = value;
  }
  return labels;
}

const VOTENET_SUFFIXES = ['_vert.npy', '_ins_label.npy', '_sem_label.npy'] as const;
const LABEL_TABLE_NAME = 'scannetv2-labels.combined.tsv';

/**
 * Lists the scene ids in a VoteNet ScanNet folder that have all three `.npy` files, sorted (Node only).
 *
 * @param directory - Folder holding `<scene>_vert.npy`, `<scene>_ins_label.npy`, `<scene>_sem_label.npy`.
 */
export async function listVotenetScenes(directory: string): Promise<string[]> {
  const names = new Set(await readdir(directory));
  const sceneIds = [...names].filter((name) => name.endsWith('_vert.npy')).map((name) => name.slice(0, -'_vert.npy'.length));
  return sceneIds.filter((sceneId) => VOTENET_SUFFIXES.every((suffix) => names.has(`${sceneId}${suffix}`))).sort();
}

/**
 * Reads one VoteNet-preprocessed ScanNet scene (Node only). NYU40 class names come from
 * `scannetv2-labels.combined.tsv` when the folder has it.
 *
 * @param directory - The folder (e.g. `shared/data/scannet-votenet`).
 * @param sceneId - Scene id, e.g. `'scene0000_00'`.
 */
export async function readVotenetScene(directory: string, sceneId: string): Promise<PointCloud> {
  const [vertices, instanceLabels, semanticLabels] = await Promise.all(VOTENET_SUFFIXES.map((suffix) => readFile(join(directory, `${sceneId}${suffix}`))));
  const labelTablePath = join(directory, LABEL_TABLE_NAME);
  const classNames = existsSync(labelTablePath) ? parseScannetLabelTable(await readFile(labelTablePath, 'utf8'), labelTablePath).nyu40ClassNames : undefined;
  return parseVotenetScene({ vertices: vertices, instanceLabels: instanceLabels, semanticLabels: semanticLabels, sceneId, classNames });
}
