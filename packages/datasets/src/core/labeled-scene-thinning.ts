import type { PointAttributeArray, PointCloud } from '@pointclick/io';
import { downsampleVoxelGrid } from '@pointclick/sampling';
import type { LabeledScene } from './labeled-scene.js';
import { renumberSuperpoints } from './superpoint-renumbering.js';

/**
 * Thins a labelled scene to one point per occupied voxel of edge `voxelSize` metres: the voxel's first point (by
 * index), kept as it is — position, colour, normal, intensity, labels and every attribute — so no label is
 * averaged or invented. Points keep their relative order. Superpoints follow their points and are renumbered
 * 0..count-1 in order of first appearance (a superpoint can vanish when all its points fall into voxels led by
 * another superpoint's points). For dense scans (a Kinect frame has ~200k points on a 1 m² tabletop) where the
 * full resolution only slows evaluation; `metadata.droppedPointCount` grows by the points removed.
 *
 * @param scene - The scene.
 * @param voxelSize - Voxel edge in metres, > 0.
 * @throws SamplingInputError (from `@pointclick/sampling`) for a voxel size that is not a positive finite number.
 */
export function thinLabeledScene(scene: LabeledScene, voxelSize: number): LabeledScene {
  const { cloud } = scene;
  const { keptIndices } = downsampleVoxelGrid(cloud.positions, voxelSize);
  const kept = Int32Array.from(keptIndices).sort();
  const pointCount = kept.length;
  const gather = <T extends PointAttributeArray>(values: T, width: number): T => {
    const result = new (values.constructor as new (length: number) => T)(pointCount * width);
    for (let point = 0; point < pointCount; point++) {
      for (let channel = 0; channel < width; channel++) result[point * width + channel] = values[kept[point] * width + channel];
    }
    return result;
  };
  const attributes = cloud.attributes
    ? Object.fromEntries(Object.entries(cloud.attributes).map(([name, values]) => [name, gather(values, 1)]))
    : undefined;
  const thinned: PointCloud & { instance: Int32Array; semantic: Int32Array } = {
    pointCount,
    positions: gather(cloud.positions, 3),
    ...(cloud.colors ? { colors: gather(cloud.colors, 3) } : {}),
    ...(cloud.normals ? { normals: gather(cloud.normals, 3) } : {}),
    ...(cloud.intensity ? { intensity: gather(cloud.intensity, 1) } : {}),
    instance: gather(cloud.instance, 1),
    semantic: gather(cloud.semantic, 1),
    ...(attributes ? { attributes } : {}),
    metadata: {
      ...cloud.metadata,
      droppedPointCount: (cloud.metadata?.droppedPointCount ?? 0) + cloud.pointCount - pointCount,
      comments: [...(cloud.metadata?.comments ?? []), `thinned to one point per ${voxelSize} m voxel`],
    },
  };
  return { ...scene, cloud: thinned, ...(scene.superpoints ? { superpoints: renumberSuperpoints(gather(scene.superpoints.labels, 1)) } : {}) };
}
