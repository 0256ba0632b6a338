import * as tf from '@tensorflow/tfjs-core';
import { LITE_CONFIG, type PointTransformerV3Config } from '@pointclick/ptv3';
import { LITE_DECODER_SIZES } from '@pointclick/decoder';
import type { Click, SegmenterConfig } from '../src/index.js';

/** The middle value of a sample (the upper middle for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median time in milliseconds of a 1024³ float32 matMul on the current backend, read back: the benches' reference. */
export async function timeMatMul(): Promise<number> {
  const size = 1024;
  const a = tf.randomUniform([size, size]);
  const b = tf.randomUniform([size, size]);
  const times: number[] = [];
  for (let run = 0; run < 6; run++) {
    const start = performance.now();
    const product = tf.matMul(a, b);
    await product.data();
    times.push(performance.now() - start);
    product.dispose();
  }
  tf.dispose([a, b]);
  return median(times.slice(1));
}

/** The benches' lite preset: backbone `LITE_CONFIG` (4 cm) and decoder `LITE_DECODER_SIZES`, random weights (fixed seeds). */
export function createLiteConfig(classNames: string[]): SegmenterConfig {
  const backbone: PointTransformerV3Config = { ...LITE_CONFIG, orders: [...LITE_CONFIG.orders], seed: 1 };
  // Output levels, coarsest first: the encoder bottleneck, then the decoder stages coarse to fine.
  const levelChannels = [backbone.encoderChannels[backbone.encoderChannels.length - 1], ...[...backbone.decoderChannels].reverse()];
  return {
    backbone,
    decoder: { ...LITE_DECODER_SIZES, levelChannels, prototypeCount: classNames.length, seed: 2 },
    classNames,
    maxClicks: 100,
  };
}

/**
 * `count` clicks on distinct object points of a labelled scene (objects 1…12, every ninth a background click),
 * spread over its objects; each `shift` moves every click 97 object points on (the benches' "moved clicks").
 */
export function makeBenchClicks(instance: Int32Array, count: number, shift: number): Click[] {
  const objectPoints: number[] = [];
  for (let point = 0; point < instance.length; point++) if (instance[point] !== 0) objectPoints.push(point);
  return Array.from({ length: count }, (_, click) => {
    const point = objectPoints[(Math.floor(((click + 0.5) * objectPoints.length) / count) + shift * 97) % objectPoints.length];
    return { pointIndex: point, objectId: 1 + (click % 12), kind: click % 9 === 8 ? 'background' : 'object' };
  });
}
