import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/gradients.ts', 'src/cpu.ts', 'src/wasm.ts', 'src/webgpu.ts', 'src/node.ts', 'src/browser.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // TF.js packages are peers (one kernel registry per app); Dawn is an optional peer.
  external: [/^@tensorflow\/tfjs-(core|backend-cpu|backend-wasm|backend-webgpu)$/, 'webgpu', '@pointclick/tfjs-kernels/gradients'],
  // tfjs-core's gradient registrations exist only as ESM sources (its CommonJS bundle has none), so
  // they are bundled; their kernel and gradient registries are global, shared with the app's copy.
  noExternal: ['@tensorflow/tfjs-core/dist/register_all_gradients'],
});
