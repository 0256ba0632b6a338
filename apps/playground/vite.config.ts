import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { findLazPerfWasmDirectory, findTfjsWasmDirectory, ISOLATION_HEADERS, staticAssetsPlugin, type ServedDirectory } from './vite-plugins/static-assets-plugin.js';

const appDirectory = fileURLToPath(new URL('.', import.meta.url));
const repositoryRoot = resolve(appDirectory, '../..');

const served: ServedDirectory[] = [
  // The default checkpoint, committed at the repository root.
  { urlPrefix: '/models/default/', directory: resolve(repositoryRoot, 'models/default'), filter: /\.(json|bin)$/ },
  // The tabletop checkpoint (mOSD-style RGB-D tabletop scans): open the page with ?model=models/tabletop/model.json.
  { urlPrefix: '/models/tabletop/', directory: resolve(repositoryRoot, 'models/tabletop'), filter: /\.(json|bin)$/ },
  { urlPrefix: '/tfjs-wasm/', directory: findTfjsWasmDirectory(appDirectory), filter: /\.wasm$/ },
  // laz-perf (LAZ extra-bytes fields) fetches its .wasm beside the worker script: assets/ in the build, src/worker/ in dev.
  { urlPrefix: '/assets/', directory: findLazPerfWasmDirectory(resolve(repositoryRoot, 'packages/io')), filter: /^laz-perf\.wasm$/ },
  { urlPrefix: '/src/worker/', directory: findLazPerfWasmDirectory(resolve(repositoryRoot, 'packages/io')), copyOnBuild: false, filter: /^laz-perf\.wasm$/ },
];
// Development and tests: another checkpoint directory, served (never copied) at /models/custom/.
if (process.env.POINTCLICK_MODEL_DIR) {
  served.push({ urlPrefix: '/models/custom/', directory: resolve(process.env.POINTCLICK_MODEL_DIR), copyOnBuild: false, filter: /\.(json|bin)$/ });
}

export default defineConfig({
  root: appDirectory,
  base: './',
  plugins: [staticAssetsPlugin(served)],
  resolve: {
    // One tfjs-core for the app and every workspace package: two copies would mean two kernel registries.
    dedupe: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'three'],
  },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
