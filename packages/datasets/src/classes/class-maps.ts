/**
 * Class maps: contiguous class indices with names, and how a dataset's own semantic ids map onto them.
 *
 * Every map has index 0 = 'unlabeled' and, as its last index, 'other': a source id the map does not know
 * lands on 'other' instead of failing, so an unexpected label never crashes a run.
 */

import {
  NYU40_CLASS_NAMES,
  S3DIS_CLASS_NAMES as IO_S3DIS_CLASS_NAMES,
  SCANNET20_NYU40_IDS,
  SEMANTIC_KITTI_CLASS_NAMES,
  SEMANTIC_KITTI_LEARNING_MAP,
  SEMANTIC_KITTI_RAW_NAMES,
} from '@pointclick/io';

export { NYU40_CLASS_NAMES, SCANNET20_NYU40_IDS, SEMANTIC_KITTI_CLASS_NAMES, SEMANTIC_KITTI_LEARNING_MAP, SEMANTIC_KITTI_RAW_NAMES };

export interface ClassMap {
  /** Map name, e.g. 'scannet20'. */
  name: string;
  /** Class names by index; [0] is 'unlabeled', the last is 'other'. */
  classNames: string[];
  /** Class index by name (inverse of `classNames`). */
  semanticClassMap: Record<string, number>;
  /** Index of 'other'. */
  otherIndex: number;
  /** Class index for each known source id (dataset label id); ids absent here map to `otherIndex`. */
  sourceIdToIndex: ReadonlyMap<number, number>;
}

/** Name of index 0 in every class map. */
export const UNLABELED_CLASS_NAME = 'unlabeled';
/** Name of the last index in every class map. */
export const OTHER_CLASS_NAME = 'other';

/** The 13 S3DIS classes in the dataset's usual order (the list `@pointclick/io`'s S3DIS reader uses). */
export const S3DIS_CLASS_NAMES: readonly string[] = IO_S3DIS_CLASS_NAMES;

/** SemanticKITTI raw ids of the things the outdoor generator draws. */
export const SEMANTIC_KITTI_RAW_IDS = {
  car: 10,
  bicycle: 11,
  person: 30,
  road: 40,
  sidewalk: 48,
  building: 50,
  fence: 51,
  vegetation: 70,
  trunk: 71,
  terrain: 72,
  pole: 80,
  trafficSign: 81,
} as const;


/**
 * KITTI-360 semantic ids (its `labels.py`, Cityscapes-style) → SemanticKITTI raw ids, so KITTI-360 windows can
 * share the SemanticKITTI 19 map. Ids not listed fall to 'other'; 0 stays unlabeled.
 */
export const KITTI360_TO_SEMANTIC_KITTI_RAW: ReadonlyMap<number, number> = new Map([
  [0, 0],
  [6, 49],
  [7, 40],
  [8, 48],
  [9, 44],
  [11, 50],
  [12, 50],
  [13, 51],
  [14, 51],
  [17, 80],
  [19, 80],
  [20, 81],
  [21, 70],
  [22, 72],
  [24, 30],
  [25, 31],
  [26, 10],
  [27, 18],
  [28, 13],
  [29, 20],
  [30, 20],
  [31, 16],
  [32, 15],
  [33, 11],
  [34, 50],
  [37, 80],
]);

/** Builds a class map from its named classes; 'unlabeled' and 'other' are added around them, and source id 0 maps to 'unlabeled'. */
export function createClassMap(name: string, names: readonly string[], sourceIdToIndex: ReadonlyMap<number, number>): ClassMap {
  const classNames = [UNLABELED_CLASS_NAME, ...names, OTHER_CLASS_NAME];
  const semanticClassMap: Record<string, number> = {};
  classNames.forEach((className, index) => {
    semanticClassMap[className] = index;
  });
  // Source id 0 is 'unlabeled' in every dataset handled here.
  const withUnlabeled = sourceIdToIndex.has(0) ? sourceIdToIndex : new Map([[0, 0], ...sourceIdToIndex]);
  return { name, classNames, semanticClassMap, otherIndex: classNames.length - 1, sourceIdToIndex: withUnlabeled };
}

/** NYU40 / ScanNet40: index = nyu40id (1..40), 0 unlabeled, 41 other. Source ids are nyu40ids. */
export const NYU40_CLASS_MAP: ClassMap = createClassMap(
  'nyu40',
  NYU40_CLASS_NAMES.slice(1),
  new Map(NYU40_CLASS_NAMES.map((_, id) => [id, id])),
);

/**
 * ScanNet20 benchmark classes: index 1..20 in benchmark order, 0 unlabeled; NYU40 ids outside the 20 (for
 * example 'otherprop') become 'other' (21). Source ids are nyu40ids.
 */
export const SCANNET20_CLASS_MAP: ClassMap = createClassMap(
  'scannet20',
  SCANNET20_NYU40_IDS.map((id) => NYU40_CLASS_NAMES[id]),
  new Map([[0, 0], ...SCANNET20_NYU40_IDS.map((id, index): [number, number] => [id, index + 1])]),
);

/** S3DIS 13 classes: index 1..13, 0 unlabeled, 14 other. Source ids are 1-based positions in {@link S3DIS_CLASS_NAMES}. */
export const S3DIS_CLASS_MAP: ClassMap = createClassMap(
  's3dis13',
  S3DIS_CLASS_NAMES,
  new Map(S3DIS_CLASS_NAMES.map((_, index) => [index + 1, index + 1])),
);

/** SemanticKITTI 19 classes: learning-map index 1..19, 0 unlabeled, 20 other. Source ids are raw label ids. */
export const SEMANTIC_KITTI_CLASS_MAP: ClassMap = createClassMap('semantickitti19', SEMANTIC_KITTI_CLASS_NAMES, SEMANTIC_KITTI_LEARNING_MAP);

/** Class index of one source id; unknown ids give the map's 'other'. */
export function mapSemanticId(classMap: ClassMap, sourceId: number): number {
  return classMap.sourceIdToIndex.get(sourceId) ?? classMap.otherIndex;
}

/** Maps an array of source semantic ids to class indices (unknown → 'other'). */
export function mapSemanticIds(classMap: ClassMap, sourceIds: ArrayLike<number>): Int32Array {
  const result = new Int32Array(sourceIds.length);
  let previousSource = Number.NaN;
  let previousIndex = 0;
  for (let point = 0; point < sourceIds.length; point++) {
    const source = sourceIds[point];
    // Labels come in long runs; skip the map lookup while the id repeats.
    if (source !== previousSource) {
      previousSource = source;
      previousIndex = mapSemanticId(classMap, source);
    }
    result[point] = previousIndex;
  }
  return result;
}

/** Class index of a class name (case-insensitive, spaces/underscores/hyphens equivalent); unknown → 'other'. */
export function mapClassName(classMap: ClassMap, className: string): number {
  const normalise = (value: string) => value.toLowerCase().replace(/[\s_-]+/g, ' ').trim();
  const wanted = normalise(className);
  const index = classMap.classNames.findIndex((candidate) => normalise(candidate) === wanted);
  return index >= 0 ? index : classMap.otherIndex;
}
