/**
 * `@pointclick/tfjs-kernels/webgpu`: registers the WebGPU backend and this package's WebGPU
 * kernels. Side effects on import. The backend registers itself only if `navigator.gpu` exists at
 * import time; in Node, use `initializeBackend` from `/node`, which installs Dawn first.
 */
import '@tensorflow/tfjs-backend-webgpu';
// Through the package's own subpath (external to the bundle), so the gradient registrations stay in
// dist/gradients.js instead of a shared chunk that package.json would have to mark side-effectful.
import '@pointclick/tfjs-kernels/gradients';
import './backends/webgpu/register-webgpu-kernels.js';

export { WEBGPU_KERNEL_CONFIGS } from './backends/webgpu/register-webgpu-kernels.js';
