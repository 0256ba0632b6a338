import * as tf from '@tensorflow/tfjs-core';
import { gelu, LayerNorm, Linear, Module, ModuleGroup, type Initializer } from '@pointclick/nn';
import { SubmanifoldConvolution } from './submanifold-convolution.js';
import { SerializedAttention } from './serialized-attention.js';
import { dropPath } from './drop-path.js';
import type { PointLevel } from '../levels/point-level.js';

/** Options of {@link TransformerBlock}. */
export interface TransformerBlockOptions {
  /** Channels. */
  channels: number;
  /** Attention heads. */
  headCount: number;
  /** Patch size K. */
  patchSize: number;
  /** Serialization order index (block index within its stage). */
  orderIndex: number;
  /** Hidden width of the MLP relative to `channels`. */
  mlpRatio: number;
  /** Drop-path rate of the attention and MLP branches. */
  dropPathRate: number;
}

/**
 * One PTv3 block (pre-norm): x += xCPE(x) with xCPE = LayerNorm(Linear(SubMConv3d₃(x)));
 * x += DropPath(Attention(LayerNorm(x))); x += DropPath(MLP(LayerNorm(x))). Child names follow Pointcept
 * (`cpe.0`, `cpe.1`, `cpe.2`, `norm1`, `attn.qkv`, `attn.proj`, `norm2`, `mlp.fc1`, `mlp.fc2`).
 */
export class TransformerBlock extends Module {
  /** Options the block was built with. */
  readonly options: TransformerBlockOptions;
  private readonly cpeConvolution: SubmanifoldConvolution;
  private readonly cpeLinear: Linear;
  private readonly cpeNorm: LayerNorm;
  private readonly norm1: LayerNorm;
  private readonly attention: SerializedAttention;
  private readonly norm2: LayerNorm;
  private readonly mlpFirst: Linear;
  private readonly mlpSecond: Linear;
  private seedCounter: number;

  constructor(name: string, options: TransformerBlockOptions, initializer: Initializer, path: string) {
    super(name);
    this.options = options;
    const { channels } = options;
    const cpe = this.addChild(new ModuleGroup('cpe'));
    this.cpeConvolution = cpe.add(new SubmanifoldConvolution('0', channels, channels, 3, initializer, `${path}.cpe.0`));
    this.cpeLinear = cpe.add(new Linear('1', channels, channels, initializer, `${path}.cpe.1`));
    this.cpeNorm = cpe.add(new LayerNorm('2', channels));
    this.norm1 = this.addChild(new LayerNorm('norm1', channels));
    this.attention = this.addChild(
      new SerializedAttention('attn', channels, options.headCount, options.patchSize, options.orderIndex, initializer, `${path}.attn`),
    );
    this.norm2 = this.addChild(new LayerNorm('norm2', channels));
    const mlp = this.addChild(new ModuleGroup('mlp'));
    const hidden = Math.round(channels * options.mlpRatio);
    this.mlpFirst = mlp.add(new Linear('fc1', channels, hidden, initializer, `${path}.mlp.fc1`));
    this.mlpSecond = mlp.add(new Linear('fc2', hidden, channels, initializer, `${path}.mlp.fc2`));
    this.seedCounter = initializer.seedFor(`${path}.drop_path`);
  }

  /**
   * @param input `[level.voxelCount, channels]`
   * @returns `[level.voxelCount, channels]`
   */
  apply(input: tf.Tensor2D, level: PointLevel): tf.Tensor2D {
    return tf.tidy(() => {
      const rate = this.options.dropPathRate;
      const cpe = this.cpeNorm.apply(this.cpeLinear.apply(this.cpeConvolution.apply(input, level)));
      let features = tf.add(input, cpe) as tf.Tensor2D;
      const attended = this.attention.apply(this.norm1.apply(features) as tf.Tensor2D, level);
      features = tf.add(features, dropPath(attended, rate, this.training, this.nextSeed()));
      const transformed = this.mlpSecond.apply(gelu(this.mlpFirst.apply(this.norm2.apply(features)))) as tf.Tensor2D;
      return tf.add(features, dropPath(transformed, rate, this.training, this.nextSeed())) as tf.Tensor2D;
    });
  }

  private nextSeed(): number {
    this.seedCounter = (this.seedCounter + 1) % 2147483647;
    return this.seedCounter;
  }
}
