import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, gelu, Initializer, Module, ModuleGroup } from '@pointclick/nn';
import { createRandom, type SeededRandom } from '@pointclick/sampling';
import { PointTransformerInputError } from '../errors/point-transformer-error.js';
import { sampleGrid } from '../grid/grid-sampler.js';
import { SerializedPooling } from '../layers/serialized-pooling.js';
import { SerializedUnpooling } from '../layers/serialized-unpooling.js';
import { SubmanifoldConvolution } from '../layers/submanifold-convolution.js';
import { TransformerBlock } from '../layers/transformer-block.js';
import type { BackboneInput, BackboneLevel, BackboneOutput } from './backbone-output.js';
import { countForwardFlops, type FlopCount } from './flop-count.js';
import { PointLevel, poolLevel, shuffleLevelOrders, type PooledLevel } from '../levels/point-level.js';
import {
  BASE_CONFIG,
  LITE_CONFIG,
  inputChannelsOf,
  validateConfig,
  type PointTransformerV3Config,
  type PointTransformerV3Preset,
} from './point-transformer-config.js';

/** Geometry of every level of one forward pass, finest first. */
export interface PointHierarchy {
  /** Levels, finest (index 0) to coarsest. */
  levels: PointLevel[];
  /** `pooled[s]` maps level s to level s + 1. */
  pooled: PooledLevel[];
  /** For every input point, its voxel in level 0. */
  inputToFinest: Int32Array;
  /** `[levels[0].voxelCount, inputChannels]` stem input features, row-major. */
  inputFeatures: Float32Array;
}

/**
 * Point Transformer V3 (Wu et al., CVPR 2024; Pointcept PT-v3m1) as a U-Net backbone producing
 * multi-scale per-voxel features (paper Eq. 1: {F^0 … F^L} = ψ(S)). Grid sampling and serialization run
 * in JS; the network runs in TF.js on whatever backend is active.
 */
export class PointTransformerV3 extends Module {
  /** Resolved configuration. */
  readonly config: PointTransformerV3Config;
  private readonly stemConvolution: SubmanifoldConvolution;
  private readonly stemNorm: BatchNorm;
  private readonly downsampling: (SerializedPooling | undefined)[] = [];
  private readonly encoderBlocks: TransformerBlock[][] = [];
  private readonly upsampling: SerializedUnpooling[] = [];
  private readonly decoderBlocks: TransformerBlock[][] = [];
  /** Order shuffles in training (mulberry32 from @pointclick/sampling). */
  private readonly random: SeededRandom;

  constructor(config: PointTransformerV3Config) {
    super('ptv3');
    validateConfig(config);
    this.config = config;
    this.random = createRandom((config.seed ^ 0x9e3779b9) >>> 0);
    const initializer = new Initializer(config.seed);
    const stem = this.addChild(new ModuleGroup('embedding')).add(new ModuleGroup('stem'));
    this.stemConvolution = stem.add(
      new SubmanifoldConvolution(
        'conv',
        inputChannelsOf(config.inputLayout),
        config.encoderChannels[0],
        config.stemKernelSize,
        initializer,
        'embedding.stem.conv',
        { bias: false },
      ),
    );
    this.stemNorm = stem.add(new BatchNorm('norm', config.encoderChannels[0], 1e-3, 0.01));

    const encoderRates = linearSpace(config.dropPathRate, sum(config.encoderDepths));
    const encoder = this.addChild(new ModuleGroup('enc'));
    let blockOffset = 0;
    config.encoderDepths.forEach((depth, stage) => {
      const group = encoder.add(new ModuleGroup(`enc${stage}`));
      const path = `enc.enc${stage}`;
      this.downsampling.push(
        stage > 0
          ? group.add(
              new SerializedPooling('down', config.encoderChannels[stage - 1], config.encoderChannels[stage], initializer, `${path}.down`),
            )
          : undefined,
      );
      const blocks: TransformerBlock[] = [];
      for (let index = 0; index < depth; index++) {
        blocks.push(
          group.add(
            new TransformerBlock(
              `block${index}`,
              {
                channels: config.encoderChannels[stage],
                headCount: config.encoderHeads[stage],
                patchSize: config.encoderPatchSizes[stage],
                orderIndex: index,
                mlpRatio: config.mlpRatio,
                dropPathRate: encoderRates[blockOffset + index],
              },
              initializer,
              `${path}.block${index}`,
            ),
          ),
        );
      }
      blockOffset += depth;
      this.encoderBlocks.push(blocks);
    });

    const decoderRates = linearSpace(config.dropPathRate, sum(config.decoderDepths));
    const decoderChannels = [...config.decoderChannels, config.encoderChannels[config.encoderChannels.length - 1]];
    const decoder = this.addChild(new ModuleGroup('dec'));
    for (let stage = config.decoderDepths.length - 1; stage >= 0; stage--) {
      const group = decoder.add(new ModuleGroup(`dec${stage}`));
      const path = `dec.dec${stage}`;
      const start = sum(config.decoderDepths.slice(0, stage));
      const rates = decoderRates.slice(start, start + config.decoderDepths[stage]).reverse();
      this.upsampling[stage] = group.add(
        new SerializedUnpooling(
          'up',
          decoderChannels[stage + 1],
          config.encoderChannels[stage],
          decoderChannels[stage],
          initializer,
          `${path}.up`,
        ),
      );
      const blocks: TransformerBlock[] = [];
      for (let index = 0; index < config.decoderDepths[stage]; index++) {
        blocks.push(
          group.add(
            new TransformerBlock(
              `block${index}`,
              {
                channels: decoderChannels[stage],
                headCount: config.decoderHeads[stage],
                patchSize: config.decoderPatchSizes[stage],
                orderIndex: index,
                mlpRatio: config.mlpRatio,
                dropPathRate: rates[index],
              },
              initializer,
              `${path}.block${index}`,
            ),
          ),
        );
      }
      this.decoderBlocks[stage] = blocks;
    }
  }

  /**
   * Grid sampling, normalised input features, serialization and pooling hierarchy of a cloud (JS only).
   * @throws PointTransformerInputError for malformed input.
   */
  buildHierarchy(input: BackboneInput): PointHierarchy {
    const { config } = this;
    const sample = sampleGrid(input.positions, input.colors, config.gridSize);
    const shuffle = this.training && config.shuffleOrders;
    let finest = PointLevel.serialize(sample.gridCoordinates, sample.meanPositions, config.gridSize, config.orders);
    if (shuffle) finest = shuffleLevelOrders(finest, () => this.random.next());
    const levels = [finest];
    const pooled: PooledLevel[] = [];
    for (let stage = 1; stage < config.encoderDepths.length; stage++) {
      const next = poolLevel(levels[stage - 1]);
      if (shuffle) next.level = shuffleLevelOrders(next.level, () => this.random.next());
      pooled.push(next);
      levels.push(next.level);
    }
    return { levels, pooled, inputToFinest: sample.inputToVoxel, inputFeatures: this.buildInputFeatures(input, sample.meanPositions, sample.meanColors) };
  }

  /**
   * Runs the backbone on one cloud.
   * @returns multi-scale features, coarsest first; call `dispose()` on it when done.
   */
  apply(input: BackboneInput): BackboneOutput {
    return this.applyHierarchy(this.buildHierarchy(input));
  }

  /** Runs the network on a hierarchy from {@link buildHierarchy}. */
  applyHierarchy(hierarchy: PointHierarchy): BackboneOutput {
    const { levels, pooled } = hierarchy;
    const stageCount = levels.length;
    const featureTensors = tf.tidy(() => {
      const inputTensor = tf.tensor2d(hierarchy.inputFeatures, [levels[0].voxelCount, inputChannelsOf(this.config.inputLayout)]);
      let features = gelu(this.stemNorm.apply(this.stemConvolution.apply(inputTensor, levels[0]))) as tf.Tensor2D;
      const skips: tf.Tensor2D[] = [];
      for (let stage = 0; stage < stageCount; stage++) {
        const down = this.downsampling[stage];
        if (down) features = down.apply(features, pooled[stage - 1]);
        for (const block of this.encoderBlocks[stage]) features = block.apply(features, levels[stage]);
        skips.push(features);
      }
      const outputs: tf.Tensor2D[] = [features]; // F^0: encoder bottleneck
      for (let stage = stageCount - 2; stage >= 0; stage--) {
        features = this.upsampling[stage].apply(features, skips[stage], pooled[stage].parentOfFine);
        for (const block of this.decoderBlocks[stage]) features = block.apply(features, levels[stage]);
        outputs.push(features);
      }
      return outputs;
    });
    // finestToLevel[s]: compose the parent maps from the finest level up to level s.
    // Plain loops: `Int32Array.from` with a mapping function calls it per element, several times slower.
    const identity = new Int32Array(levels[0].voxelCount);
    for (let voxel = 0; voxel < identity.length; voxel++) identity[voxel] = voxel;
    const finestToLevel: Int32Array[] = [identity];
    for (let stage = 1; stage < stageCount; stage++) {
      const previous = finestToLevel[stage - 1];
      const parents = pooled[stage - 1].parentOfFine;
      const composed = new Int32Array(previous.length);
      for (let voxel = 0; voxel < previous.length; voxel++) composed[voxel] = parents[previous[voxel]];
      finestToLevel.push(composed);
    }
    const outputLevels: BackboneLevel[] = featureTensors.map((features, outputIndex) => {
      const stage = stageCount - 1 - outputIndex;
      const level = levels[stage];
      return {
        features,
        coordinates: level.coordinates,
        gridCoordinates: level.gridCoordinates,
        voxelSize: level.voxelSize,
        finestToLevel: finestToLevel[stage],
      };
    });
    return {
      levels: outputLevels,
      inputToFinest: hierarchy.inputToFinest,
      dispose: () => {
        for (const level of outputLevels) level.features.dispose();
      },
    };
  }

  /** Analytic FLOPs of a forward pass over a hierarchy with these voxel counts (finest first). */
  countFlops(voxelCounts: number[]): FlopCount {
    return countForwardFlops(this.config, voxelCounts);
  }

  private buildInputFeatures(input: BackboneInput, meanPositions: Float32Array, meanColors?: Float32Array): Float32Array {
    const voxelCount = meanPositions.length / 3;
    const channels = inputChannelsOf(this.config.inputLayout);
    // Pointcept CenterShift(apply_z=True): x, y centred on the bounding box, z from its minimum.
    const minimum = [Infinity, Infinity, Infinity];
    const maximum = [-Infinity, -Infinity, -Infinity];
    for (let index = 0; index < input.positions.length; index++) {
      const axis = index % 3;
      const value = input.positions[index];
      if (value < minimum[axis]) minimum[axis] = value;
      if (value > maximum[axis]) maximum[axis] = value;
    }
    const shift = [(minimum[0] + maximum[0]) / 2, (minimum[1] + maximum[1]) / 2, minimum[2]];
    const features = new Float32Array(voxelCount * channels);
    for (let voxel = 0; voxel < voxelCount; voxel++) {
      for (let axis = 0; axis < 3; axis++) {
        features[voxel * channels + axis] = meanPositions[3 * voxel + axis] - shift[axis];
        // Pointcept NormalizeColor: rgb / 127.5 - 1; absent colours stay 0 (mid-grey).
        if (channels === 6 && meanColors) features[voxel * channels + 3 + axis] = meanColors[3 * voxel + axis] / 127.5 - 1;
      }
    }
    return features;
  }
}

/**
 * Builds a PTv3 backbone from a preset name or a (partial) configuration merged over `base`.
 * @example const model = createPointTransformerV3('lite'); const output = model.apply({ positions, colors });
 */
export function createPointTransformerV3(
  config: PointTransformerV3Preset | Partial<PointTransformerV3Config> = 'base',
): PointTransformerV3 {
  if (config === 'base') return new PointTransformerV3({ ...BASE_CONFIG, orders: [...BASE_CONFIG.orders] });
  if (config === 'lite') return new PointTransformerV3({ ...LITE_CONFIG, orders: [...LITE_CONFIG.orders] });
  if (typeof config !== 'object' || config === null) {
    throw new PointTransformerInputError('config', -1, "'base', 'lite' or a configuration object");
  }
  return new PointTransformerV3({ ...BASE_CONFIG, ...config });
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** torch.linspace(0, end, count). */
function linearSpace(end: number, count: number): number[] {
  if (count <= 1) return Array.from({ length: count }, () => 0);
  return Array.from({ length: count }, (_, index) => (end * index) / (count - 1));
}
