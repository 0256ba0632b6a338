import * as tf from '@tensorflow/tfjs-core';

/** The middle value of a sample (the upper middle for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median time in milliseconds of a 1024³ float32 matMul on the current backend, read back: the benches' reference. */
export async function timeMatMul(): Promise<number> {
  const size = 1024;
  const a = tf.randomUniform([size, size]);
  const b = tf.randomUniform([size, size]);
  const times: number[] = [];
  for (let run = 0; run < 6; run++) {
    const start = performance.now();
    const product = tf.matMul(a, b);
    await product.data();
    times.push(performance.now() - start);
    product.dispose();
  }
  tf.dispose([a, b]);
  return median(times.slice(1));
}
