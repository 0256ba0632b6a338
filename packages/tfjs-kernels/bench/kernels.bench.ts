/**
 * Kernel benchmarks on wasm (Node). Prints times, GFLOP/s and ratios against references measured in
 * the same run: tf.gather / tf.gatherND for gatherRows, a plain-JS loop for segmentMax, and a large
 * (2048×2048) matMul for patchAttention (fused wasm kernel, then the stock composition with the
 * fused kernels unregistered). Never fails on a time.
 * The tall, narrow matMuls of point networks run on the stock kernel and on this package's packed
 * SIMD kernel, against the same references. KERNELS_BENCH_MATMUL_ONLY=1 stops after them.
 * Run: pnpm --filter @pointclick/tfjs-kernels bench (uses the built dist/).
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherRows, PATCH_ATTENTION, PATCH_ATTENTION_GRAD, patchAttention, segmentMax } from '../dist/index.js';
import { initializeBackend } from '../dist/node.js';
import { setWasmMatMulKernel } from '../dist/wasm.js';

/** Median wall time in ms of `run` (each result awaited, then disposed). */
async function time(run: () => tf.Tensor | tf.Tensor[], repeats: number): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < repeats + 1; index++) {
    const start = performance.now();
    const result = run();
    const outputs = Array.isArray(result) ? result : [result];
    await Promise.all(outputs.map((tensor) => tensor.data()));
    const elapsed = performance.now() - start;
    tf.dispose(outputs);
    if (index > 0) samples.push(elapsed); // the first run warms up
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/**
 * Median wall time in ms of `run` without reading the result back: wasm kernels run synchronously, and
 * copying a [45000, 128] product out of the heap would take as long as computing it.
 */
function timeWithoutReadBack(run: () => tf.Tensor, repeats: number): number {
  const samples: number[] = [];
  for (let index = 0; index < repeats + 1; index++) {
    const start = performance.now();
    const result = run();
    const elapsed = performance.now() - start;
    result.dispose();
    if (index > 0) samples.push(elapsed);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const info = await initializeBackend({ preferred: 'wasm', strict: true });
console.log(`backend ${info.backend}, threads ${info.threads}`);

// Reference rate: one large matMul, on the stock kernel (XNNPACK) as in earlier runs of this bench.
setWasmMatMulKernel('stock');
const size = 2048;
const a = tf.randomNormal([size, size]);
const b = tf.randomNormal([size, size]);
const matMulMs = await time(() => tf.matMul(a, b), 3);
const matMulRate = (2 * size ** 3) / (matMulMs * 1e6);
console.log(`matMul ${size}×${size}: ${matMulMs.toFixed(1)} ms, ${matMulRate.toFixed(1)} GFLOP/s (reference)`);
tf.dispose([a, b]);
// A second reference that fits the caches better (the size @pointclick/ptv3's benchmark uses).
const smallSize = 1024;
const [c, d] = [0, 1].map(() => tf.randomNormal([smallSize, smallSize]));
const smallMatMulRate = (2 * smallSize ** 3) / ((await time(() => tf.matMul(c, d), 3)) * 1e6);
console.log(`matMul ${smallSize}×${smallSize}: ${smallMatMulRate.toFixed(1)} GFLOP/s (second reference, stock kernel)`);
setWasmMatMulKernel('packed');
const packedSmallMatMulRate = (2 * smallSize ** 3) / ((await time(() => tf.matMul(c, d), 3)) * 1e6);
setWasmMatMulKernel('auto');
console.log(`matMul ${smallSize}×${smallSize}: ${packedSmallMatMulRate.toFixed(1)} GFLOP/s with the packed kernel (${(packedSmallMatMulRate / smallMatMulRate).toFixed(2)}× stock)`);
tf.dispose([c, d]);

// Tall, narrow products (linear layers and im2col convolutions of PTv3 at 50k points), and two weight
// gradients (Aᵀ·dC: short output, long inner dimension), stock kernel against the packed one. Timed
// without read-back (the 1024² references include it; at 4 MiB it costs about 1 %).
const matMulShapes: [number, number, number][] = [
  [45000, 32, 128],
  [45000, 64, 256],
  [23283, 864, 32],
  [128, 45000, 32],
  [32, 23283, 128],
];
for (const [rows, inner, columns] of matMulShapes) {
  const [left, right] = [tf.randomNormal([rows, inner]), tf.randomNormal([inner, columns])];
  const measure = async (kernel: 'stock' | 'packed') => {
    setWasmMatMulKernel(kernel);
    const ms = timeWithoutReadBack(() => tf.matMul(left, right), 5);
    return { ms, rate: (2 * rows * inner * columns) / (ms * 1e6) };
  };
  const stock = await measure('stock');
  const packed = await measure('packed');
  setWasmMatMulKernel('auto');
  const shapeText = `[${rows},${inner}]×[${inner},${columns}]`.padEnd(24);
  console.log(
    `matMul ${shapeText} stock ${stock.ms.toFixed(1)} ms ${stock.rate.toFixed(1)} GFLOP/s = ${(stock.rate / smallMatMulRate).toFixed(2)}× stock ${smallSize}²; packed ${packed.ms.toFixed(1)} ms ${packed.rate.toFixed(1)} GFLOP/s = ${(packed.rate / smallMatMulRate).toFixed(2)}× stock ${smallSize}², ${(packed.rate / packedSmallMatMulRate).toFixed(2)}× packed ${smallSize}²; ${(stock.ms / packed.ms).toFixed(2)}× faster`,
  );
  tf.dispose([left, right]);
}
if (process.env.KERNELS_BENCH_MATMUL_ONLY === '1') process.exit(0);

// Row gather: 100k rows × 64 channels, 100k random indices.
const rowCount = 100_000;
const channels = 64;
const table = tf.randomNormal([rowCount, channels]) as tf.Tensor2D;
const indices = tf.randomUniform([rowCount], 0, rowCount, 'int32') as tf.Tensor1D;
const indices2d = tf.reshape(indices, [rowCount, 1]);
const gatherRowsMs = await time(() => gatherRows(table, indices), 5);
const gatherMs = await time(() => tf.gather(table, indices), 5);
const gatherNdMs = await time(() => tf.gatherND(table, indices2d), 5);
const gigabytes = (rowCount * channels * 4) / 1e9;
console.log(`gatherRows 100k×64: ${gatherRowsMs.toFixed(1)} ms (${(gigabytes / (gatherRowsMs / 1e3)).toFixed(2)} GB/s)`);
console.log(`tf.gather   100k×64: ${gatherMs.toFixed(1)} ms → gatherRows is ${(gatherMs / gatherRowsMs).toFixed(1)}× faster`);
console.log(`tf.gatherND 100k×64: ${gatherNdMs.toFixed(1)} ms → gatherRows is ${(gatherNdMs / gatherRowsMs).toFixed(1)}× faster`);
const gatherGradMs = await time(() => tf.grad((x: tf.Tensor) => tf.sum(gatherRows(x as tf.Tensor2D, indices)))(table), 3);
console.log(`gatherRows gradient (segment sum) 100k×64: ${gatherGradMs.toFixed(1)} ms`);

// Segment max: 100k rows × 64 channels into 10k segments, against a plain-JS loop on the same data.
const segmentCount = 10_000;
const segmentIds = tf.randomUniform([rowCount], 0, segmentCount, 'int32') as tf.Tensor1D;
const segmentMaxMs = await time(() => segmentMax(table, segmentIds, segmentCount), 5);
const tableValues = table.dataSync();
const idValues = segmentIds.dataSync();
const referenceStart = performance.now();
const reference = new Float32Array(segmentCount * channels).fill(-Infinity);
for (let row = 0; row < rowCount; row++) {
  const out = idValues[row] * channels;
  for (let channel = 0; channel < channels; channel++) {
    const value = tableValues[row * channels + channel];
    if (value > reference[out + channel]) reference[out + channel] = value;
  }
}
const referenceMs = performance.now() - referenceStart;
console.log(`segmentMax 100k×64 → 10k: ${segmentMaxMs.toFixed(1)} ms; plain JS max loop (no argmax) ${referenceMs.toFixed(1)} ms, ratio ${(segmentMaxMs / referenceMs).toFixed(2)}`);
const segmentMaxGradMs = await time(() => tf.grad((x: tf.Tensor) => tf.sum(segmentMax(x as tf.Tensor2D, segmentIds, segmentCount)))(table), 3);
console.log(`segmentMax gradient: ${segmentMaxGradMs.toFixed(1)} ms`);
tf.dispose([table, indices, indices2d, segmentIds]);

// Patch attention: 20k points, 64 channels, 4 heads (16 channels each), patch 64.
const patchSize = 64;
const headCount = 4;
const headChannels = 16;
const patchCount = Math.ceil(20_000 / patchSize);
const shape: [number, number, number, number] = [patchCount, headCount, patchSize, headChannels];
const [q, k, v] = [0, 1, 2].map(() => tf.randomNormal(shape) as tf.Tensor4D);
const scale = 1 / Math.sqrt(headChannels);
// Useful work only: the forward is two products of 2·P²·D flops per patch and head (softmax not
// counted); the backward four more (dV, dP, dQ, dK). Recomputation is not counted, so both paths
// are rated on the same work (README rows before the fused kernel counted 8 products for fwd+bwd).
const forwardFlops = patchCount * headCount * 2 * (2 * patchSize * patchSize * headChannels);
const backwardFlops = forwardFlops * 3;
const attend = () => patchAttention(q, k, v, scale);
const attendAndDifferentiate = () =>
  tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(patchAttention(x as tf.Tensor4D, y as tf.Tensor4D, z as tf.Tensor4D, scale)))([q, k, v]);
const report = (label: string, forwardMs: number, backwardMs: number) => {
  const forwardRate = forwardFlops / (forwardMs * 1e6);
  const backwardRate = backwardFlops / (backwardMs * 1e6);
  console.log(`patchAttention ${label} forward  [${shape}]: ${forwardMs.toFixed(1)} ms, ${forwardRate.toFixed(2)} GFLOP/s = ${(forwardRate / matMulRate).toFixed(3)}× matMul ${size}², ${(forwardRate / smallMatMulRate).toFixed(3)}× ${smallSize}²`);
  console.log(`patchAttention ${label} fwd+bwd  [${shape}]: ${backwardMs.toFixed(1)} ms, ${backwardRate.toFixed(2)} GFLOP/s = ${(backwardRate / matMulRate).toFixed(3)}× matMul ${size}², ${(backwardRate / smallMatMulRate).toFixed(3)}× ${smallSize}²`);
  return forwardMs;
};
const fusedForwardMs = report('fused (C, SIMD128)', await time(attend, 5), await time(attendAndDifferentiate, 3));
// The previous path: batched matMul + softmax, taken when no fused kernel is registered.
const fusedConfigs = [PATCH_ATTENTION, PATCH_ATTENTION_GRAD].map((name) => tf.getKernel(name, 'wasm'));
for (const config of fusedConfigs) if (config) tf.unregisterKernel(config.kernelName, 'wasm');
const composedForwardMs = report('composed (matMul + softmax)', await time(attend, 3), await time(attendAndDifferentiate, 3));
for (const config of fusedConfigs) if (config) tf.registerKernel(config);
console.log(`patchAttention forward: fused is ${(composedForwardMs / fusedForwardMs).toFixed(1)}× faster than the composition`);
tf.dispose([q, k, v]);
