/**
 * `@pointclick/tfjs-kernels/gradients`: registers tfjs-core's stock gradient functions. The
 * `@tensorflow/tfjs-core` package alone ships none (the `@tensorflow/tfjs` union package registers
 * them), so without this `tf.grad` fails with "gradient function not found". Imported by the
 * backend entry points (`/cpu`, `/wasm`, `/webgpu`, `/node`, `/browser`); side effects on import.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
