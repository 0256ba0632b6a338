/**
 * Decoder-only latency on wasm for a fake backbone output of realistic size (finest 50k voxels;
 * levels 3k/6k/12k/25k/50k with PTv3's default channels 512/256/128/64/64), 1, 10 and 40 clicks,
 * lite (D = 128) and default (D = 256) widths. Reference: a 1024³ matMul timed in the same run; the
 * decoder's achieved GFLOP/s (from a count of its matrix products) is printed against it.
 * Run: pnpm --filter @pointclick/decoder bench
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@pointclick/tfjs-kernels/wasm';
import { createClickDecoder, LITE_DECODER_SIZES, type ClickDecoderConfig, type DecoderLevel, type ResolvedClickDecoderConfig } from '../src/index.js';

const VOXEL_COUNTS = [3_000, 6_000, 12_000, 25_000, 50_000];
const CHANNELS = [512, 256, 128, 64, 64];
const CLICK_COUNTS = [1, 10, 40];
const REPEATS = 10;

function randomValues(count: number, seed: number, low = -1, high = 1): Float32Array {
  let state = seed >>> 0 || 1;
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[index] = low + ((state >>> 0) / 4294967296) * (high - low);
  }
  return values;
}

function makeLevels(): DecoderLevel[] {
  const finestCount = VOXEL_COUNTS[VOXEL_COUNTS.length - 1];
  return VOXEL_COUNTS.map((voxelCount, level) => {
    const coordinates = randomValues(voxelCount * 3, 100 + level, 0, 8);
    const finestToLevel = new Int32Array(finestCount);
    for (let voxel = 0; voxel < finestCount; voxel++) finestToLevel[voxel] = Math.floor((voxel * voxelCount) / finestCount);
    return { features: tf.tensor2d(randomValues(voxelCount * CHANNELS[level], level + 1), [voxelCount, CHANNELS[level]]), coordinates, finestToLevel };
  });
}

/** Multiply-adds ×2 of the decoder's matrix products (the dominant cost). */
function countFlops(config: ResolvedClickDecoderConfig, clickCount: number): number {
  const { width, feedForwardChannels, fourierFeatureCount, prototypeChannels, prototypeCount, maxAttentionKeys, stageLevels, levelChannels } = config;
  const finestCount = VOXEL_COUNTS[VOXEL_COUNTS.length - 1];
  const finestChannels = levelChannels[levelChannels.length - 1];
  const encoding = (rows: number) => 2 * rows * (3 * (fourierFeatureCount / 2) + fourierFeatureCount * width + width * width);
  let flops = encoding(clickCount) + 2 * clickCount * finestChannels * width;
  stageLevels.forEach((level) => {
    const keys = Math.min(VOXEL_COUNTS[level], maxAttentionKeys);
    flops += 2 * keys * levelChannels[level] * width + encoding(keys);
    flops += 2 * (2 * clickCount * width * width + 2 * keys * width * width) + 4 * clickCount * keys * width; // C2S
    flops += 8 * clickCount * width * width + 4 * clickCount * clickCount * width; // C2C
    flops += 4 * clickCount * width * feedForwardChannels; // FFN
    flops += 2 * finestCount * finestChannels * clickCount; // Eq. 5 (folded)
    flops += 2 * VOXEL_COUNTS[level] * levelChannels[level] * clickCount + finestCount * clickCount; // E_p pooling
    flops += 2 * clickCount * prototypeCount * prototypeChannels * 2; // Eq. 6 and E_s
  });
  return flops;
}

/** The click-independent share of {@link countFlops} (what prepareScene does). */
function countSceneFlops(config: ResolvedClickDecoderConfig): number {
  const { width, fourierFeatureCount, maxAttentionKeys, stageLevels, levelChannels } = config;
  let flops = 0;
  for (const level of stageLevels) {
    const keys = Math.min(VOXEL_COUNTS[level], maxAttentionKeys);
    flops += 2 * keys * levelChannels[level] * width + 2 * keys * (3 * (fourierFeatureCount / 2) + fourierFeatureCount * width + width * width);
    flops += 4 * keys * width * width;
  }
  return flops;
}

/** Median wall time of `apply` (until its last mask is read back), after 2 warm-up runs. */
async function timeApply(apply: () => { stages: Array<{ maskLogits: tf.Tensor; classLogits: tf.Tensor }> }): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < REPEATS + 2; run++) {
    const start = performance.now();
    const { stages } = apply();
    await stages[stages.length - 1].maskLogits.data();
    if (run >= 2) times.push(performance.now() - start);
    tf.dispose(stages.flatMap((stage) => [stage.maskLogits, stage.classLogits]));
  }
  return median(times);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measureMatMulRate(): Promise<number> {
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
  return (2 * size ** 3) / (median(times.slice(1)) / 1000) / 1e9;
}

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  await tf.setBackend('wasm');
  const matMulRate = await measureMatMulRate();
  console.log(`backend wasm (single thread); reference 1024³ matMul: ${matMulRate.toFixed(1)} GFLOP/s`);
  const levels = makeLevels();
  const presets: Array<[string, ClickDecoderConfig]> = [
    ['lite (D=128)', { levelChannels: CHANNELS, ...LITE_DECODER_SIZES }],
    ['default (D=256)', { levelChannels: CHANNELS }],
  ];
  for (const [label, config] of presets) {
    const decoder = createClickDecoder(config);
    console.log(`\n${label}: ${(decoder.countParams() / 1e6).toFixed(2)} M parameters, maxAttentionKeys ${decoder.config.maxAttentionKeys}`);
    for (const clickCount of CLICK_COUNTS) {
      const clickVoxelIndices = Int32Array.from({ length: clickCount }, (_, click) => Math.floor(((click + 0.5) * 50_000) / clickCount));
      const finest = levels[levels.length - 1];
      const clickPositions = new Float32Array(clickCount * 3);
      clickVoxelIndices.forEach((voxel, click) => clickPositions.set(finest.coordinates.subarray(voxel * 3, voxel * 3 + 3), click * 3));
      // The geodesic prior's distances come from the caller (a graph search on the CPU, timed in the segmenter
      // bench); any values of the right size cost the decoder the same.
      const clickGeodesicDistances = decoder.config.geodesicPriorLimit > 0 ? new Float32Array(50_000 * clickCount).fill(1) : undefined;
      const gflops = countFlops(decoder.config, clickCount) / 1e9;
      const full = await timeApply(() => decoder.apply({ levels, clickVoxelIndices, clickPositions, clickGeodesicDistances }));
      console.log(
        `  ${String(clickCount).padStart(2)} clicks, full pass:       ${full.toFixed(1).padStart(6)} ms` +
          ` | ${gflops.toFixed(3)} GFLOP → ${(gflops / (full / 1000)).toFixed(1)} GFLOP/s = ${(gflops / (full / 1000) / matMulRate).toFixed(2)}× the matMul rate`,
      );
      const scene = decoder.prepareScene(levels);
      const sceneGflops = countSceneFlops(decoder.config) / 1e9;
      const clickGflops = gflops - sceneGflops;
      const perClick = await timeApply(() => decoder.apply({ levels, clickVoxelIndices, clickPositions, clickGeodesicDistances, scene }));
      console.log(
        `  ${String(clickCount).padStart(2)} clicks, prepared scene: ${perClick.toFixed(1).padStart(6)} ms` +
          ` | ${clickGflops.toFixed(3)} GFLOP → ${(clickGflops / (perClick / 1000)).toFixed(1)} GFLOP/s = ${(clickGflops / (perClick / 1000) / matMulRate).toFixed(2)}× the matMul rate`,
      );
      scene.dispose();
    }
    const prepareTimes: number[] = [];
    for (let run = 0; run < 5; run++) {
      const start = performance.now();
      const scene = decoder.prepareScene(levels);
      await scene.stageScenes[scene.stageScenes.length - 1].values.data();
      prepareTimes.push(performance.now() - start);
      scene.dispose();
    }
    const sceneGflops = countSceneFlops(decoder.config) / 1e9;
    const prepare = median(prepareTimes.slice(1));
    console.log(
      `  prepareScene (once per scene): ${prepare.toFixed(1)} ms | ${sceneGflops.toFixed(3)} GFLOP → ${(sceneGflops / (prepare / 1000) / matMulRate).toFixed(2)}× the matMul rate`,
    );
    decoder.dispose();
  }
  tf.dispose(levels.map((level) => level.features));
}

await main();
