/**
 * Which PLY vertex property feeds which `PointCloud` field. Shared by the reader and the writer so that
 * the writer can refuse attribute names that would read back as something else.
 */

/** Property index (into the names given) for each role; `-1` when absent. */
export interface PlyPropertyRoles {
  /** Indices of x, y, z. */
  position: [number, number, number];
  /** Indices of red, green, blue (all three or none). */
  color: [number, number, number] | undefined;
  /** Indices of nx, ny, nz (all three or none). */
  normal: [number, number, number] | undefined;
  /** Index of the intensity property. */
  intensity: number;
  /** Index of the instance-id property. */
  instance: number;
  /** Index of the semantic-class property. */
  semantic: number;
  /** Indices of every other property, which become `attributes[name]`. */
  attributes: number[];
}

const POSITION_NAMES = [['x'], ['y'], ['z']];
const COLOR_NAMES = [
  ['red', 'r', 'diffuse_red'],
  ['green', 'g', 'diffuse_green'],
  ['blue', 'b', 'diffuse_blue'],
];
const NORMAL_NAMES = [
  ['nx', 'normal_x'],
  ['ny', 'normal_y'],
  ['nz', 'normal_z'],
];
const INTENSITY_NAMES = ['intensity', 'scalar_intensity', 'remission'];
/** Instance names, most explicit first. */
const INSTANCE_NAMES = [
  'instance',
  'instance_id',
  'instanceid',
  'instance_label',
  'ins_label',
  'inst_label',
  'objectid',
  'object_id',
  'obj_id',
  'scalar_instance',
  'scalar_instance_id',
];
/** Semantic names, most explicit first; a bare `label` is semantic (it is only a last resort). */
const SEMANTIC_NAMES = [
  'semantic',
  'semantic_id',
  'semantic_label',
  'sem_label',
  'sem',
  'class',
  'class_id',
  'classification',
  'category',
  'category_id',
  'scalar_semantic',
  'scalar_class',
  'label',
  'labels',
  'scalar_label',
];

/** Assigns PLY vertex property names (case-insensitive) to point-cloud roles; `x`, `y`, `z` may be missing (-1). */
export function assignPlyPropertyRoles(names: readonly string[]): PlyPropertyRoles {
  const lower = names.map((name) => name.toLowerCase());
  const claimed = new Set<number>();
  const findFirst = (candidates: readonly string[]): number => {
    for (const candidate of candidates) {
      const index = lower.indexOf(candidate);
      if (index !== -1 && !claimed.has(index)) return index;
    }
    return -1;
  };
  const claimTriple = (groups: string[][]): [number, number, number] | undefined => {
    const indices = groups.map((group) => findFirst(group));
    if (indices.some((index) => index === -1)) return undefined;
    for (const index of indices) claimed.add(index);
    return indices as [number, number, number];
  };
  const claimOne = (candidates: readonly string[]): number => {
    const index = findFirst(candidates);
    if (index !== -1) claimed.add(index);
    return index;
  };
  const positionIndices = POSITION_NAMES.map((group) => findFirst(group)) as [number, number, number];
  for (const index of positionIndices) if (index !== -1) claimed.add(index);
  const color = claimTriple(COLOR_NAMES);
  const normal = claimTriple(NORMAL_NAMES);
  const intensity = claimOne(INTENSITY_NAMES);
  const instance = claimOne(INSTANCE_NAMES);
  const semantic = claimOne(SEMANTIC_NAMES);
  const attributes: number[] = [];
  for (let index = 0; index < names.length; index++) if (!claimed.has(index)) attributes.push(index);
  return { position: positionIndices, color, normal, intensity, instance, semantic, attributes };
}

/** Names the writer uses for each field of a {@link PointCloud}. */
export const PLY_WRITER_NAMES = {
  position: ['x', 'y', 'z'],
  normal: ['nx', 'ny', 'nz'],
  color: ['red', 'green', 'blue'],
  intensity: 'intensity',
  instance: 'instance',
  semantic: 'semantic',
} as const;
