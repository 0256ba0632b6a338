export { Segmenter } from './segmenter.js';
export { InteractiveSegmentationModel } from './interactive-segmentation-model.js';
export { loadSegmenter, serializeCheckpoint, parseCheckpointDocument, createModelFromCheckpoint, crc32 } from './checkpoint.js';
export { CHECKPOINT_FORMAT_VERSION } from './segmenter-config.js';
export { SegmenterInputError, CheckpointError } from './segmenter-errors.js';
export type { Click, ClickLocation } from './click.js';
export type { SegmentationResult, SegmentedObject } from './segmenter.js';
export type { SegmenterConfig, BackboneConfig, DecoderConfig } from './segmenter-config.js';
export type { CheckpointDocument, CheckpointSource } from './checkpoint.js';
