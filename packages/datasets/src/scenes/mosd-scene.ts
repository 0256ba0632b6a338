import type { PointAttributeArray, PointCloud } from '@pointclick/io';
import { NYU40_CLASS_MAP, type ClassMap } from '../classes/class-maps.js';
import { DatasetError, type LabeledScene } from '../core/labeled-scene.js';
import { toLabeledScene } from '../core/labeled-scene-conversion.js';

/** NYU40 id given to the supporting table of an mOSD scan ('table'). */
export const MOSD_TABLE_NYU40_ID = 7;
/** NYU40 id given to every mOSD object ('otherprop'): the database names no object categories. */
export const MOSD_OBJECT_NYU40_ID = 40;

/** The scene groups of the mOSD learn set, as the database's README lists them (inclusive scan numbers). */
export const MOSD_LEARN_GROUPS: readonly { name: string; first: number; last: number }[] = [
  { name: 'boxes', first: 0, last: 16 },
  { name: 'stacked boxes', first: 17, last: 24 },
  { name: 'occluded objects', first: 25, last: 32 },
  { name: 'cylindric objects', first: 33, last: 44 },
];

const MOSD_LEARN_SCAN_COUNT = 45;

/**
 * The tabletop validation split: learn scans whose number k has k mod 3 = 2 (15 of 45: 5 boxes, 3 stacked,
 * 3 occluded, 4 cylindric). Keep them out of training; they are the held-out tabletop scans.
 */
export const MOSD_VALIDATION_SCENE_IDS: readonly string[] = Array.from({ length: MOSD_LEARN_SCAN_COUNT }, (_, scan) => scan)
  .filter((scan) => scan % 3 === 2)
  .map((scan) => `learn${scan}`);

/** The other 30 learn scans (k mod 3 ≠ 2), for training. */
export const MOSD_TRAINING_SCENE_IDS: readonly string[] = Array.from({ length: MOSD_LEARN_SCAN_COUNT }, (_, scan) => scan)
  .filter((scan) => scan % 3 !== 2)
  .map((scan) => `learn${scan}`);

/**
 * Turns an mOSD scan as `@pointclick/io` reads it (`readPcd`: the PCD `label` field in `semantic`, NaN points
 * already dropped) into a labelled, z-up scene:
 *
 * - Points labelled 0 (the README's NaN points) are dropped; labels 10–19 and negative labels are not in the
 *   README's scheme and are refused.
 * - Instances: labels 1–9 (the parts of the supporting table) are instance 1, the table, a valid target;
 *   labels 20–29 are instance 2, 30–39 instance 3, … (object = ⌊label / 10⌋, which merges the disjoint parts
 *   of one object). The raw label stays in `cloud.attributes.mosdLabel`.
 * - Classes (NYU40 ids through `classMap`): table → 7 'table', every object → 40 'otherprop'.
 * - Frame: the camera frame (x right, y down, z forward) is first turned z-up by the rotation
 *   (x, y, z) → (x, z, −y) (+90° about x), then levelled: the least-squares plane of the table points gives
 *   the table normal, the shortest rotation taking it to +z is applied (the Kinect looks down at 34–44°),
 *   and the scan is shifted in z so the table plane passes through z = 0. The camera stays at x = y = 0,
 *   above the table; objects have z > 0. Units stay metres.
 *
 * @param sceneId - Scene id (the file's stem, e.g. 'learn0'), for errors and the scene.
 * @param cloud - The scan with `semantic` = mOSD labels.
 * @param classMap - Map for the NYU40 ids; default {@link NYU40_CLASS_MAP}.
 * @throws {@link DatasetError} when `semantic` is missing, a label is outside the scheme, or no point is a table point.
 */
export function toMosdScene(sceneId: string, cloud: PointCloud, classMap: ClassMap = NYU40_CLASS_MAP): LabeledScene {
  const labels = cloud.semantic;
  if (!labels) throw new DatasetError({ fileName: sceneId, field: 'label', message: 'expected the mOSD per-point label field' });
  let pointCount = 0;
  for (let point = 0; point < cloud.pointCount; point++) {
    const label = labels[point];
    if (label < 0 || (label >= 10 && label < 20)) {
      throw new DatasetError({ fileName: sceneId, field: 'label', message: `point ${point} has label ${label}; mOSD labels are 0 (NaN), 1–9 (table) or ≥ 20 (objects)` });
    }
    if (label !== 0) pointCount++;
  }
  const kept = new Int32Array(pointCount);
  const instance = new Int32Array(pointCount);
  const semantic = new Int32Array(pointCount);
  const mosdLabel = new Int32Array(pointCount);
  const sourceColors = cloud.colors;
  const colors = sourceColors ? new Uint8Array(pointCount * 3) : undefined;
  const attributes: Record<string, PointAttributeArray> = { mosdLabel };
  const organizedIndex = cloud.attributes?.organizedIndex;
  const keptOrganizedIndex = organizedIndex ? new Int32Array(pointCount) : undefined;
  if (keptOrganizedIndex) attributes.organizedIndex = keptOrganizedIndex;
  for (let source = 0, point = 0; source < cloud.pointCount; source++) {
    const label = labels[source];
    if (label === 0) continue;
    kept[point] = source;
    mosdLabel[point] = label;
    const isTable = label < 10;
    instance[point] = isTable ? 1 : Math.floor(label / 10);
    semantic[point] = isTable ? MOSD_TABLE_NYU40_ID : MOSD_OBJECT_NYU40_ID;
    if (colors) {
      colors[point * 3] = sourceColors![source * 3];
      colors[point * 3 + 1] = sourceColors![source * 3 + 1];
      colors[point * 3 + 2] = sourceColors![source * 3 + 2];
    }
    if (keptOrganizedIndex) keptOrganizedIndex[point] = organizedIndex![source];
    point++;
  }
  const positions = levelMosdPositions(sceneId, cloud.positions, kept, instance);
  const leveled: PointCloud = {
    pointCount,
    positions,
    ...(colors ? { colors } : {}),
    instance,
    semantic,
    attributes,
    metadata: {
      ...cloud.metadata,
      droppedPointCount: (cloud.metadata?.droppedPointCount ?? 0) + cloud.pointCount - pointCount,
      comments: [...(cloud.metadata?.comments ?? []), `mOSD ${sceneId}: camera frame levelled on the table plane (z up, table at z = 0)`],
    },
  };
  return toLabeledScene(sceneId, leveled, classMap);
}

/**
 * Rotates the kept camera-frame points z-up and levels them on the table (instance 1) as {@link toMosdScene}
 * describes. [keptCount, 3] float32 out; the transform is computed in float64.
 */
function levelMosdPositions(sceneId: string, sourcePositions: Float32Array, kept: Int32Array, instance: Int32Array): Float32Array {
  // Camera (x right, y down, z forward) → z up: (x, y, z) ↦ (x, z, −y).
  const upright = new Float64Array(kept.length * 3);
  for (let point = 0; point < kept.length; point++) {
    const source = kept[point] * 3;
    upright[point * 3] = sourcePositions[source];
    upright[point * 3 + 1] = sourcePositions[source + 2];
    upright[point * 3 + 2] = -sourcePositions[source + 1];
  }
  // Least-squares plane z = a·x + b·y + c over the table points, on centred sums.
  let tableCount = 0;
  const mean = [0, 0, 0];
  for (let point = 0; point < kept.length; point++) {
    if (instance[point] !== 1) continue;
    tableCount++;
    for (let axis = 0; axis < 3; axis++) mean[axis] += upright[point * 3 + axis];
  }
  if (tableCount < 3) throw new DatasetError({ fileName: sceneId, field: 'label', message: `expected table points (labels 1–9) to level the scan, found ${tableCount}` });
  for (let axis = 0; axis < 3; axis++) mean[axis] /= tableCount;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let sxz = 0;
  let syz = 0;
  for (let point = 0; point < kept.length; point++) {
    if (instance[point] !== 1) continue;
    const dx = upright[point * 3] - mean[0];
    const dy = upright[point * 3 + 1] - mean[1];
    const dz = upright[point * 3 + 2] - mean[2];
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
    sxz += dx * dz;
    syz += dy * dz;
  }
  const determinant = sxx * syy - sxy * sxy;
  if (!(Math.abs(determinant) > 1e-12 * Math.max(1, sxx * syy))) {
    throw new DatasetError({ fileName: sceneId, field: 'label', message: 'the table points are collinear; cannot fit the table plane' });
  }
  const slopeX = (sxz * syy - syz * sxy) / determinant;
  const slopeY = (syz * sxx - sxz * sxy) / determinant;
  const normalLength = Math.hypot(slopeX, slopeY, 1);
  const normal = [-slopeX / normalLength, -slopeY / normalLength, 1 / normalLength];
  // Rodrigues rotation taking the table normal to +z: axis normal × z, angle acos(normal_z).
  const cosine = normal[2];
  const sine = Math.hypot(normal[0], normal[1]);
  const axis = sine > 0 ? [normal[1] / sine, -normal[0] / sine, 0] : [1, 0, 0];
  const rotation = rodriguesMatrix(axis, cosine, sine);
  const tableHeight = rotation[6] * mean[0] + rotation[7] * mean[1] + rotation[8] * mean[2];
  const positions = new Float32Array(kept.length * 3); // [keptCount, 3]
  for (let point = 0; point < kept.length; point++) {
    const x = upright[point * 3];
    const y = upright[point * 3 + 1];
    const z = upright[point * 3 + 2];
    positions[point * 3] = rotation[0] * x + rotation[1] * y + rotation[2] * z;
    positions[point * 3 + 1] = rotation[3] * x + rotation[4] * y + rotation[5] * z;
    positions[point * 3 + 2] = rotation[6] * x + rotation[7] * y + rotation[8] * z - tableHeight;
  }
  return positions;
}

/** Row-major 3×3 rotation about the unit `axis` by the angle with the given cosine and sine. */
function rodriguesMatrix(axis: number[], cosine: number, sine: number): number[] {
  const [x, y, z] = axis;
  const versine = 1 - cosine;
  return [
    cosine + x * x * versine, x * y * versine - z * sine, x * z * versine + y * sine,
    y * x * versine + z * sine, cosine + y * y * versine, y * z * versine - x * sine,
    z * x * versine - y * sine, z * y * versine + x * sine, cosine + z * z * versine,
  ];
}
