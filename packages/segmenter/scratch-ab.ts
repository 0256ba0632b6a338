import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { generateIndoorScene } from '@pointclick/datasets';
import { Segmenter } from './src/index.js';
import { loadSegmenter } from './src/node/index.js';
import { makeBenchClicks, median } from './bench/bench-reference.js';
await initializeBackend({ preferred: 'wasm', strict: true });
const proto = Segmenter.prototype as any;
const lazy = proto.startGeodesicDistances;
const eager = function (this: any, ...a: any[]) { const f = lazy.apply(this, a); if (f) f(); return f; };
const scene = generateIndoorScene({ seed: 7, pointCount: 50_000 });
const segmenter = await loadSegmenter('../../models/default', {});
segmenter.setScene(scene);
segmenter.segment(makeBenchClicks(scene.instance, 10, 0));
await new Promise((r) => setTimeout(r, 1000));
const times: Record<string, number[]> = { eager: [], lazy: [] };
for (let repeat = 0; repeat < 60; repeat++) {
  for (const mode of repeat % 2 ? ['lazy', 'eager'] : ['eager', 'lazy']) {
    proto.startGeodesicDistances = mode === 'lazy' ? lazy : eager;
    const clicks = makeBenchClicks(scene.instance, 10, 2 * repeat + (mode === 'lazy' ? 1 : 2));
    const s = performance.now(); segmenter.segment(clicks); times[mode].push(performance.now() - s);
  }
}
console.log(Object.entries(times).map(([k, v]) => `${k} ${median(v).toFixed(1)}`).join(' | '));
segmenter.dispose();
