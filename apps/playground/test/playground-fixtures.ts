import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { LITE_CONFIG, type PointTransformerV3Config } from '@pointclick/ptv3';
import { InteractiveSegmentationModel, serializeCheckpoint, type SegmenterConfig } from '@pointclick/segmenter';

/** Class names of the test checkpoint. */
export const TEST_CLASS_NAMES = ['wall', 'floor', 'chair', 'table', 'sofa', 'bed'];

/**
 * Writes an untrained checkpoint of the trainer's 'tiny' size to `directory` (model.json + weights.bin), for
 * running the page before `models/default` exists. Its object threshold is 0, so every point goes to the
 * likeliest click group and both clicked objects get a non-empty mask whatever the random weights say:
 * the test checks the page's plumbing (worker, masks, export), not the model's accuracy.
 */
export async function writeTinyCheckpoint(directory: string): Promise<void> {
  await initializeBackend({ preferred: 'cpu', strict: true });
  const backbone: PointTransformerV3Config = {
    ...LITE_CONFIG,
    orders: [...LITE_CONFIG.orders],
    gridSize: 0.05,
    stemKernelSize: 3,
    encoderDepths: [1, 1, 1],
    encoderChannels: [8, 16, 16],
    encoderHeads: [1, 2, 2],
    encoderPatchSizes: [16, 16, 16],
    decoderDepths: [1, 1],
    decoderChannels: [8, 16],
    decoderHeads: [1, 2],
    decoderPatchSizes: [16, 16],
    dropPathRate: 0,
    shuffleOrders: false,
    seed: 3,
  };
  const config: SegmenterConfig = {
    backbone,
    decoder: {
      levelChannels: [16, 16, 8],
      width: 16,
      headCount: 2,
      feedForwardChannels: 32,
      prototypeChannels: 16,
      fourierFeatureCount: 8,
      maxAttentionKeys: 256,
      prototypeCount: TEST_CLASS_NAMES.length,
      seed: 4,
    },
    classNames: [...TEST_CLASS_NAMES],
    gridSize: backbone.gridSize,
    maxClicks: 20,
    clickTolerance: 0.1,
    objectThreshold: 0,
  };
  const model = new InteractiveSegmentationModel(config);
  try {
    const { document, weights } = serializeCheckpoint(model, { metadata: { purpose: 'playground end-to-end test (untrained)' } });
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'model.json'), JSON.stringify(document));
    writeFileSync(join(directory, 'weights.bin'), weights);
  } finally {
    model.dispose();
  }
  if (tf.memory().numTensors !== 0) throw new Error(`writeTinyCheckpoint leaked ${tf.memory().numTensors} tensors`);
}
