import * as tf from '@tensorflow/tfjs-core';
import { LossInputError } from './loss-input-error.js';

/** Default label meaning "no class supervision for this query". */
export const DEFAULT_IGNORE_LABEL = -1;

/** Options of {@link classCrossEntropy}. */
export interface ClassCrossEntropyOptions {
  /** Label value whose queries are left out. Default {@link DEFAULT_IGNORE_LABEL}. */
  ignoreLabel?: number;
  /**
   * Optional per-class weights `[classCount]`; the loss is then Σ w_y·nll / Σ w_y (PyTorch's
   * weighted mean). Default: all 1.
   */
  classWeights?: ArrayLike<number>;
  /**
   * Focusing parameter γ ≥ 0 of the focal loss (Lin et al. 2017): each query's term is scaled by (1 − p_y)^γ,
   * so objects the head already gets right weigh less. Default 0: the cross-entropy as it is.
   */
  focusing?: number;
}

/** Class labels of the queries: `[queryCount]` int32, each in [0, classCount) or the ignore label. */
export type ClassLabels = tf.Tensor1D | Int32Array | readonly number[];

/** Reads labels into a plain array and checks their count and range. */
export function readClassLabels(
  labels: ClassLabels,
  queryCount: number,
  classCount: number,
  ignoreLabel: number,
  functionName: string,
): Int32Array {
  let values: Int32Array;
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1) throw new LossInputError(functionName, 'labels.rank', '1', String(labels.rank));
    values = Int32Array.from(labels.dataSync());
  } else {
    values = Int32Array.from(labels);
  }
  if (values.length !== queryCount) {
    throw new LossInputError(functionName, 'labels.length', `${queryCount} (logits rows)`, String(values.length));
  }
  values.forEach((label, index) => {
    if (label !== ignoreLabel && (label < 0 || label >= classCount)) {
      throw new LossInputError(functionName, `labels[${index}]`, `in [0, ${classCount}) or ${ignoreLabel}`, String(label));
    }
  });
  return values;
}

/**
 * Eq. 11: cross-entropy −Σ_c y_c log ŷ_c of the class logits of each query against its label, with
 * ŷ = softmax(logits) computed as a log-softmax (stable for large logits), averaged over the queries
 * whose label is not `ignoreLabel`; with `focusing` γ > 0 the focal loss −Σ_c y_c (1 − ŷ_c)^γ log ŷ_c.
 *
 * @param logits Class logits, `[queryCount, classCount]` float32.
 * @param labels Class of each query, `[queryCount]`.
 * @returns Scalar loss in nats; 0 when every query is ignored.
 */
export function classCrossEntropy(
  logits: tf.Tensor2D,
  labels: ClassLabels,
  options: ClassCrossEntropyOptions = {},
): tf.Scalar {
  if (logits.rank !== 2) throw new LossInputError('classCrossEntropy', 'logits.rank', '2 ([queryCount, classCount])', String(logits.rank));
  const [queryCount, classCount] = logits.shape;
  const ignoreLabel = options.ignoreLabel ?? DEFAULT_IGNORE_LABEL;
  const values = readClassLabels(labels, queryCount, classCount, ignoreLabel, 'classCrossEntropy');
  const classWeights = options.classWeights;
  const focusing = options.focusing ?? 0;
  if (!(focusing >= 0) || !Number.isFinite(focusing)) throw new LossInputError('classCrossEntropy', 'options.focusing', 'a finite number ≥ 0', String(focusing));
  if (classWeights && classWeights.length !== classCount) {
    throw new LossInputError('classCrossEntropy', 'classWeights.length', String(classCount), String(classWeights.length));
  }
  // Weight of each query's target: 0 for ignored queries, w_y otherwise; rows of a one-hot matrix.
  const targetWeights = new Float32Array(queryCount * classCount);
  let weightSum = 0;
  values.forEach((label, query) => {
    if (label === ignoreLabel) return;
    const weight = classWeights ? classWeights[label] : 1;
    targetWeights[query * classCount + label] = weight;
    weightSum += weight;
  });
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(logits); // [queryCount, classCount]
    let weighted = tf.mul(logProbabilities, tf.tensor2d(targetWeights, [queryCount, classCount]));
    // Focal term (1 − p)^γ on every entry; only the targets' entries are non-zero after the weighting above.
    if (focusing > 0) weighted = tf.mul(weighted, tf.pow(tf.sub(1, tf.exp(logProbabilities)), focusing));
    return tf.div(tf.neg(tf.sum(weighted)), weightSum > 0 ? weightSum : 1) as tf.Scalar;
  });
}
