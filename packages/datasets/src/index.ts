export type { ClassMap } from './classes/class-maps.js';
export {
  createClassMap,
  KITTI360_TO_SEMANTIC_KITTI_RAW,
  mapClassName,
  mapSemanticId,
  mapSemanticIds,
  NYU40_CLASS_MAP,
  NYU40_CLASS_NAMES,
  OTHER_CLASS_NAME,
  S3DIS_CLASS_MAP,
  S3DIS_CLASS_NAMES,
  SCANNET20_CLASS_MAP,
  SCANNET20_NYU40_IDS,
  SEMANTIC_KITTI_CLASS_MAP,
  SEMANTIC_KITTI_CLASS_NAMES,
  SEMANTIC_KITTI_LEARNING_MAP,
  SEMANTIC_KITTI_RAW_IDS,
  SEMANTIC_KITTI_RAW_NAMES,
  UNLABELED_CLASS_NAME,
} from './classes/class-maps.js';

export type {
  AxisAlignedBounds,
  BoxPrimitive,
  CylinderPrimitive,
  GeometryPrimitive,
  RayHit,
  SpherePrimitive,
} from './synthetic/geometry-primitives.js';
export {
  containsPoint,
  createBox,
  createBoxFromCorners,
  createCylinder,
  createSphere,
  intersectPrimitive,
  measureDistanceToSurface,
  measurePrimitiveBounds,
} from './synthetic/geometry-primitives.js';
export type { RangeNoise, SyntheticObject, SyntheticPart, SyntheticScene } from './synthetic/scene-ray-caster.js';
export type { FurnitureKind } from './synthetic/furniture-catalogue.js';
export { FURNITURE_SEMANTIC_IDS } from './synthetic/furniture-catalogue.js';
export type { IndoorSceneOptions } from './synthetic/indoor-scene-generator.js';
export { generateIndoorScene, INDOOR_RANGE_NOISE } from './synthetic/indoor-scene-generator.js';
export type { OutdoorSceneOptions } from './synthetic/outdoor-scene-generator.js';
export { generateOutdoorScene, LIDAR_RANGE_NOISE } from './synthetic/outdoor-scene-generator.js';
export type { GeneratorRandom } from './synthetic/seeded-random.js';
export { createSeededRandom } from './synthetic/seeded-random.js';

export type { LabeledScene, SceneSuperpoints } from './core/labeled-scene.js';
export { DatasetError } from './core/labeled-scene.js';
export { combineInstanceIds, toLabeledScene } from './core/labeled-scene-conversion.js';
export { thinLabeledScene } from './core/labeled-scene-thinning.js';
export {
  MOSD_LEARN_GROUPS,
  MOSD_OBJECT_NYU40_ID,
  MOSD_TABLE_NYU40_ID,
  MOSD_TRAINING_SCENE_IDS,
  MOSD_VALIDATION_SCENE_IDS,
  toMosdScene,
} from './scenes/mosd-scene.js';
export { toScannetNpyScene } from './scenes/scannet-npy-scene.js';
export { parseScannetSuperpoints } from './scenes/scannet-superpoints.js';
export { computeCrc32 } from '@pointclick/io';
export type { DecodedSceneCache } from './cache/scene-cache-format.js';
export { decodeSceneCache, encodeSceneCache, SCENE_CACHE_MAGIC, SCENE_CACHE_VERSION } from './cache/scene-cache-format.js';
export type { PreprocessedScene, PreprocessSceneOptions } from './training/scene-preprocessing.js';
export { preprocessScene } from './training/scene-preprocessing.js';
export type { AugmentationOptions, AugmentedScene } from './training/scene-augmentation.js';
export { augmentScene, mixScenes } from './training/scene-augmentation.js';
export type { TrainingStep, TrainingStepClick, TrainingStepOptions } from './training/training-step-clicks.js';
export { drawTrainingStep } from './training/training-step-clicks.js';
