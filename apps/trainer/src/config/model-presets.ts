import { BASE_CONFIG, LITE_CONFIG, TINY_CONFIG, type PointTransformerV3Config } from '@pointclick/ptv3';
import { LITE_DECODER_SIZES } from '@pointclick/decoder';
import { NYU40_CLASS_MAP } from '@pointclick/datasets';
import type { SegmenterConfig } from '@pointclick/segmenter';

/** Model presets the trainer builds: `base` (Pointcept PTv3 + paper decoder), `lite` (CPU-interactive), `tiny` (tests). */
export type ModelPreset = 'base' | 'lite' | 'tiny';

/**
 * Channels of each backbone output level, coarsest first: the encoder bottleneck, then the decoder stages
 * from coarse to fine (the order of `BackboneOutput.levels`).
 */
export function backboneLevelChannels(backbone: PointTransformerV3Config): number[] {
  return [backbone.encoderChannels[backbone.encoderChannels.length - 1], ...[...backbone.decoderChannels].reverse()];
}

/** Builds the full segmenter configuration of a preset, with NYU40 classes (ScanNet40 as in the paper). */
export function createSegmenterConfig(
  preset: ModelPreset,
  seed: number,
  gridSize?: number,
  localityGain = 0,
): SegmenterConfig & { backbone: PointTransformerV3Config } {
  const classNames = [...NYU40_CLASS_MAP.classNames];
  const backboneBase = preset === 'base' ? BASE_CONFIG : preset === 'lite' ? LITE_CONFIG : TINY_CONFIG;
  const backbone: PointTransformerV3Config = { ...backboneBase, seed, gridSize: gridSize ?? backboneBase.gridSize };
  const levelChannels = backboneLevelChannels(backbone);
  const decoderSizes =
    preset === 'base'
      ? {}
      : preset === 'lite'
        ? LITE_DECODER_SIZES
        : { width: 16, headCount: 2, feedForwardChannels: 32, prototypeChannels: 16, fourierFeatureCount: 8, maxAttentionKeys: 256, geodesicPriorLimit: 4 };
  return {
    backbone,
    decoder: { ...decoderSizes, levelChannels, prototypeCount: classNames.length, seed: seed + 1 },
    classNames,
    maxClicks: 200,
    clickTolerance: 0.25,
    objectThreshold: 0.5,
    ...(localityGain > 0 ? { localityGain } : {}),
  };
}
