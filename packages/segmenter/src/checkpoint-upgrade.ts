import { resolveDecoderConfig } from '@pointclick/decoder';
import type { BackboneConfig, DecoderConfig, SegmenterConfig } from './segmenter-config.js';

// Version-1 checkpoints stored the configurations as given, and the code filled the rest from its defaults at
// load time, so changing a default silently changed a shipped model. Version 2 stores both configurations whole.
// These are the defaults version-1 files were written against (ptv3's BASE_CONFIG and the decoder's defaults at
// the time), frozen here so that a version-1 file keeps meaning what it meant whatever the defaults become.

/** ptv3's BASE_CONFIG as of format version 1. */
const VERSION_1_BACKBONE_DEFAULTS: Required<BackboneConfig> = {
  inputLayout: 'xyzrgb', gridSize: 0.02, orders: ['z', 'z-trans', 'hilbert', 'hilbert-trans'], shuffleOrders: true,
  stemKernelSize: 5, mlpRatio: 4, dropPathRate: 0.3, seed: 0,
  encoderDepths: [2, 2, 2, 6, 2], encoderChannels: [32, 64, 128, 256, 512], encoderHeads: [2, 4, 8, 16, 32],
  encoderPatchSizes: [1024, 1024, 1024, 1024, 1024], decoderDepths: [2, 2, 2, 2], decoderChannels: [64, 64, 128, 256],
  decoderHeads: [4, 4, 8, 16], decoderPatchSizes: [1024, 1024, 1024, 1024],
};

/** The click decoder's defaults as of format version 1 (feedForwardChannels and stageLevels follow from these). */
const VERSION_1_DECODER_DEFAULTS: Omit<DecoderConfig, 'levelChannels'> = {
  width: 256, headCount: 8, stageCount: 4, prototypeCount: 35, prototypeChannels: 256, fourierFeatureCount: 64,
  fourierScale: 10, maxAttentionKeys: 4096, distancePriorFrequencyCount: 0, distancePriorScale: 3,
  geodesicPriorLimit: 0, geodesicPriorNeighborCount: 12, geodesicPriorColorWeight: 4, seed: 0,
};

/**
 * A version-1 configuration with every backbone and decoder field filled from the version-1 defaults: what the
 * file meant when it was written. Throws the decoder's input error on an invalid decoder configuration.
 */
export function upgradeVersion1Config(config: SegmenterConfig): SegmenterConfig {
  return {
    ...config,
    backbone: { ...VERSION_1_BACKBONE_DEFAULTS, ...config.backbone },
    decoder: resolveDecoderConfig({ ...VERSION_1_DECODER_DEFAULTS, ...config.decoder }),
  };
}
