import { evaluateInteractive, type EvaluationScene, type InteractiveSummary } from '@pointclick/metrics';
import type { LabeledScene } from '@pointclick/datasets';
import { Segmenter, type InteractiveSegmentationModel, type SegmentationResult } from '@pointclick/segmenter';
import type { PointCloud } from '@pointclick/io';

/**
 * A `segment(cloud, clicks)` function over a model for the evaluation runner: the backbone runs once per
 * cloud (the runner calls with the same cloud object for every click round), the decoder every round. A
 * scene of `scenes` that ships its own over-segmentation (ScanNet's segs.json) hands it to the segmenter.
 * `onResult` sees every segmentation (objects, classes) with the number of clicks it was made from.
 */
export function createModelSegmentFunction(
  model: InteractiveSegmentationModel,
  scenes: readonly LabeledScene[] = [],
  onResult?: (cloud: PointCloud, clickCount: number, result: SegmentationResult) => void,
) {
  const segmenter = new Segmenter(model);
  const superpointsOf = new Map<PointCloud, LabeledScene['superpoints']>(scenes.filter((scene) => scene.superpoints).map((scene) => [scene.cloud, scene.superpoints]));
  let currentCloud: PointCloud | undefined;
  // Asynchronous read-back (segmentAsync): WebGPU in Node cannot read synchronously.
  const segment = async (cloud: PointCloud, clicks: ReadonlyArray<{ pointIndex: number; objectId: number; kind: 'object' | 'background' }>) => {
    if (cloud !== currentCloud) {
      segmenter.setScene(cloud, { superpoints: superpointsOf.get(cloud) });
      currentCloud = cloud;
    }
    const result = await segmenter.segmentAsync(clicks.map((click) => ({ pointIndex: click.pointIndex, objectId: click.objectId, kind: click.kind })));
    onResult?.(cloud, clicks.length, result);
    return result.instance;
  };
  return { segment, release: () => segmenter.clearScene() };
}

/** Converts datasets' labelled scenes into the evaluation runner's scene type. */
export function toEvaluationScenes(scenes: LabeledScene[]): EvaluationScene[] {
  return scenes.map((scene) => ({ name: scene.id, cloud: scene.cloud }));
}

/** IoU@1/3/5 and NoC@85 of the model on a few scenes, with the model switched back to training afterwards. */
export async function validateModel(
  model: InteractiveSegmentationModel,
  scenes: LabeledScene[],
  options: { targetObjects: number; clickBudget: number; seed: number },
): Promise<InteractiveSummary> {
  const { segment, release } = createModelSegmentFunction(model, scenes);
  try {
    const result = await evaluateInteractive(toEvaluationScenes(scenes), segment, {
      seed: options.seed,
      targetCount: options.targetObjects,
      maxClicksPerObject: options.clickBudget,
    });
    return result.summary;
  } finally {
    release();
    model.setTraining(true);
  }
}
