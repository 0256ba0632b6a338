/**
 * `@pointclick/tfjs-kernels/wasm`: registers the wasm backend and this package's wasm kernels
 * (including the stock-named `UnsortedSegmentSum` the wasm backend lacks). Side effects on import.
 * Call `setWasmPaths` (re-exported) before `tf.setBackend('wasm')` in bundled browser apps; in
 * Node, `initializeBackend` from `/node` does it.
 */
import '@tensorflow/tfjs-backend-wasm';
// Through the package's own subpath (external to the bundle), so the gradient registrations stay in
// dist/gradients.js instead of a shared chunk that package.json would have to mark side-effectful.
import '@pointclick/tfjs-kernels/gradients';
import './backends/wasm/register-wasm-kernels.js';

export { setWasmPaths, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
export { WASM_KERNEL_CONFIGS } from './backends/wasm/register-wasm-kernels.js';
export { choosePackedMatMul, setWasmMatMulKernel } from './backends/wasm/batch-mat-mul-wasm.js';
export type { WasmMatMulKernel } from './backends/wasm/batch-mat-mul-wasm.js';
