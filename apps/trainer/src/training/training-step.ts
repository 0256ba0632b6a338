import * as tf from '@tensorflow/tfjs-core';
import { totalLoss } from '@pointclick/losses';
import type { AugmentedScene, TrainingStep } from '@pointclick/datasets';
import { ClickGeodesicDistances, type InteractiveSegmentationModel } from '@pointclick/segmenter';

/** Loss figures of one step (each summed over decoder stages). */
export interface StepLosses {
  loss: number;
  bce: number;
  dice: number;
  ce: number;
}

/** Per finest-level voxel, the instance and class of the first input point in it. */
function voxelLabels(scene: AugmentedScene, inputToFinest: Int32Array, voxelCount: number) {
  const instance = new Int32Array(voxelCount).fill(-1);
  const semantic = new Int32Array(voxelCount);
  for (let point = 0; point < scene.pointCount; point++) {
    const voxel = inputToFinest[point];
    if (instance[voxel] !== -1) continue;
    instance[voxel] = scene.instance[point];
    semantic[voxel] = scene.semantic[point];
  }
  return { instance, semantic };
}

/** Most frequent class index among the points of each instance. */
function instanceClasses(scene: AugmentedScene): Map<number, number> {
  const counts = new Map<number, Map<number, number>>();
  for (let point = 0; point < scene.pointCount; point++) {
    const id = scene.instance[point];
    if (id === 0) continue;
    let perClass = counts.get(id);
    if (!perClass) counts.set(id, (perClass = new Map()));
    perClass.set(scene.semantic[point], (perClass.get(scene.semantic[point]) ?? 0) + 1);
  }
  const result = new Map<number, number>();
  for (const [id, perClass] of counts) result.set(id, [...perClass].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0]);
  return result;
}

/**
 * Runs the model on one sample and returns the weighted loss of Eq. 8 summed over decoder stages, as a
 * scalar tensor on the gradient tape, plus its terms as numbers. Object clicks are supervised with their
 * instance's mask; background clicks with everything that is not a target; unlabeled voxels are ignored.
 */
export function computeStepLoss(
  model: InteractiveSegmentationModel,
  scene: AugmentedScene,
  step: TrainingStep,
  weights: { bce: number; dice: number; ce: number },
): { total: tf.Scalar; figures: StepLosses } {
  const backbone = model.backbone.apply({ positions: scene.positions, colors: scene.colors });
  const finest = backbone.levels[backbone.levels.length - 1];
  const voxelCount = finest.features.shape[0];
  const labels = voxelLabels(scene, backbone.inputToFinest, voxelCount);
  const classes = instanceClasses(scene);
  const clickCount = step.clicks.length;
  const targets = new Float32Array(voxelCount * clickCount); // [voxelCount, clickCount]
  const targetSet = new Set(step.targetInstanceIds);
  const ignore = new Float32Array(voxelCount);
  for (let voxel = 0; voxel < voxelCount; voxel++) {
    const id = labels.instance[voxel];
    if (id <= 0) ignore[voxel] = 1;
    step.clicks.forEach((click, column) => {
      const positive = click.instanceId === 0 ? !targetSet.has(id) : id === click.instanceId;
      if (positive) targets[voxel * clickCount + column] = 1;
    });
  }
  const classLabels = Int32Array.from(step.clicks, (click) => (click.instanceId === 0 ? -1 : (classes.get(click.instanceId) ?? -1)));
  const clickVoxelIndices = Int32Array.from(step.clicks, (click) => backbone.inputToFinest[click.pointIndex]);
  const clickPositions = new Float32Array(clickCount * 3);
  step.clicks.forEach((click, index) => clickPositions.set(scene.positions.subarray(click.pointIndex * 3, click.pointIndex * 3 + 3), index * 3));

  const clickGeodesicDistances = ClickGeodesicDistances.forDecoder(model.decoder.config, finest.coordinates, scene.colors, backbone.inputToFinest)?.distances(
    clickVoxelIndices,
  );
  const output = model.decoder.apply({ levels: backbone.levels, clickVoxelIndices, clickPositions, clickGeodesicDistances });
  const loss = totalLoss(
    {
      stages: output.stages,
      targets: tf.tensor2d(targets, [voxelCount, clickCount]),
      classLabels,
      ignoreMask: ignore,
    },
    weights,
  );
  const figures: StepLosses = {
    loss: loss.total.dataSync()[0],
    bce: loss.bce.dataSync()[0],
    dice: loss.dice.dataSync()[0],
    ce: loss.ce.dataSync()[0],
  };
  return { total: loss.total, figures };
}
