/**
 * `@pointclick/tfjs-kernels/cpu`: registers the pure-JavaScript cpu backend and this package's cpu
 * kernels. Importing it has side effects (kernel registration); apps import it, libraries do not.
 */
import '@tensorflow/tfjs-backend-cpu';
import './gradients.js';
import './backends/cpu/register-cpu-kernels.js';

export { CPU_KERNEL_CONFIGS } from './backends/cpu/register-cpu-kernels.js';
