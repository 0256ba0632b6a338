import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InteractiveSegmentationModel } from '@pointclick/segmenter';
import { saveCheckpoint } from '@pointclick/segmenter/node';
import { createSegmenterConfig } from '../src/config/model-presets.js';
import { validateTrainingConfig, type TrainingConfig } from '../src/config/training-config.js';

/** `../shared/data` beside the repository, or `POINTCLICK_SHARED_DATA`. */
export const SHARED_DATA_DIRECTORY = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));

/** A tiny run under `scratch/name`: one synthetic room cropped to 3,000 points, the tiny preset, no validation. */
export function tinyTrainingConfig(scratch: string, name: string, steps: number): TrainingConfig {
  return validateTrainingConfig({
    preset: 'tiny',
    outputDirectory: join(scratch, name),
    seed: 3,
    data: {
      sources: [{ kind: 'synthetic-indoor', sceneCount: 1, seed: 11 }],
      pointBudget: 3000,
      minClicks: 6,
      maxClicks: 8,
      backgroundClickShare: 0.3,
      // Half the steps add error-driven clicks, so the loss, leak and resume checks cover those passes too.
      correctionStepShare: 0.5,
      correctionRounds: 2,
      cacheDirectory: join(scratch, 'cache'),
    },
    // Clicks grouped with locality in the correction passes and the object-mask term, so those are covered too.
    localityGain: 8,
    loss: { objectMask: 0.5 },
    optimizer: { learningRate: 0.01, gradientClipNorm: 5 },
    schedule: { steps, warmupSteps: 1 },
    validation: { everySteps: 0 },
    checkpoint: { everySteps: 100, keep: 2 },
  });
}

/** An untrained tiny checkpoint with the NYU40 class names and no provenance, written to `scratch/name`. */
export async function writeTinyCheckpoint(scratch: string, name: string): Promise<string> {
  const model = new InteractiveSegmentationModel(createSegmenterConfig('tiny', 5));
  const directory = join(scratch, name);
  await saveCheckpoint(model, directory);
  model.dispose();
  return directory;
}
