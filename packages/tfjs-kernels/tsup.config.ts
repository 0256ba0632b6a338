import { defineConfig } from 'tsup';
import { BUILD_DEFAULTS } from '../../tsup.config.base.js';

export default defineConfig({
  ...BUILD_DEFAULTS,
  entry: ['src/index.ts', 'src/gradients.ts', 'src/cpu.ts', 'src/wasm.ts', 'src/webgpu.ts', 'src/node.ts', 'src/browser.ts'],
  // TF.js packages are peers (one kernel registry per app); Dawn is an optional peer.
  external: [/^@tensorflow\/tfjs-(core|backend-cpu|backend-wasm|backend-webgpu)$/, 'webgpu', '@pointclick/tfjs-kernels/gradients'],
  // tfjs-core's gradient registrations exist only as ESM sources (its CommonJS bundle has none), so
  // they are bundled; their kernel and gradient registries are global, shared with the app's copy.
  noExternal: ['@tensorflow/tfjs-core/dist/register_all_gradients'],
});
