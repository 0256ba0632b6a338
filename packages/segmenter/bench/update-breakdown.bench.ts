/**
 * Where the bench's "10 moved clicks" update spends its time: the same lite model, synthetic room and clicks as
 * `segmenter.bench.ts`, every click moved at each update (so every click needs a new geodesic search), profiled
 * with the V8 sampling profiler (`node:inspector`) over `UPDATE_REPEATS` updates. Each sample goes to the
 * innermost step of the segmenter it is in: graph searches, distance assembly, decoder (wasm kernels, the JS
 * parts of tfjs-kernels, TF.js op dispatch), read-back, pooling, click constraints, grouping with per-point labels.
 * Reference: a 1024³ matMul in the same run.
 * Run: pnpm --filter @pointclick/segmenter bench:breakdown
 */
import { Session } from 'node:inspector/promises';
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { generateIndoorScene } from '@pointclick/datasets';
import { InteractiveSegmentationModel, Segmenter } from '../src/index.js';
import { createLiteConfig, makeBenchClicks, median, timeMatMul } from './bench-reference.js';

const UPDATE_REPEATS = 30;
const CLICK_COUNT = 10;
/** Updates timed kernel by kernel with `tf.profile` after the sampled ones. */
const KERNEL_REPEATS = 10;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** The step a stack belongs to, from its innermost frame outwards; undefined outside `segment`. */
const STEPS: { step: string; matches: (frame: ProfileNode['callFrame']) => boolean }[] = [
  { step: 'geodesic prior: graph searches (SurfaceGraph.distancesFrom)', matches: (frame) => frame.functionName === 'distancesFrom' },
  { step: 'geodesic prior: [voxels, clicks] assembly', matches: (frame) => frame.url.includes('click-geodesic-distances') },
  { step: 'read-back (dataSync)', matches: (frame) => /readSync|dataSync/.test(frame.functionName) },
  { step: 'superpoint pooling', matches: (frame) => frame.functionName === 'poolSuperpointLogits' },
  { step: 'click constraints', matches: (frame) => frame.functionName === 'clickConstraintLabels' },
  { step: 'grouping + per-point labels', matches: (frame) => frame.functionName === 'assignClickGroups' },
  { step: 'decoder', matches: (frame) => frame.url.includes('/decoder/') },
  { step: 'segmenter (rest)', matches: (frame) => frame.functionName === 'segment' && frame.url.includes('/segmenter/') },
];

async function main(): Promise<void> {
  await initializeBackend({ preferred: 'wasm', strict: true });
  const matMulMilliseconds = await timeMatMul();
  const scene = generateIndoorScene({ seed: 7, pointCount: 72_000 });
  const classNames = Array.from({ length: 40 }, (_, index) => `class ${index + 1}`);
  const segmenter = new Segmenter(new InteractiveSegmentationModel(createLiteConfig(classNames)));
  segmenter.setScene(scene);
  segmenter.segment(makeBenchClicks(scene.instance, CLICK_COUNT, 0)); // backbone, graph, warm-up
  segmenter.segment(makeBenchClicks(scene.instance, CLICK_COUNT, 1));

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 }); // microseconds
  await session.post('Profiler.start');
  const times: number[] = [];
  for (let repeat = 0; repeat < UPDATE_REPEATS; repeat++) {
    const clicks = makeBenchClicks(scene.instance, CLICK_COUNT, repeat + 2); // every click moved
    const start = performance.now();
    segmenter.segment(clicks);
    times.push(performance.now() - start);
  }
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();

  // The decoder's kernels one by one (wall time of each kernel call, read back), by kernel and input shapes.
  const kernels = new Map<string, { milliseconds: number; calls: number }>();
  for (let repeat = 0; repeat < KERNEL_REPEATS; repeat++) {
    const clicks = makeBenchClicks(scene.instance, CLICK_COUNT, UPDATE_REPEATS + repeat + 2);
    const info = await tf.profile(() => {
      segmenter.segment(clicks);
    });
    for (const kernel of info.kernels) {
      // A custom-gradient op shows as an unnamed scope around its kernel, which is listed too: count it once.
      if (kernel.name === 'unnamed scope') continue;
      const key = `${kernel.name} ${kernel.inputShapes.map((shape) => `[${shape?.join(', ')}]`).join(' × ')}`;
      const entry = kernels.get(key) ?? { milliseconds: 0, calls: 0 };
      entry.milliseconds += typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
      entry.calls++;
      kernels.set(key, entry);
    }
  }
  segmenter.dispose();

  const nodes = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node as ProfileNode]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const stepOf = new Map<number, string | undefined>();
  const classify = (leaf: number): string | undefined => {
    if (stepOf.has(leaf)) return stepOf.get(leaf);
    let step: string | undefined;
    for (let id: number | undefined = leaf; id !== undefined && step === undefined; id = parentOf.get(id)) {
      const frame = nodes.get(id)!.callFrame;
      step = STEPS.find((candidate) => candidate.matches(frame))?.step;
    }
    if (step === 'decoder') {
      const frame = nodes.get(leaf)!.callFrame;
      if (frame.url.startsWith('wasm://')) step = 'decoder: wasm kernels (matMul, elementwise, softmax, …)';
      else if (frame.url.includes('/tfjs-kernels/')) step = 'decoder: JS parts of tfjs-kernels (kernel wrappers, JS fallbacks)';
      else step = 'decoder: TF.js op dispatch and JS glue';
    }
    stepOf.set(leaf, step);
    return step;
  };
  const microseconds = new Map<string, number>();
  const samples = profile.samples ?? [];
  const timeDeltas = profile.timeDeltas ?? [];
  for (let index = 0; index < samples.length; index++) {
    const step = classify(samples[index]) ?? (nodes.get(samples[index])!.callFrame.functionName === '(garbage collector)' ? 'garbage collection' : undefined);
    // A sample's time is the delta to the next one.
    if (step) microseconds.set(step, (microseconds.get(step) ?? 0) + (timeDeltas[index + 1] ?? 0));
  }
  const update = median(times);
  const attributed = [...microseconds.values()].reduce((sum, value) => sum + value, 0) / 1000 / UPDATE_REPEATS;
  console.log(
    `10 moved clicks, median of ${UPDATE_REPEATS} updates ${update.toFixed(1)} ms (${(update / matMulMilliseconds).toFixed(2)}× the ` +
      `1024³ matMul, ${matMulMilliseconds.toFixed(1)} ms); profiled time per update ${attributed.toFixed(1)} ms:`,
  );
  for (const [step, total] of [...microseconds.entries()].sort((a, b) => b[1] - a[1])) {
    const perUpdate = total / 1000 / UPDATE_REPEATS;
    console.log(`  ${step.padEnd(70)} ${perUpdate.toFixed(1).padStart(6)} ms  ${((100 * perUpdate) / attributed).toFixed(0).padStart(3)} %`);
  }
  const kernelTotal = [...kernels.values()].reduce((sum, entry) => sum + entry.milliseconds, 0) / KERNEL_REPEATS;
  console.log(`kernels of one update (tf.profile, mean of ${KERNEL_REPEATS}): ${kernelTotal.toFixed(1)} ms; the largest by kernel and input shapes:`);
  for (const [key, entry] of [...kernels.entries()].sort((a, b) => b[1].milliseconds - a[1].milliseconds).slice(0, 16)) {
    console.log(`  ${key.padEnd(52)} ${(entry.milliseconds / KERNEL_REPEATS).toFixed(2).padStart(6)} ms  ${String(entry.calls / KERNEL_REPEATS).padStart(3)} calls`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
