import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { generateIndoorScene } from '@pointclick/datasets';
import { loadSegmenter } from './src/node/index.js';
import { makeBenchClicks } from './bench/bench-reference.js';
await initializeBackend({ preferred: 'wasm', strict: true });
const scene = generateIndoorScene({ seed: 7, pointCount: 72_000 });
const segmenter = await loadSegmenter('../../models/default', {});
segmenter.setScene(scene);
segmenter.segment(makeBenchClicks(scene.instance, 10, 0));
const info = await tf.profile(() => { segmenter.segment(makeBenchClicks(scene.instance, 10, 5)); });
const by: Record<string, [number, number]> = {};
for (const k of info.kernels) { const key = `${k.name} ${JSON.stringify(k.inputShapes)}`; by[key] ??= [0, 0]; by[key][0]++; by[key][1] += k.kernelTimeMs as number; }
console.log('calls', info.kernels.length);
for (const [k, [n, t]] of Object.entries(by).sort((a, b) => b[1][0] - a[1][0]).slice(0, 40)) console.log(String(n).padStart(4), t.toFixed(2).padStart(7), k.slice(0, 110));
segmenter.dispose();
