/** 2√(2/π): GELU's tanh argument doubled, so that (1 + tanh u)/2 = sigmoid(2u). */
export const GELU_SCALE = 2 * Math.sqrt(2 / Math.PI);
/** The cubic coefficient of GELU's tanh approximation. */
export const GELU_CUBIC = 0.044715;

/**
 * Layer normalisation of each `channels`-long row of `x` into `output` (same length): mean and biased variance in
 * float64, then `(x − mean)/√(variance + epsilon)·gamma + beta`, rounded to float32 once.
 */
export function layerNormValues(x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, epsilon: number, channels: number, output: Float32Array): void {
  for (let start = 0; start < x.length; start += channels) {
    const end = start + channels;
    let sum = 0;
    for (let index = start; index < end; index++) sum += x[index];
    const mean = sum / channels;
    let squares = 0;
    for (let index = start; index < end; index++) {
      const difference = x[index] - mean;
      squares += difference * difference;
    }
    const scale = 1 / Math.sqrt(squares / channels + epsilon);
    for (let index = start, channel = 0; index < end; index++, channel++) output[index] = (x[index] - mean) * scale * gamma[channel] + beta[channel];
  }
}

/** GELU (tanh approximation) of every value of `x` into `output`: `x·sigmoid(GELU_SCALE·(x + GELU_CUBIC·x³))`. */
export function geluValues(x: ArrayLike<number>, output: Float32Array): void {
  for (let index = 0; index < x.length; index++) {
    const value = x[index];
    output[index] = value / (1 + Math.exp(-GELU_SCALE * (value + GELU_CUBIC * value * value * value)));
  }
}
