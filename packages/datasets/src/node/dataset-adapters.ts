import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { attachSemanticKittiLabels, readKittiBin, readNpyPointCloud, readPcd, readPly, readSemanticKittiLabels, type PointCloud } from '@pointclick/io';
import { listVotenetScenes, parseS3disRoom, readScannetScene, readVotenetScene } from '@pointclick/io/node';
import {
  KITTI360_TO_SEMANTIC_KITTI_RAW,
  NYU40_CLASS_MAP,
  S3DIS_CLASS_MAP,
  S3DIS_CLASS_NAMES,
  SEMANTIC_KITTI_CLASS_MAP,
  type ClassMap,
} from '../classes/class-maps.js';
import { DatasetError, type LabeledScene } from '../core/labeled-scene.js';
import { combineInstanceIds, toLabeledScene } from '../core/labeled-scene-conversion.js';
import { thinLabeledScene } from '../core/labeled-scene-thinning.js';
import { toMosdScene } from '../scenes/mosd-scene.js';
import { toScannetNpyScene } from '../scenes/scannet-npy-scene.js';
import { parseScannetSuperpoints } from '../scenes/scannet-superpoints.js';

/** Folder layouts {@link detectDatasetLayout} recognises. */
export type DatasetLayout = 'votenet-scannet' | 'scannet-npy' | 'scannet' | 's3dis' | 'semantickitti' | 'kitti360' | 'mosd' | 'unknown';

async function listDirectory(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory)).sort();
  } catch {
    return [];
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Recognises a dataset folder:
 * - 'votenet-scannet': `<scene>_vert.npy` files (VoteNet's ScanNet preprocessing);
 * - 'scannet-npy': `sceneXXXX_YY.npy` files, one float32 (N, 8) array per room (x y z r g b semantic instance);
 * - 'scannet': ScanNet v2 scene folders `sceneXXXX_YY/` (directly or under `scans/`) with `_vh_clean_2.ply`;
 * - 's3dis': `Area_N/` folders (directly, or the folder is an area) whose rooms have `Annotations/`;
 * - 'semantickitti': `.bin` scans with `.label` files (flat, `velodyne/`+`labels/`, or `sequences/NN/…`);
 * - 'kitti360': accumulated `.ply` windows (`data_3d_semantics/…/static/*.ply`, or `.ply` files named `start_end.ply`);
 * - 'mosd': mOSD / OSD tabletop scans `learn<k>.pcd` or `test<k>.pcd`.
 */
export async function detectDatasetLayout(directory: string): Promise<DatasetLayout> {
  const names = await listDirectory(directory);
  if (names.some((name) => name.endsWith('_vert.npy'))) return 'votenet-scannet';
  if (names.some((name) => SCANNET_NPY_FILE.test(name))) return 'scannet-npy';
  if (names.some((name) => MOSD_SCAN_FILE.test(name))) return 'mosd';
  if ((await findScannetSceneFolders(directory)).length > 0) return 'scannet';
  if ((await findS3disRooms(directory)).length > 0) return 's3dis';
  if ((await findSemanticKittiScans(directory)).length > 0) return 'semantickitti';
  if ((await findKitti360Windows(directory)).length > 0) return 'kitti360';
  return 'unknown';
}

/** Options shared by the adapters. */
export interface DatasetAdapterOptions {
  /** Class map for the scenes' semantics; each adapter has a natural default. */
  classMap?: ClassMap;
  /** Only these scene ids (as the adapter names them). */
  sceneIds?: string[];
}

/**
 * VoteNet-preprocessed ScanNet scenes (`<scene>_vert.npy`, `_ins_label.npy`, `_sem_label.npy`); semantics are
 * NYU40 ids, mapped through `classMap` (default {@link NYU40_CLASS_MAP}; use `SCANNET20_CLASS_MAP` for the 20
 * benchmark classes). Walls and floors are instances, as ScanNet annotates them.
 */
export async function* readVotenetDataset(directory: string, options: DatasetAdapterOptions = {}): AsyncGenerator<LabeledScene> {
  const classMap = options.classMap ?? NYU40_CLASS_MAP;
  for (const sceneId of await listVotenetScenes(directory)) {
    if (options.sceneIds && !options.sceneIds.includes(sceneId)) continue;
    yield toLabeledScene(sceneId, await readVotenetScene(directory, sceneId), classMap);
  }
}

async function findScannetSceneFolders(directory: string): Promise<string[]> {
  const roots = [directory, join(directory, 'scans')];
  const folders: string[] = [];
  for (const root of roots) {
    for (const name of await listDirectory(root)) {
      if (/^scene\d{4}_\d{2}$/.test(name) && existsSync(join(root, name, `${name}_vh_clean_2.ply`))) folders.push(join(root, name));
    }
  }
  if (folders.length === 0 && /^scene\d{4}_\d{2}$/.test(basename(directory)) && existsSync(join(directory, `${basename(directory)}_vh_clean_2.ply`))) {
    folders.push(directory);
  }
  return folders;
}

/** Options of {@link readScannetDataset}. */
export interface ScannetDatasetOptions extends DatasetAdapterOptions {
  /** Path of `scannetv2-labels.combined.tsv`; default: in the dataset folder, else in each scene folder. */
  labelTablePath?: string;
}

/**
 * ScanNet v2 scene folders (mesh vertices labelled from the aggregation and segment files), NYU40 semantics.
 * Every scene carries ScanNet's own over-segmentation as `superpoints`: the segments of
 * `<scene>_vh_clean_2.0.010000.segs.json`, renumbered 0..count-1 ({@link parseScannetSuperpoints}).
 */
export async function* readScannetDataset(directory: string, options: ScannetDatasetOptions = {}): AsyncGenerator<LabeledScene> {
  const classMap = options.classMap ?? NYU40_CLASS_MAP;
  const tableInRoot = join(directory, 'scannetv2-labels.combined.tsv');
  const labelTablePath = options.labelTablePath ?? (existsSync(tableInRoot) ? tableInRoot : undefined);
  for (const folder of await findScannetSceneFolders(directory)) {
    const sceneId = basename(folder);
    if (options.sceneIds && !options.sceneIds.includes(sceneId)) continue;
    const scene = toLabeledScene(sceneId, await readScannetScene(folder, sceneId, { labelTablePath }), classMap);
    const segmentsPath = join(folder, `${sceneId}_vh_clean_2.0.010000.segs.json`);
    yield { ...scene, superpoints: parseScannetSuperpoints(await readFile(segmentsPath, 'utf8'), scene.cloud.pointCount, segmentsPath) };
  }
}

const SCANNET_NPY_FILE = /^scene\d{4}_\d{2}\.npy$/;

/**
 * ScanNet rooms stored as one float32 (N, 8) `sceneXXXX_YY.npy` each (x y z r g b semantic instance, as in
 * `shared/data/scannet-extra`): 1-based ScanNet20 semantics mapped to NYU40 ids, the unannotated remainder
 * (source instance 1) without an instance; see {@link toScannetNpyScene}. Default map {@link NYU40_CLASS_MAP}.
 */
export async function* readScannetNpyDataset(directory: string, options: DatasetAdapterOptions = {}): AsyncGenerator<LabeledScene> {
  for (const name of (await listDirectory(directory)).filter((file) => SCANNET_NPY_FILE.test(file))) {
    const sceneId = name.slice(0, -'.npy'.length);
    if (options.sceneIds && !options.sceneIds.includes(sceneId)) continue;
    const path = join(directory, name);
    const cloud = await readNpyPointCloud(new Uint8Array(await readFile(path)), { fileName: path });
    yield toScannetNpyScene(sceneId, cloud, options.classMap ?? NYU40_CLASS_MAP);
  }
}

const MOSD_SCAN_FILE = /^(learn|test)(\d+)\.pcd$/;

/**
 * mOSD tabletop scans (`learn<k>.pcd`, `test<k>.pcd`: PCD with FIELDS label x y z rgba, organised Kinect
 * frames), in the order learn0, learn1, …, test0, …; scene ids are the file stems. Each scan is labelled and
 * levelled by {@link toMosdScene} (table = instance 1, objects 2.., z up with the table at z = 0). The
 * tabletop validation split is `MOSD_VALIDATION_SCENE_IDS`.
 */
export async function* readMosdDataset(directory: string, options: DatasetAdapterOptions = {}): AsyncGenerator<LabeledScene> {
  const scans = (await listDirectory(directory))
    .map((name) => MOSD_SCAN_FILE.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((first, second) => first[1].localeCompare(second[1]) || Number(first[2]) - Number(second[2]));
  for (const [name, prefix, scan] of scans) {
    const sceneId = `${prefix}${scan}`;
    if (options.sceneIds && !options.sceneIds.includes(sceneId)) continue;
    const path = join(directory, name);
    const cloud = await readPcd(new Uint8Array(await readFile(path)), { fileName: path });
    yield toMosdScene(sceneId, cloud, options.classMap ?? NYU40_CLASS_MAP);
  }
}

async function findS3disRooms(directory: string): Promise<string[]> {
  const areas = /^Area_\d+$/.test(basename(directory))
    ? [directory]
    : (await listDirectory(directory)).filter((name) => /^Area_\d+$/.test(name)).map((name) => join(directory, name));
  const rooms: string[] = [];
  for (const area of areas) {
    for (const room of await listDirectory(area)) {
      if (await isDirectory(join(area, room, 'Annotations'))) rooms.push(join(area, room));
    }
  }
  return rooms;
}

/**
 * S3DIS rooms (`Area_N/<room>/Annotations/<class>_<n>.txt`): every annotation file is an instance; the 13
 * classes map to {@link S3DIS_CLASS_MAP}. Files of a class outside the 13 (other than `stairs`, which S3DIS
 * counts as clutter) become instances of 'other' instead of failing. Scene ids are `Area_N/<room>`.
 */
export async function* readS3disDataset(directory: string, options: DatasetAdapterOptions = {}): AsyncGenerator<LabeledScene> {
  for (const room of await findS3disRooms(directory)) {
    const sceneId = `${basename(join(room, '..'))}/${basename(room)}`;
    if (options.sceneIds && !options.sceneIds.includes(sceneId)) continue;
    const annotationDirectory = join(room, 'Annotations');
    const names = (await listDirectory(annotationDirectory)).filter((name) => name.endsWith('.txt'));
    const known: { name: string; text: string }[] = [];
    const unknown: { name: string; text: string }[] = [];
    for (const name of names) {
      const text = await readFile(join(annotationDirectory, name), 'utf8');
      const className = /^([a-z]+)_\d+\.txt$/i.exec(name)?.[1]?.toLowerCase();
      (className === 'stairs' || (className && S3DIS_CLASS_NAMES.includes(className)) ? known : unknown).push({ name, text });
    }
    const cloud = known.length > 0 ? parseS3disRoom(known, sceneId) : emptyCloud();
    yield toLabeledScene(sceneId, appendUnknownS3disObjects(cloud, unknown), options.classMap ?? S3DIS_CLASS_MAP);
  }
}

function emptyCloud(): PointCloud {
  return { pointCount: 0, positions: new Float32Array(0), colors: new Uint8Array(0), instance: new Int32Array(0), semantic: new Int32Array(0) };
}

/** Appends annotation files of unknown classes as instances with a source semantic id no map knows (→ 'other'). */
function appendUnknownS3disObjects(cloud: PointCloud, files: { name: string; text: string }[]): PointCloud {
  if (files.length === 0) return cloud;
  const positions = Array.from(cloud.positions);
  const colors = Array.from(cloud.colors ?? new Uint8Array(cloud.pointCount * 3));
  const instance = Array.from(cloud.instance ?? new Int32Array(cloud.pointCount));
  const semantic = Array.from(cloud.semantic ?? new Int32Array(cloud.pointCount));
  let nextInstance = instance.reduce((maximum, value) => Math.max(maximum, value), 0) + 1;
  const unknownSemantic = -1;
  for (const file of files) {
    file.text.split('\n').forEach((line, lineIndex) => {
      const trimmed = line.trim();
      if (trimmed === '') return;
      const values = trimmed.split(/\s+/).map(Number);
      if (values.length < 6 || values.slice(0, 6).some((value) => !Number.isFinite(value))) {
        throw new DatasetError({ fileName: file.name, field: `line ${lineIndex + 1}`, message: `expected six numbers 'x y z r g b', got '${trimmed.slice(0, 60)}'` });
      }
      positions.push(values[0], values[1], values[2]);
      colors.push(values[3], values[4], values[5]);
      instance.push(nextInstance);
      semantic.push(unknownSemantic);
    });
    nextInstance++;
  }
  return {
    ...cloud,
    pointCount: instance.length,
    positions: Float32Array.from(positions),
    colors: Uint8Array.from(colors),
    instance: Int32Array.from(instance),
    semantic: Int32Array.from(semantic),
  };
}

async function findSemanticKittiScans(directory: string): Promise<{ sceneId: string; scanPath: string; labelPath: string }[]> {
  const scans: { sceneId: string; scanPath: string; labelPath: string }[] = [];
  const collect = async (scanDirectory: string, labelDirectory: string, prefix: string) => {
    for (const name of await listDirectory(scanDirectory)) {
      if (!name.endsWith('.bin')) continue;
      const stem = name.slice(0, -4);
      const labelPath = join(labelDirectory, `${stem}.label`);
      if (existsSync(labelPath)) scans.push({ sceneId: `${prefix}${stem}`, scanPath: join(scanDirectory, name), labelPath });
    }
  };
  await collect(directory, directory, '');
  await collect(join(directory, 'velodyne'), join(directory, 'labels'), '');
  const sequencesRoot = existsSync(join(directory, 'sequences')) ? join(directory, 'sequences') : directory;
  for (const sequence of await listDirectory(sequencesRoot)) {
    if (!/^\d{2}$/.test(sequence)) continue;
    await collect(join(sequencesRoot, sequence, 'velodyne'), join(sequencesRoot, sequence, 'labels'), `${sequence}/`);
  }
  return scans;
}

/**
 * SemanticKITTI scans (`.bin` + `.label`; flat, or `sequences/NN/velodyne|labels`). Semantics map through
 * the learning map to {@link SEMANTIC_KITTI_CLASS_MAP} (moving classes fold onto their static class, unknown raw
 * ids → 'other'); instances are the distinct non-zero (raw semantic, instance) pairs, numbered 1..K.
 */
export async function* readSemanticKittiDataset(directory: string, options: DatasetAdapterOptions = {}): AsyncGenerator<LabeledScene> {
  for (const { sceneId, scanPath, labelPath } of await findSemanticKittiScans(directory)) {
    if (options.sceneIds && !options.sceneIds.includes(sceneId)) continue;
    const cloud = await readKittiBin(new Uint8Array(await readFile(scanPath)), { fileName: scanPath });
    const labels = readSemanticKittiLabels(new Uint8Array(await readFile(labelPath)), { fileName: labelPath, expectedPointCount: cloud.pointCount });
    const labelled = attachSemanticKittiLabels(cloud, labels, { fileName: labelPath });
    const instance = combineInstanceIds(labels.semantic, labels.instance);
    yield toLabeledScene(sceneId, { ...labelled, instance }, options.classMap ?? SEMANTIC_KITTI_CLASS_MAP);
  }
}

async function findKitti360Windows(directory: string): Promise<{ sceneId: string; path: string }[]> {
  const windows: { sceneId: string; path: string }[] = [];
  const collect = async (folder: string, prefix: string) => {
    for (const name of await listDirectory(folder)) {
      if (/^\d+_\d+\.ply$/.test(name)) windows.push({ sceneId: `${prefix}${name.slice(0, -4)}`, path: join(folder, name) });
    }
  };
  await collect(directory, '');
  await collect(join(directory, 'static'), '');
  for (const root of [join(directory, 'data_3d_semantics', 'train'), join(directory, 'data_3d_semantics'), directory]) {
    for (const sequence of await listDirectory(root)) {
      if (sequence.includes('_drive_')) await collect(join(root, sequence, 'static'), `${sequence}/`);
    }
  }
  return windows;
}

/**
 * KITTI-360 accumulated windows (`…/<sequence>/static/<start>_<end>.ply` with `semantic` and `instance`
 * properties). KITTI-360 ids map onto SemanticKITTI raw ids and then {@link SEMANTIC_KITTI_CLASS_MAP}
 * (unknown → 'other'); KITTI-360 instance ids (`semantic · 1000 + n`) with n = 0 are 'stuff' and get
 * instance 0, the rest are renumbered 1..K.
 */
export async function* readKitti360Dataset(directory: string, options: DatasetAdapterOptions = {}): AsyncGenerator<LabeledScene> {
  for (const { sceneId, path } of await findKitti360Windows(directory)) {
    if (options.sceneIds && !options.sceneIds.includes(sceneId)) continue;
    const cloud = await readPly(new Uint8Array(await readFile(path)), { fileName: path });
    if (!cloud.semantic) throw new DatasetError({ fileName: path, field: 'semantic', message: 'expected a per-vertex semantic property' });
    const rawSemantic = new Int32Array(cloud.pointCount);
    for (let point = 0; point < cloud.pointCount; point++) {
      // Unknown KITTI-360 ids get an id no SemanticKITTI map knows, so they become 'other'.
      rawSemantic[point] = KITTI360_TO_SEMANTIC_KITTI_RAW.get(cloud.semantic[point]) ?? -1;
    }
    const sourceInstance = cloud.instance ?? new Int32Array(cloud.pointCount);
    const thingInstance = sourceInstance.map((value) => (value % 1000 === 0 ? 0 : value));
    const instance = combineInstanceIds(rawSemantic, thingInstance);
    const classMap = options.classMap ?? SEMANTIC_KITTI_CLASS_MAP;
    const scene = toLabeledScene(sceneId, { ...cloud, semantic: rawSemantic, instance }, classMap);
    yield scene;
  }
}

/** Options of {@link readDataset}. */
export interface ReadDatasetOptions extends DatasetAdapterOptions {
  /**
   * Thin every scene to one point per voxel of this edge, in metres ({@link thinLabeledScene}); default: full
   * resolution. For dense scans such as mOSD's (~200k points on a tabletop; 0.01 keeps 8.5k–18k).
   */
  voxelSize?: number;
}

/** Reads whatever dataset `directory` holds, by {@link detectDatasetLayout}. */
export async function* readDataset(directory: string, options: ReadDatasetOptions = {}): AsyncGenerator<LabeledScene> {
  const { voxelSize, ...adapterOptions } = options;
  if (voxelSize === undefined) {
    yield* readDatasetAtFullResolution(directory, adapterOptions);
    return;
  }
  for await (const scene of readDatasetAtFullResolution(directory, adapterOptions)) yield thinLabeledScene(scene, voxelSize);
}

/** The reader of each known layout. */
const DATASET_READERS: Record<Exclude<DatasetLayout, 'unknown'>, (directory: string, options: DatasetAdapterOptions) => AsyncGenerator<LabeledScene>> = {
  'votenet-scannet': readVotenetDataset, 'scannet-npy': readScannetNpyDataset, mosd: readMosdDataset, scannet: readScannetDataset,
  s3dis: readS3disDataset, semantickitti: readSemanticKittiDataset, kitti360: readKitti360Dataset,
};

async function* readDatasetAtFullResolution(directory: string, options: DatasetAdapterOptions): AsyncGenerator<LabeledScene> {
  const layout = await detectDatasetLayout(directory);
  if (layout === 'unknown') {
    throw new DatasetError({ fileName: directory, message: 'no known dataset layout (VoteNet ScanNet npy, ScanNet (N, 8) npy, ScanNet v2, S3DIS, SemanticKITTI, KITTI-360, mOSD)' });
  }
  yield* DATASET_READERS[layout](directory, options);
}

/** Collects an async iterable of scenes into a list. */
export async function collectScenes(scenes: AsyncIterable<LabeledScene>): Promise<LabeledScene[]> {
  const list: LabeledScene[] = [];
  for await (const scene of scenes) list.push(scene);
  return list;
}


