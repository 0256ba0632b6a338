import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { generateIndoorScene } from '@pointclick/datasets';
import { LayerNorm, Mlp } from '@pointclick/nn';
import { loadSegmenter } from './src/node/index.js';
import { makeBenchClicks, median } from './bench/bench-reference.js';
await initializeBackend({ preferred: 'wasm', strict: true });
const originalNorm = LayerNorm.prototype.apply, originalMlp = Mlp.prototype.apply;
{
  tf.registerKernel({ kernelName: 'ScratchLayerNorm', backendName: 'wasm', kernelFunc: ({ inputs, backend, attrs }) => {
    const wasm = backend as any; const { x, gamma, beta } = inputs as any; const epsilon = (attrs as any).epsilon;
    const out = wasm.makeOutput(x.shape, 'float32');
    const xv = wasm.typedArrayFromHeap(x), g = wasm.typedArrayFromHeap(gamma), b = wasm.typedArrayFromHeap(beta), o = wasm.typedArrayFromHeap(out);
    const c = x.shape[x.shape.length - 1];
    for (let r = 0; r < xv.length; r += c) {
      let m = 0; for (let i = 0; i < c; i++) m += xv[r + i]; m /= c;
      let v = 0; for (let i = 0; i < c; i++) { const d = xv[r + i] - m; v += d * d; } v /= c;
      const s = 1 / Math.sqrt(v + epsilon);
      for (let i = 0; i < c; i++) o[r + i] = (xv[r + i] - m) * s * g[i] + b[i];
    }
    return out;
  } });
  tf.registerKernel({ kernelName: 'ScratchGelu', backendName: 'wasm', kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as any; const { x } = inputs as any;
    const out = wasm.makeOutput(x.shape, 'float32');
    const xv = wasm.typedArrayFromHeap(x), o = wasm.typedArrayFromHeap(out);
    const k = 2 * Math.sqrt(2 / Math.PI);
    for (let i = 0; i < xv.length; i++) { const v = xv[i]; o[i] = v / (1 + Math.exp(-k * (v + 0.044715 * v * v * v))); }
    return out;
  } });
  (globalThis as any).fusedNorm = function (this: any, input: tf.Tensor) { return tf.engine().runKernel('ScratchLayerNorm', { x: input, gamma: this.gamma, beta: this.beta }, { epsilon: this.epsilon }) as tf.Tensor; };
  (globalThis as any).fusedMlp = function (this: any, input: tf.Tensor) { return tf.tidy(() => this.second.apply(tf.engine().runKernel('ScratchGelu', { x: this.first.apply(input) }) as tf.Tensor)); };
}
const scene = generateIndoorScene({ seed: 7, pointCount: 72_000 });
const segmenter = await loadSegmenter('../../models/default', {});
segmenter.setScene(scene);
segmenter.segment(makeBenchClicks(scene.instance, 10, 0));
await new Promise((r) => setTimeout(r, 500));
const set = (fused: boolean) => { LayerNorm.prototype.apply = fused ? (globalThis as any).fusedNorm : originalNorm; Mlp.prototype.apply = fused ? (globalThis as any).fusedMlp : originalMlp; };
const times: Record<string, number[]> = { stock: [], fused: [], stockSame: [], fusedSame: [] };
const same = makeBenchClicks(scene.instance, 10, 3);
for (let repeat = 0; repeat < 40; repeat++) {
  for (const fused of repeat % 2 ? [true, false] : [false, true]) {
    set(fused);
    const clicks = makeBenchClicks(scene.instance, 10, repeat + 1);
    let s = performance.now(); segmenter.segment(clicks); times[fused ? 'fused' : 'stock'].push(performance.now() - s);
    s = performance.now(); segmenter.segment(same); times[fused ? 'fusedSame' : 'stockSame'].push(performance.now() - s);
  }
}
console.log(Object.entries(times).map(([k, v]) => `${k} ${median(v).toFixed(1)}`).join(' | '));
segmenter.dispose();
