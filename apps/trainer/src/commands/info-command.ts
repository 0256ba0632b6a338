import { InteractiveSegmentationModel } from '@pointclick/segmenter';
import { createSegmenterConfig, type ModelPreset } from '../config/model-presets.js';
import { ConfigError } from '../config/training-config.js';

/** Size of a model preset, as `pointclick-train info` prints it. */
export interface PresetInfo {
  preset: ModelPreset;
  /** Trainable and non-trainable parameters of the whole model. */
  parameters: number;
  backboneParameters: number;
  decoderParameters: number;
  /** Bytes of a float32 checkpoint (running statistics included). */
  sizeBytes: number;
  classCount: number;
  /** Voxel edge length in metres. */
  gridSize: number;
}

const PRESETS: readonly ModelPreset[] = ['lite', 'base', 'tiny'];

/** Builds the preset's model on the current backend, measures it and frees it. */
export function describePreset(preset: string): PresetInfo {
  if (!PRESETS.includes(preset as ModelPreset)) throw new ConfigError(`--preset: expected lite, base or tiny, got '${preset}'`);
  const config = createSegmenterConfig(preset as ModelPreset, 0);
  const model = new InteractiveSegmentationModel(config);
  try {
    let stored = 0;
    for (const variable of model.namedVariables().values()) stored += variable.size;
    return {
      preset: preset as ModelPreset,
      parameters: model.countParams(),
      backboneParameters: model.backbone.countParams(),
      decoderParameters: model.decoder.countParams(),
      sizeBytes: stored * 4,
      classCount: config.classNames.length,
      gridSize: config.backbone.gridSize,
    };
  } finally {
    model.dispose();
  }
}

/** The two human-readable lines of `info`. */
export function formatPresetInfo(info: PresetInfo): string[] {
  return [
    `preset ${info.preset}: ${info.parameters.toLocaleString('en-US')} parameters (backbone ${info.backboneParameters.toLocaleString('en-US')}, decoder ${info.decoderParameters.toLocaleString('en-US')})`,
    `checkpoint size ${(info.sizeBytes / 1e6).toFixed(2)} MB (float32, running statistics included)`,
  ];
}
