import type { PointCloud } from '@pointclick/io';
import { NYU40_CLASS_MAP, SCANNET20_NYU40_IDS, type ClassMap } from '../classes/class-maps.js';
import { DatasetError, type LabeledScene } from '../core/labeled-scene.js';
import { toLabeledScene } from '../core/labeled-scene-conversion.js';

/** Source instance id of the unannotated remainder in a {@link toScannetNpyScene} file. */
const UNANNOTATED_SOURCE_INSTANCE = 1;
/** A source id no NYU40 map knows, so it lands on the map's 'other'. */
const OUTSIDE_SCANNET20_SOURCE_ID = -1;

/**
 * Turns a ScanNet room stored as one float32 `(N, 8)` array — x y z r g b semantic instance, the layout of
 * PyViz3D's example `scene0451_01.npy` — read by `@pointclick/io`'s `readNpyPointCloud` (columns 6 and 7 in
 * `attributes.column_6` / `column_7`) into a labelled scene.
 *
 * The numbering, checked on the geometry of scene0451_01 (see the package README):
 * - semantic 1..20 are the ScanNet20 classes in benchmark order, 1-based (1 wall, 2 floor, 3 cabinet, …,
 *   14 curtain, 20 otherfurniture), mapped to their NYU40 ids; semantic 0 is a class outside the 20 (ceiling,
 *   small props) and becomes 'other' on an object, 'unlabeled' on the unannotated remainder;
 * - instance 1 is ScanNet's unannotated remainder (scattered pieces all over the room), so it becomes
 *   instance 0; instances 2..K become objects 1..K−1.
 *
 * @throws {@link DatasetError} when the array has no semantic and instance columns or they hold non-integers
 *   or values outside semantic 0..20 / instance ≥ 1.
 */
export function toScannetNpyScene(sceneId: string, cloud: PointCloud, classMap: ClassMap = NYU40_CLASS_MAP): LabeledScene {
  const sourceSemantic = cloud.attributes?.column_6;
  const sourceInstance = cloud.attributes?.column_7;
  if (!sourceSemantic || !sourceInstance || cloud.attributes?.column_8) {
    throw new DatasetError({ fileName: `${sceneId}.npy`, field: 'shape', message: 'expected 8 columns: x y z r g b semantic instance' });
  }
  const semantic = new Int32Array(cloud.pointCount);
  const instance = new Int32Array(cloud.pointCount);
  for (let point = 0; point < cloud.pointCount; point++) {
    const semanticId = sourceSemantic[point];
    const instanceId = sourceInstance[point];
    if (!Number.isInteger(semanticId) || semanticId < 0 || semanticId > SCANNET20_NYU40_IDS.length) {
      throw new DatasetError({ fileName: `${sceneId}.npy`, field: 'column 6 (semantic)', message: `point ${point} has ${semanticId}, expected an integer 0..20` });
    }
    if (!Number.isInteger(instanceId) || instanceId < UNANNOTATED_SOURCE_INSTANCE) {
      throw new DatasetError({ fileName: `${sceneId}.npy`, field: 'column 7 (instance)', message: `point ${point} has ${instanceId}, expected an integer ≥ 1` });
    }
    const annotated = instanceId !== UNANNOTATED_SOURCE_INSTANCE;
    instance[point] = annotated ? instanceId - 1 : 0;
    if (semanticId > 0) semantic[point] = SCANNET20_NYU40_IDS[semanticId - 1];
    else semantic[point] = annotated ? OUTSIDE_SCANNET20_SOURCE_ID : 0;
  }
  // The label columns move into `instance` and `semantic`; nothing else is carried as an attribute.
  const labelled: PointCloud = { pointCount: cloud.pointCount, positions: cloud.positions, ...(cloud.colors ? { colors: cloud.colors } : {}), instance, semantic, metadata: cloud.metadata };
  return toLabeledScene(sceneId, labelled, classMap);
}
