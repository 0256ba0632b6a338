/**
 * `@pointclick/tfjs-kernels/cpu`: registers the pure-JavaScript cpu backend and this package's cpu
 * kernels. Importing it has side effects (kernel registration); apps import it, libraries do not.
 */
import '@tensorflow/tfjs-backend-cpu';
// Through the package's own subpath (external to the bundle), so the gradient registrations stay in
// dist/gradients.js instead of a shared chunk that package.json would have to mark side-effectful.
import '@pointclick/tfjs-kernels/gradients';
import './backends/cpu/register-cpu-kernels.js';

export { CPU_KERNEL_CONFIGS } from './backends/cpu/register-cpu-kernels.js';
