import * as tf from '@tensorflow/tfjs-core';
import type { ClassCalibration } from './segmenter-config.js';

/**
 * The calibrated class logits whose softmax is shown: classLogits / temperature + classBias, the temperature
 * scaling of Guo et al. 2017 and the post-hoc logit adjustment of Menon et al. 2021 (the bias −τ·ln p_c is
 * fixed from the training class prior, the temperature is then fitted with it). The prototypes stay the class
 * head's kernel (Eq. 6); this only re-weights its output. With no calibration, temperature 1 and no bias the
 * input tensor itself is returned (call it inside `tf.tidy`).
 *
 * @param classLogits - Class logits, [..., classCount] (the last axis is the class axis).
 * @param calibration - The checkpoint's `config.calibration`; absent: temperature 1, no bias.
 * @returns Calibrated logits, the shape of `classLogits`.
 */
export function calibrateClassLogits(classLogits: tf.Tensor, calibration: ClassCalibration | undefined): tf.Tensor {
  const temperature = calibration?.temperature ?? 1;
  const scaled = temperature === 1 ? classLogits : tf.div(classLogits, temperature);
  const bias = calibration?.classBias;
  if (bias === undefined) return scaled;
  const classCount = classLogits.shape[classLogits.rank - 1];
  if (bias.length !== classCount) {
    throw new RangeError(`calibrateClassLogits: calibration.classBias has ${bias.length} entries, the class logits ${classCount} classes`);
  }
  return tf.add(scaled, tf.tensor1d(bias, 'float32'));
}
