import { NYU40_CLASS_NAMES, SCANNET20_NYU40_IDS, SEMANTIC_KITTI_CLASS_NAMES, SEMANTIC_KITTI_LEARNING_MAP, SEMANTIC_KITTI_RAW_NAMES } from './dataset-class-lists.js';
import { S3DIS_CLASS_NAMES } from './s3dis-class-names.js';

/**
 * A label space: how semantic ids are numbered.
 * - `nyu40`: nyu40id 1..40 (ScanNet's `semantic` in this project).
 * - `scannet20`: 1..20, the ScanNet benchmark classes in benchmark order.
 * - `s3dis13`: 1..13, {@link S3DIS_CLASS_NAMES} order.
 * - `semantickitti19`: 1..19, SemanticKITTI's evaluation classes (learning-map index).
 * - `semantickitti`: SemanticKITTI's raw ids as stored in `.label` files (10 = car, 252 = moving car, …).
 *
 * In every space id 0 is unlabelled.
 */
export type LabelSpace = 'nyu40' | 'scannet20' | 's3dis13' | 'semantickitti19' | 'semantickitti';

/** Every label space, in a fixed order (for menus and tests). */
export const LABEL_SPACES: readonly LabelSpace[] = ['nyu40', 'scannet20', 's3dis13', 'semantickitti19', 'semantickitti'];

/** Thrown for a class that a label space does not have, or that has no counterpart in the target space. */
export class ClassMappingError extends Error {
  override readonly name: string = 'ClassMappingError';
  /** Space the class was looked up in or converted from. */
  readonly from: LabelSpace;
  /** Space it was converted to; undefined for a lookup by name. */
  readonly to?: LabelSpace;
  /** The class: its name when known, else `id <n>`. */
  readonly className: string;
  /** The class id in `from`, when the class was given by id. */
  readonly classId?: number;

  constructor(options: { from: LabelSpace; to?: LabelSpace; className: string; classId?: number; message: string }) {
    super(options.message);
    this.from = options.from;
    this.to = options.to;
    this.className = options.className;
    this.classId = options.classId;
  }
}

const byIndex = (names: readonly string[]): Record<number, string> => Object.fromEntries(names.map((name, index) => [index + 1, name]));

const CLASS_NAMES: Record<LabelSpace, Readonly<Record<number, string>>> = {
  nyu40: byIndex(NYU40_CLASS_NAMES.slice(1)),
  scannet20: byIndex(SCANNET20_NYU40_IDS.map((id) => NYU40_CLASS_NAMES[id])),
  s3dis13: byIndex(S3DIS_CLASS_NAMES),
  semantickitti19: byIndex(SEMANTIC_KITTI_CLASS_NAMES),
  semantickitti: Object.fromEntries(Object.entries(SEMANTIC_KITTI_RAW_NAMES).filter(([id]) => id !== '0')),
};

/**
 * The spaces form a tree rooted at NYU40; each entry maps a space's ids onto its parent's. Conversions walk the
 * tree, so every pair of spaces converts where each step has the class.
 */
const PARENT: Record<Exclude<LabelSpace, 'nyu40'>, LabelSpace> = {
  scannet20: 'nyu40',
  s3dis13: 'nyu40',
  semantickitti19: 'nyu40',
  semantickitti: 'semantickitti19',
};

const nyu40IdOf = (name: string): number => NYU40_CLASS_NAMES.indexOf(name);
const s3disIdOf = (name: string): number => S3DIS_CLASS_NAMES.indexOf(name as (typeof S3DIS_CLASS_NAMES)[number]) + 1;

/**
 * Same concepts in S3DIS and NYU40. `beam` and `column` have no NYU40 class; `clutter` (S3DIS's everything-else) is
 * NYU40's `otherprop`.
 */
const S3DIS_TO_NYU40 = new Map<number, number>(
  (
    [
      ['ceiling', 'ceiling'],
      ['floor', 'floor'],
      ['wall', 'wall'],
      ['window', 'window'],
      ['door', 'door'],
      ['table', 'table'],
      ['chair', 'chair'],
      ['sofa', 'sofa'],
      ['bookcase', 'bookshelf'],
      ['board', 'whiteboard'],
      ['clutter', 'otherprop'],
    ] as const
  ).map(([s3dis, nyu40]) => [s3disIdOf(s3dis), nyu40IdOf(nyu40)]),
);

/** SemanticKITTI's outdoor classes meet the indoor ones only in `person`. */
const SEMANTIC_KITTI19_TO_NYU40 = new Map<number, number>([[SEMANTIC_KITTI_CLASS_NAMES.indexOf('person') + 1, nyu40IdOf('person')]]);

/**
 * Raw SemanticKITTI ids → the 19 classes: the learning map without the ids it sends to 0 (`outlier`,
 * `other-structure`, `other-object`), which have no evaluation class and so raise an error instead of vanishing.
 */
const SEMANTIC_KITTI_RAW_TO_19 = new Map<number, number>([...SEMANTIC_KITTI_LEARNING_MAP].filter(([raw, index]) => raw !== 0 && index !== 0));

/** The 19 classes → the raw id of the same name (the static one: `car` → 10, not `moving-car` 252). */
const SEMANTIC_KITTI_19_TO_RAW = new Map<number, number>(
  SEMANTIC_KITTI_CLASS_NAMES.map((name, index) => [index + 1, Number(Object.entries(SEMANTIC_KITTI_RAW_NAMES).find(([, rawName]) => rawName === name)![0])]),
);

const invert = (map: ReadonlyMap<number, number>): Map<number, number> => new Map([...map].map(([key, value]) => [value, key]));

/** Id maps along each tree edge, child → parent and parent → child. */
const UP: Record<Exclude<LabelSpace, 'nyu40'>, ReadonlyMap<number, number>> = {
  scannet20: new Map(SCANNET20_NYU40_IDS.map((id, index) => [index + 1, id])),
  s3dis13: S3DIS_TO_NYU40,
  semantickitti19: SEMANTIC_KITTI19_TO_NYU40,
  semantickitti: SEMANTIC_KITTI_RAW_TO_19,
};
const DOWN: Record<Exclude<LabelSpace, 'nyu40'>, ReadonlyMap<number, number>> = {
  scannet20: invert(UP.scannet20),
  s3dis13: invert(S3DIS_TO_NYU40),
  semantickitti19: invert(SEMANTIC_KITTI19_TO_NYU40),
  semantickitti: SEMANTIC_KITTI_19_TO_RAW,
};

/** Class names by id of a label space (0, unlabelled, is not listed). */
export function listClassNames(space: LabelSpace): Readonly<Record<number, string>> {
  return CLASS_NAMES[space];
}

function describeClass(space: LabelSpace, id: number): string {
  const name = CLASS_NAMES[space][id];
  return name === undefined ? `id ${id}` : `'${name}' (${id})`;
}

function pathToRoot(space: LabelSpace): LabelSpace[] {
  const path: LabelSpace[] = [space];
  while (path[path.length - 1] !== 'nyu40') path.push(PARENT[path[path.length - 1] as Exclude<LabelSpace, 'nyu40'>]);
  return path;
}

/** Steps from `from` to `to` through the tree: each step is an id map and the space it lands in. */
function conversionSteps(from: LabelSpace, to: LabelSpace): { map: ReadonlyMap<number, number>; space: LabelSpace }[] {
  const up = pathToRoot(from);
  const down = pathToRoot(to);
  // Drop the shared part above the lowest common ancestor.
  while (up.length > 1 && down.length > 1 && up[up.length - 2] === down[down.length - 2]) {
    up.pop();
    down.pop();
  }
  const steps: { map: ReadonlyMap<number, number>; space: LabelSpace }[] = [];
  for (let index = 0; index + 1 < up.length; index++) steps.push({ map: UP[up[index] as Exclude<LabelSpace, 'nyu40'>], space: up[index + 1] });
  for (let index = down.length - 1; index > 0; index--) steps.push({ map: DOWN[down[index - 1] as Exclude<LabelSpace, 'nyu40'>], space: down[index - 1] });
  return steps;
}

/**
 * Converts one semantic id from label space `from` to `to`; 0 (unlabelled) stays 0.
 *
 * @throws {ClassMappingError} when the id is not a class of `from`, or the class has no counterpart in `to`
 *   (for example S3DIS `beam` in NYU40, or any SemanticKITTI class but `person` indoors). Never returns 0 for a class.
 */
export function convertSemanticId(id: number, from: LabelSpace, to: LabelSpace): number {
  if (id === 0) return 0;
  if (CLASS_NAMES[from][id] === undefined) {
    throw new ClassMappingError({ from, to, classId: id, className: `id ${id}`, message: `semantic id ${id} is not a class of ${from}` });
  }
  let current = id;
  let space = from;
  for (const step of conversionSteps(from, to)) {
    const next = step.map.get(current);
    if (next === undefined) {
      throw new ClassMappingError({
        from,
        to,
        classId: id,
        className: CLASS_NAMES[from][id],
        message: `${from} class ${describeClass(from, id)} has no counterpart in ${to}${space === from ? '' : ` (it is ${describeClass(space, current)} in ${space})`}`,
      });
    }
    current = next;
    space = step.space;
  }
  return current;
}

/**
 * Converts per-point semantic ids from label space `from` to `to` (0 stays 0).
 *
 * @throws {ClassMappingError} for the first class without a counterpart (see {@link convertSemanticId}).
 */
export function convertSemanticIds(semantic: ArrayLike<number>, from: LabelSpace, to: LabelSpace): Int32Array {
  const result = new Int32Array(semantic.length);
  const converted = new Map<number, number>();
  for (let point = 0; point < semantic.length; point++) {
    const id = semantic[point];
    let value = converted.get(id);
    if (value === undefined) {
      value = convertSemanticId(id, from, to);
      converted.set(id, value);
    }
    result[point] = value;
  }
  return result;
}

const normalizeClassName = (name: string): string => name.toLowerCase().replace(/[\s_-]+/g, ' ').trim();

/**
 * Id of a class name in a label space: case-insensitive, spaces, underscores and hyphens equivalent
 * (`'Traffic_Sign'` finds `traffic-sign`); `'unlabeled'` / `'unlabelled'` is 0.
 *
 * @throws {ClassMappingError} when the space has no class of that name.
 */
export function findClassId(space: LabelSpace, className: string): number {
  const wanted = normalizeClassName(className);
  if (wanted === 'unlabeled' || wanted === 'unlabelled') return 0;
  for (const [id, name] of Object.entries(CLASS_NAMES[space])) if (normalizeClassName(name) === wanted) return Number(id);
  throw new ClassMappingError({ from: space, className, message: `'${className}' is not a class of ${space}` });
}
