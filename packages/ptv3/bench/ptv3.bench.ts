/**
 * PTv3 forward benchmark on the wasm backend: `lite` and `base` at 20k, 50k and 100k points of a real
 * ScanNet room (../shared/data, synthetic fallback), analytic FLOPs, achieved GFLOP/s and its ratio to a
 * large square matMul measured in the same run, a per-kernel profile, and peak memory (RSS).
 * Env: PTV3_BENCH_PRESETS=lite,base (default both), PTV3_BENCH_SIZES=20000,50000,100000 (default all),
 * PTV3_BENCH_BASE_100K=1 (base at 100k is skipped otherwise). Base at 100k alone, for its peak memory:
 * PTV3_BENCH_PRESETS=base PTV3_BENCH_SIZES=100000 PTV3_BENCH_BASE_100K=1.
 * Run: pnpm --filter @pointclick/ptv3 bench
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Registers the row-gather, segment and fused attention kernels used by src/ops/point-ops.ts, and the packed matMul.
import { setWasmMatMulKernel } from '@pointclick/tfjs-kernels/wasm';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPointTransformerV3, type BackboneInput, type PointTransformerV3 } from '../src/index.js';

const require = createRequire(import.meta.url);
setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);

const dataDirectory =
  process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));

/** Reads a float32 (rows, 6) .npy file: x y z r g b. */
function readNpyFloat32(file: string): { data: Float32Array; rows: number } {
  const buffer = readFileSync(file);
  const headerLength = buffer.readUInt16LE(8);
  const header = buffer.toString('latin1', 10, 10 + headerLength);
  if (!header.includes("'<f4'")) throw new Error(`${file}: expected little-endian float32 data, header ${header}`);
  const rows = Number(/\((\d+),/.exec(header)?.[1]);
  const offset = 10 + headerLength;
  const data = new Float32Array(buffer.buffer.slice(buffer.byteOffset + offset, buffer.byteOffset + buffer.length));
  return { data, rows };
}

function loadScene(pointCount: number): { input: BackboneInput; source: string } {
  const scenes = ['scene0000_00', 'scene0000_01', 'scene0000_02'].map((scene) =>
    path.join(dataDirectory, 'scannet-votenet', `${scene}_vert.npy`),
  );
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  if (scenes.every(existsSync)) {
    // Rescans of one room, aligned in the same frame: concatenating them gives a denser cloud.
    let filled = 0;
    for (const file of scenes) {
      const { data, rows } = readNpyFloat32(file);
      for (let row = 0; row < rows && filled < pointCount; row++, filled++) {
        for (let axis = 0; axis < 3; axis++) {
          positions[3 * filled + axis] = data[6 * row + axis];
          colors[3 * filled + axis] = Math.max(0, Math.min(255, Math.round(data[6 * row + 3 + axis])));
        }
      }
    }
    return { input: { positions, colors }, source: 'ScanNet scene0000_00/01/02 (votenet, 50k each)' };
  }
  console.warn(`[ptv3 bench] ${dataDirectory} not found: using a synthetic 6×5×3 m room instead`);
  let state = 1;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let point = 0; point < pointCount; point++) {
    const wall = Math.floor(random() * 5);
    const u = random();
    const v = random();
    const xyz = [[u * 6, v * 5, 0], [u * 6, v * 5, 3], [0, u * 5, v * 3], [6, u * 5, v * 3], [u * 6, 0, v * 3]][wall];
    positions.set(xyz, 3 * point);
    colors.set([random() * 255, random() * 255, random() * 255], 3 * point);
  }
  return { input: { positions, colors }, source: 'synthetic room' };
}

function measureMatMulRate(size: number): number {
  const a = tf.randomNormal([size, size]);
  const b = tf.randomNormal([size, size]);
  tf.matMul(a, b).dispose();
  const repeats = 4;
  const start = performance.now();
  for (let index = 0; index < repeats; index++) {
    const product = tf.matMul(a, b);
    product.dataSync();
    product.dispose();
  }
  const seconds = (performance.now() - start) / repeats / 1000;
  tf.dispose([a, b]);
  return (2 * size ** 3) / seconds / 1e9;
}

interface Timing {
  hierarchyMs: number;
  networkMs: number;
  voxelCounts: number[];
}

function timeForward(model: PointTransformerV3, input: BackboneInput): Timing {
  const hierarchyStart = performance.now();
  const hierarchy = model.buildHierarchy(input);
  const networkStart = performance.now();
  const output = model.applyHierarchy(hierarchy);
  for (const level of output.levels) level.features.dataSync();
  const end = performance.now();
  output.dispose();
  return {
    hierarchyMs: networkStart - hierarchyStart,
    networkMs: end - networkStart,
    voxelCounts: hierarchy.levels.map((level) => level.voxelCount),
  };
}

async function profileKernels(model: PointTransformerV3, input: BackboneInput): Promise<void> {
  const hierarchy = model.buildHierarchy(input);
  const start = performance.now();
  const info = await tf.profile(() => {
    const output = model.applyHierarchy(hierarchy);
    const features = output.levels.map((level) => level.features);
    return features;
  });
  const totalMs = performance.now() - start;
  const byKernel = new Map<string, number>();
  for (const kernel of info.kernels) {
    const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
    byKernel.set(kernel.name, (byKernel.get(kernel.name) ?? 0) + ms);
  }
  if (info.result) tf.dispose(info.result);
  const kernelMs = [...byKernel.values()].reduce((sum, ms) => sum + ms, 0);
  const top = [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`  profile (lite, ${input.positions.length / 3} points): ${totalMs.toFixed(0)} ms wall, ${kernelMs.toFixed(0)} ms in tfjs kernels, ${(totalMs - kernelMs).toFixed(0)} ms outside (JS row gather / segment max / profiler)`);
  for (const [name, ms] of top) console.log(`    ${name.padEnd(16)} ${ms.toFixed(0).padStart(6)} ms  ${((100 * ms) / totalMs).toFixed(0)} %`);
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  // The reference is the stock kernel (XNNPACK), as in earlier runs; the packed kernel's rate is printed beside it.
  setWasmMatMulKernel('stock');
  const matMulRate = measureMatMulRate(1024);
  setWasmMatMulKernel('auto');
  const packedMatMulRate = measureMatMulRate(1024);
  console.log(
    `wasm backend (single thread in Node); reference 1024² matMul: ${matMulRate.toFixed(2)} GFLOP/s (stock kernel), ${packedMatMulRate.toFixed(2)} GFLOP/s (packed kernel, used by the network)`,
  );
  const sizes = (process.env.PTV3_BENCH_SIZES ?? '20000,50000,100000').split(',').map(Number);
  const scenes = new Map(sizes.map((size) => [size, loadScene(size)]));
  console.log(`data: ${scenes.get(sizes[0])!.source}`);
  let peakRss = process.memoryUsage().rss;
  const presets = (process.env.PTV3_BENCH_PRESETS ?? 'lite,base').split(',') as ('lite' | 'base')[];
  for (const preset of presets) {
    const model = createPointTransformerV3(preset);
    console.log(`\n${preset}: ${(model.countParams() / 1e6).toFixed(2)} M parameters`);
    console.log('  points  voxels(L0..L4)                       hierarchy  network   total    GFLOP   GFLOP/s  ratio');
    for (const size of sizes) {
      if (preset === 'base' && size > 50000 && process.env.PTV3_BENCH_BASE_100K !== '1') {
        console.log(`  ${String(size).padStart(6)}  skipped (set PTV3_BENCH_BASE_100K=1; several minutes on one wasm thread)`);
        continue;
      }
      const { input } = scenes.get(size)!;
      if (preset === 'lite') timeForward(model, input); // warm-up (heap growth)
      const repeats = preset === 'lite' ? 2 : 1;
      let best: Timing | undefined;
      for (let index = 0; index < repeats; index++) {
        const timing = timeForward(model, input);
        if (!best || timing.networkMs + timing.hierarchyMs < best.networkMs + best.hierarchyMs) best = timing;
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
      const flops = model.countFlops(best!.voxelCounts);
      const rate = flops.total / (best!.networkMs / 1000) / 1e9;
      console.log(
        `  ${String(size).padStart(6)}  ${best!.voxelCounts.join('/').padEnd(36)} ${best!.hierarchyMs.toFixed(0).padStart(6)} ms ${best!.networkMs.toFixed(0).padStart(6)} ms ${(best!.hierarchyMs + best!.networkMs).toFixed(0).padStart(6)} ms ${(flops.total / 1e9).toFixed(1).padStart(7)} ${rate.toFixed(2).padStart(8)}  ${(rate / matMulRate).toFixed(2)}`,
      );
      if (size === 50000) {
        const share = (part: number) => `${((100 * part) / flops.total).toFixed(0)} %`;
        console.log(`          FLOPs: convolution ${share(flops.convolution)}, linear ${share(flops.linear)}, attention ${share(flops.attention)}; ratio to the packed 1024² rate ${(rate / packedMatMulRate).toFixed(2)}`);
      }
    }
    if (preset === 'lite' && scenes.has(50000)) await profileKernels(model, scenes.get(50000)!.input);
    model.dispose();
    console.log(`  peak RSS so far: ${(peakRss / 2 ** 30).toFixed(2)} GiB (the wasm heap never shrinks: this bounds every pass above)`);
  }
}

await main();
