import { PointTransformerInputError } from '../errors/point-transformer-error.js';
import { SERIALIZATION_ORDERS, type SerializationOrder } from '../serialization/serialization-codes.js';

/** Which per-voxel input features the stem receives. */
export type InputLayout = 'xyzrgb' | 'xyz';

/** Full configuration of {@link PointTransformerV3}; every stage list has one entry per stage. */
export interface PointTransformerV3Config {
  /** Input features: 'xyzrgb' (6 channels: normalised position, colour in [-1, 1]) or 'xyz' (3). */
  inputLayout: InputLayout;
  /** Grid-sampling voxel edge length of the finest level, in metres (Pointcept ScanNet: 0.02). */
  gridSize: number;
  /** Serialization orders; block i of a stage uses order i mod orders.length. */
  orders: SerializationOrder[];
  /** Shuffle the order list at serialization and at every pooling while training (Pointcept `shuffle_orders`). */
  shuffleOrders: boolean;
  /** Edge length in voxels of the stem's submanifold convolution (Pointcept: 5). */
  stemKernelSize: number;
  /** Blocks per encoder stage. */
  encoderDepths: number[];
  /** Channels per encoder stage. */
  encoderChannels: number[];
  /** Attention heads per encoder stage. */
  encoderHeads: number[];
  /** Patch size K per encoder stage. */
  encoderPatchSizes: number[];
  /** Blocks per decoder stage (stage 0 = finest); one fewer stage than the encoder. */
  decoderDepths: number[];
  /** Channels per decoder stage (stage 0 = finest). */
  decoderChannels: number[];
  /** Attention heads per decoder stage. */
  decoderHeads: number[];
  /** Patch size K per decoder stage. */
  decoderPatchSizes: number[];
  /** MLP hidden width relative to the block width. */
  mlpRatio: number;
  /** Largest drop-path rate (linearly increasing over blocks, as in Pointcept). */
  dropPathRate: number;
  /** Seed of weight initialisation, drop path and order shuffling. */
  seed: number;
}

/** Named presets of {@link createPointTransformerV3}. */
export type PointTransformerV3Preset = 'base' | 'lite';

/** Pointcept PT-v3m1 as configured for ScanNet semantic segmentation (46.17 M parameters with 6 input channels). */
export const BASE_CONFIG: PointTransformerV3Config = {
  inputLayout: 'xyzrgb',
  gridSize: 0.02,
  orders: [...SERIALIZATION_ORDERS],
  shuffleOrders: true,
  stemKernelSize: 5,
  encoderDepths: [2, 2, 2, 6, 2],
  encoderChannels: [32, 64, 128, 256, 512],
  encoderHeads: [2, 4, 8, 16, 32],
  encoderPatchSizes: [1024, 1024, 1024, 1024, 1024],
  decoderDepths: [2, 2, 2, 2],
  decoderChannels: [64, 64, 128, 256],
  decoderHeads: [4, 4, 8, 16],
  decoderPatchSizes: [1024, 1024, 1024, 1024],
  mlpRatio: 4,
  dropPathRate: 0.3,
  seed: 0,
};

/**
 * Interactive-use preset for a laptop CPU: 4 cm finest voxels, one block per stage, narrow stages
 * (16 … 128 channels, 16-wide heads), patches of 64 and a 3³ stem (1.93 M parameters). See the README
 * for timings and why the 2 cm / 32-channel variant is too slow on single-threaded wasm.
 */
export const LITE_CONFIG: PointTransformerV3Config = {
  ...BASE_CONFIG,
  gridSize: 0.04,
  stemKernelSize: 3,
  encoderDepths: [1, 1, 1, 1, 1],
  encoderChannels: [16, 32, 64, 96, 128],
  encoderHeads: [1, 2, 4, 6, 8],
  encoderPatchSizes: [64, 64, 64, 64, 64],
  decoderDepths: [1, 1, 1, 1],
  decoderChannels: [32, 32, 64, 96],
  decoderHeads: [2, 2, 4, 6],
  decoderPatchSizes: [64, 64, 64, 64],
  dropPathRate: 0.1,
};

/**
 * Test-size preset: three narrow stages (8 … 16 channels), patches of 16, no drop path and no order
 * shuffling, so a forward and backward pass takes seconds on the pure-JS backend (tests and smoke runs; the
 * trainer's `tiny` preset).
 */
export const TINY_CONFIG: PointTransformerV3Config = {
  ...LITE_CONFIG,
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
};

/** Channels of the stem input for a layout. */
export function inputChannelsOf(layout: InputLayout): number {
  return layout === 'xyzrgb' ? 6 : 3;
}

/** Checks a configuration; throws a {@link PointTransformerInputError} naming the bad field. */
export function validateConfig(config: PointTransformerV3Config): void {
  const stages = config.encoderDepths.length;
  const positiveIntegers = (field: keyof PointTransformerV3Config, values: number[], length: number, allowZero = false) => {
    if (values.length !== length) throw new PointTransformerInputError(`config.${field}`, -1, `${length} entries (got ${values.length})`);
    values.forEach((value, index) => {
      if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
        throw new PointTransformerInputError(`config.${field}`, index, allowZero ? 'a non-negative integer' : 'a positive integer');
      }
    });
  };
  if (stages < 1) throw new PointTransformerInputError('config.encoderDepths', -1, 'at least one stage');
  positiveIntegers('encoderDepths', config.encoderDepths, stages, true);
  positiveIntegers('encoderChannels', config.encoderChannels, stages);
  positiveIntegers('encoderHeads', config.encoderHeads, stages);
  positiveIntegers('encoderPatchSizes', config.encoderPatchSizes, stages);
  positiveIntegers('decoderDepths', config.decoderDepths, stages - 1, true);
  positiveIntegers('decoderChannels', config.decoderChannels, stages - 1);
  positiveIntegers('decoderHeads', config.decoderHeads, stages - 1);
  positiveIntegers('decoderPatchSizes', config.decoderPatchSizes, stages - 1);
  config.encoderChannels.forEach((channels, index) => {
    if (channels % config.encoderHeads[index] !== 0) {
      throw new PointTransformerInputError('config.encoderHeads', index, `a divisor of ${channels} channels`);
    }
  });
  config.decoderChannels.forEach((channels, index) => {
    if (channels % config.decoderHeads[index] !== 0) {
      throw new PointTransformerInputError('config.decoderHeads', index, `a divisor of ${channels} channels`);
    }
  });
  if (!(config.gridSize > 0)) throw new PointTransformerInputError('config.gridSize', -1, 'a positive size in metres');
  if (config.orders.length < 1) throw new PointTransformerInputError('config.orders', -1, 'at least one order');
  config.orders.forEach((order, index) => {
    if (!SERIALIZATION_ORDERS.includes(order)) {
      throw new PointTransformerInputError('config.orders', index, `one of ${SERIALIZATION_ORDERS.join(', ')}`);
    }
  });
  if (!Number.isInteger(config.stemKernelSize) || config.stemKernelSize % 2 !== 1) {
    throw new PointTransformerInputError('config.stemKernelSize', -1, 'an odd positive integer');
  }
  if (config.inputLayout !== 'xyzrgb' && config.inputLayout !== 'xyz') {
    throw new PointTransformerInputError('config.inputLayout', -1, "'xyzrgb' or 'xyz'");
  }
}
