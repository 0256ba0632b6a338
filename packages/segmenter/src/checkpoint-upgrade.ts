import { resolveDecoderConfig } from '@pointclick/decoder';
import type { BackboneConfig, DecoderConfig, GeodesicGraphSettings, SegmenterConfig } from './segmenter-config.js';
import { CheckpointError } from './segmenter-errors.js';

// Version 1 stored the configurations as given, and the code filled the rest from its defaults at load time, so
// changing a default silently changed a shipped model. Version 2 stores both configurations whole. Version 3
// stores the grid size once (the backbone's) and moves the geodesic graph's settings, which only the segmenter
// uses, from the decoder's configuration to the segmenter's `geodesicGraph`. An older file is upgraded step by
// step, so it keeps meaning what it meant when it was written, whatever the defaults become.

/** The configuration as format version 2 stored it. */
interface Version2Config extends Omit<SegmenterConfig, 'geodesicGraph'> {
  /** The backbone's grid size again, in metres. */
  gridSize?: unknown;
  decoder: DecoderConfig & { geodesicPriorNeighborCount?: number; geodesicPriorColorWeight?: number };
}

/** ptv3's BASE_CONFIG as of format version 1. */
const VERSION_1_BACKBONE_DEFAULTS: Required<BackboneConfig> = {
  inputLayout: 'xyzrgb', gridSize: 0.02, orders: ['z', 'z-trans', 'hilbert', 'hilbert-trans'], shuffleOrders: true,
  stemKernelSize: 5, mlpRatio: 4, dropPathRate: 0.3, seed: 0,
  encoderDepths: [2, 2, 2, 6, 2], encoderChannels: [32, 64, 128, 256, 512], encoderHeads: [2, 4, 8, 16, 32],
  encoderPatchSizes: [1024, 1024, 1024, 1024, 1024], decoderDepths: [2, 2, 2, 2], decoderChannels: [64, 64, 128, 256],
  decoderHeads: [4, 4, 8, 16], decoderPatchSizes: [1024, 1024, 1024, 1024],
};

/** The click decoder's defaults as of format version 1 (feedForwardChannels and stageLevels follow from these). */
const VERSION_1_DECODER_DEFAULTS: Omit<Version2Config['decoder'], 'levelChannels'> = {
  width: 256, headCount: 8, stageCount: 4, prototypeCount: 35, prototypeChannels: 256, fourierFeatureCount: 64,
  fourierScale: 10, maxAttentionKeys: 4096, distancePriorFrequencyCount: 0, distancePriorScale: 3,
  geodesicPriorLimit: 0, geodesicPriorNeighborCount: 12, geodesicPriorColorWeight: 4, seed: 0,
};

/** Version 1 → 2: every backbone and decoder field filled from the version-1 defaults. */
function upgradeVersion1(config: Version2Config, source: string): Version2Config {
  const { geodesicPriorNeighborCount, geodesicPriorColorWeight, ...decoder } = { ...VERSION_1_DECODER_DEFAULTS, ...config.decoder };
  let resolved: DecoderConfig;
  try {
    resolved = resolveDecoderConfig(decoder);
  } catch (error) {
    throw new CheckpointError(source, `field 'config.decoder': ${(error as Error).message}`, { cause: error });
  }
  return {
    ...config,
    backbone: { ...VERSION_1_BACKBONE_DEFAULTS, ...config.backbone },
    decoder: { ...resolved, geodesicPriorNeighborCount, geodesicPriorColorWeight },
  };
}

/** Version 2 → 3: the top-level `gridSize` (checked against the backbone's) goes, the graph settings move. */
function upgradeVersion2(config: Version2Config, source: string): SegmenterConfig {
  const { gridSize, ...rest } = config;
  if (typeof gridSize !== 'number' || !(gridSize > 0)) {
    throw new CheckpointError(source, "field 'config.gridSize': expected a positive number of metres");
  }
  const backboneGridSize = config.backbone.gridSize;
  if (backboneGridSize !== gridSize) {
    throw new CheckpointError(
      source,
      `field 'config.gridSize': ${gridSize} m differs from 'config.backbone.gridSize' ${backboneGridSize ?? 'absent'} m; the backbone voxelises at the latter`,
    );
  }
  const { geodesicPriorNeighborCount: neighborCount, geodesicPriorColorWeight: colorWeight, ...decoder } = config.decoder;
  const geodesicGraph: GeodesicGraphSettings = {
    ...(neighborCount !== undefined ? { neighborCount } : {}),
    ...(colorWeight !== undefined ? { colorWeight } : {}),
  };
  return { ...rest, decoder, geodesicGraph };
}

/**
 * An older file's configuration in the current format (`formatVersion` below `CHECKPOINT_FORMAT_VERSION`),
 * meaning what it meant when it was written.
 * @throws CheckpointError naming the field of `source` that cannot be upgraded.
 */
export function upgradeCheckpointConfig(config: SegmenterConfig, formatVersion: 1 | 2, source: string): SegmenterConfig {
  let version2 = config as Version2Config;
  if (formatVersion === 1) version2 = upgradeVersion1(version2, source);
  return upgradeVersion2(version2, source);
}
