import * as tf from '@tensorflow/tfjs-core';
import type { ClassCalibration } from './segmenter-config.js';
import { SegmenterInputError } from './segmenter-errors.js';

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

/**
 * Whether `value` is a valid `config.classStageCount`: an integer from 1 to `stageCount` (the decoder's stages;
 * undefined when unknown, then any positive integer). Shared by the checkpoint reader and {@link averageStageClassLogits},
 * which word their errors each their own way.
 */
export function isClassStageCount(value: unknown, stageCount: number | undefined): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && (stageCount === undefined || value <= stageCount);
}

/**
 * The class logits an update shows before calibration: the mean of the last `stageCount` decoder stages' class
 * logits (each stage's head of Eq. 6 over the same prototypes P_s, applied to that stage's queries), so the stages
 * vote as an ensemble; with 1 (the default) the last stage's logits themselves (call it inside `tf.tidy`).
 *
 * @param stages - The decoder's stage outputs, first to last.
 * @param stageCount - `config.classStageCount`: how many stages, counted from the last; default 1.
 * @returns `[clickCount, classCount]` logits.
 * @throws SegmenterInputError when `stageCount` is not an integer from 1 to the number of stages.
 */
export function averageStageClassLogits(stages: readonly { classLogits: tf.Tensor2D }[], stageCount = 1): tf.Tensor2D {
  if (!isClassStageCount(stageCount, stages.length)) {
    throw new SegmenterInputError(`config.classStageCount is ${String(stageCount)}; expected an integer from 1 to the decoder's ${stages.length} stages`);
  }
  if (stageCount === 1) return stages[stages.length - 1].classLogits;
  const read = stages.slice(stages.length - stageCount).map((stage) => stage.classLogits);
  return tf.div(tf.addN(read), stageCount) as tf.Tensor2D;
}
