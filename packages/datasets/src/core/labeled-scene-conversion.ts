import type { PointCloud } from '@pointclick/io';
import { mapSemanticIds, type ClassMap } from '../classes/class-maps.js';
import type { LabeledScene } from './labeled-scene.js';

/**
 * Wraps a labelled cloud as a {@link LabeledScene}: its source semantic ids are mapped through `classMap`
 * (unknown ids → 'other'), missing labels become zeros, and `metadata.classNames` is replaced by the map's.
 */
export function toLabeledScene(id: string, cloud: PointCloud, classMap: ClassMap): LabeledScene {
  const instance = cloud.instance ?? new Int32Array(cloud.pointCount);
  const semantic = cloud.semantic ? mapSemanticIds(classMap, cloud.semantic) : new Int32Array(cloud.pointCount);
  const classNames: Record<number, string> = {};
  classMap.classNames.forEach((name, index) => {
    classNames[index] = name;
  });
  return {
    id,
    cloud: { ...cloud, instance, semantic, metadata: { ...cloud.metadata, classNames } },
    classNames: [...classMap.classNames],
    semanticClassMap: { ...classMap.semanticClassMap },
  };
}

/**
 * Renumbers instances as the distinct non-zero (semantic, instance) pairs, 1..K in order of first
 * appearance, for datasets whose instance ids are only unique together with the class (SemanticKITTI,
 * KITTI-360). Points whose source instance is 0 keep 0.
 */
export function combineInstanceIds(semantic: ArrayLike<number>, instance: ArrayLike<number>): Int32Array {
  const combined = new Int32Array(instance.length);
  const ids = new Map<string, number>();
  for (let point = 0; point < instance.length; point++) {
    if (instance[point] === 0) continue;
    const key = `${semantic[point]}:${instance[point]}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(key, id);
    }
    combined[point] = id;
  }
  return combined;
}
