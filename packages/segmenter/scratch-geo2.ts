import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { generateIndoorScene } from '@pointclick/datasets';
import { SurfaceGraph } from '@pointclick/sampling';
import { ClickGeodesicDistances } from './src/index.js';
import { loadSegmenter } from './src/node/index.js';
import { makeBenchClicks, median } from './bench/bench-reference.js';
await initializeBackend({ preferred: 'wasm', strict: true });
const scene = generateIndoorScene({ seed: 7, pointCount: 72_000 });
const segmenter = await loadSegmenter('../../models/default', {});
segmenter.setScene(scene);
segmenter.segment(makeBenchClicks(scene.instance, 10, 0));
const geo: ClickGeodesicDistances = (segmenter as any).scene.geodesic;
const inputToFinest = (segmenter as any).scene.backboneOutput.inputToFinest;
const search: number[] = [];
const orig = SurfaceGraph.prototype.distancesFromEach;
SurfaceGraph.prototype.distancesFromEach = function (...a: any[]) { const s = performance.now(); const r = (orig as any).apply(this, a); search.push(performance.now() - s); return r; };
const cached: number[] = [], fresh: number[] = [];
for (let repeat = 0; repeat < 30; repeat++) {
  const clicks = makeBenchClicks(scene.instance, 10, repeat + 1);
  const voxels = Int32Array.from(clicks, (c) => inputToFinest[c.pointIndex]);
  let s = performance.now(); geo.distances(voxels); fresh.push(performance.now() - s);
  s = performance.now(); geo.distances(voxels); cached.push(performance.now() - s);
}
console.log('fresh', median(fresh).toFixed(2), 'searches', median(search.filter((_, i) => i % 2 === 0)).toFixed(2), 'cached (assembly only)', median(cached).toFixed(2));
segmenter.dispose();
