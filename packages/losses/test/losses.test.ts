import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  binaryCrossEntropyWithLogits,
  classCrossEntropy,
  diceLoss,
  DEFAULT_LOSS_WEIGHTS,
  LossInputError,
  totalLoss,
} from '../src/index.js';
import { BACKENDS, numericalGradient, randomValues, useBackend } from './backend-fixtures.js';

/*
 * Float64 references written straight from the paper's equations (with the naive log σ form, which
 * is exact in double precision for the moderate logits used with them).
 */
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
function referenceBce(logits: Float64Array, targets: Float64Array, pointCount: number, maskCount: number, ignore?: boolean[]): number {
  let sum = 0;
  let valid = 0;
  for (let point = 0; point < pointCount; point++) {
    if (ignore?.[point]) continue;
    valid++;
    for (let mask = 0; mask < maskCount; mask++) {
      const p = sigmoid(logits[point * maskCount + mask]);
      const t = targets[point * maskCount + mask];
      sum -= t * Math.log(p) + (1 - t) * Math.log(1 - p); // Eq. 9
    }
  }
  return sum / (valid * maskCount);
}
function referenceDice(logits: Float64Array, targets: Float64Array, pointCount: number, maskCount: number, epsilon: number, ignore?: boolean[]): number {
  let loss = 0;
  for (let mask = 0; mask < maskCount; mask++) {
    let intersection = 0;
    let predicted = 0;
    let truth = 0;
    for (let point = 0; point < pointCount; point++) {
      if (ignore?.[point]) continue;
      const p = sigmoid(logits[point * maskCount + mask]);
      const t = targets[point * maskCount + mask];
      intersection += p * t;
      predicted += p;
      truth += t;
    }
    loss += 1 - (2 * intersection + epsilon) / (predicted + truth + epsilon); // Eq. 10
  }
  return loss / maskCount;
}
function referenceCrossEntropy(logits: Float64Array, labels: number[], classCount: number, ignoreLabel = -1): number {
  let sum = 0;
  let count = 0;
  labels.forEach((label, query) => {
    if (label === ignoreLabel) return;
    const row = Array.from(logits.subarray(query * classCount, (query + 1) * classCount));
    const normaliser = Math.log(row.reduce((total, value) => total + Math.exp(value), 0));
    sum -= row[label] - normaliser; // Eq. 11 with a one-hot y
    count++;
  });
  return sum / count;
}

describe.each(BACKENDS)('losses on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  let tensorsBefore = 0;
  beforeEach(() => {
    tensorsBefore = tf.memory().numTensors;
  });
  afterEach(() => {
    // Every test disposes what it made; the losses themselves must not leak.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('BCE matches hand-computed values', () => {
    // logit 0 → p = 1/2 → −log ½ = ln 2 whatever the target; logit ln 3 → p = 3/4.
    tf.tidy(() => {
      const logits = tf.tensor2d([[0, Math.log(3)], [0, Math.log(3)]]);
      const targets = tf.tensor2d([[1, 1], [0, 0]]);
      const expected = (Math.LN2 + -Math.log(0.75) + Math.LN2 + -Math.log(0.25)) / 4;
      expect(binaryCrossEntropyWithLogits(logits, targets).dataSync()[0]).toBeCloseTo(expected, 6);
      // Ignoring point 1 leaves the mean over point 0 only.
      const ignored = binaryCrossEntropyWithLogits(logits, targets, { ignoreMask: [0, 1] }).dataSync()[0];
      expect(ignored).toBeCloseTo((Math.LN2 - Math.log(0.75)) / 2, 6);
      const ignoredTensor = binaryCrossEntropyWithLogits(logits, targets, { ignoreMask: tf.tensor1d([0, 1]) }).dataSync()[0];
      expect(ignoredTensor).toBeCloseTo(ignored, 7);
      // Everything ignored: 0 rather than NaN.
      expect(binaryCrossEntropyWithLogits(logits, targets, { ignoreMask: [true, true] }).dataSync()[0]).toBe(0);
    });
  });

  it('Dice matches hand-computed values', () => {
    tf.tidy(() => {
      // Mask 0: p = [1/2, 1/2], t = [1, 0]: 1 − (2·½ + ε)/(1 + 1 + ε). Mask 1: p = [3/4, 1/4], t = [1, 1].
      const logits = tf.tensor2d([[0, Math.log(3)], [0, -Math.log(3)]]);
      const targets = tf.tensor2d([[1, 1], [0, 1]]);
      const epsilon = 0.5;
      const mask0 = 1 - (1 + epsilon) / (2 + epsilon);
      const mask1 = 1 - (2 * 1 + epsilon) / (1 + 2 + epsilon);
      expect(diceLoss(logits, targets, { epsilon }).dataSync()[0]).toBeCloseTo((mask0 + mask1) / 2, 6);
      // Default ε = 1.
      expect(diceLoss(logits, targets).dataSync()[0]).toBeCloseTo((1 - 2 / 3 + (1 - 3 / 4)) / 2, 6);
      // Ignoring point 1: mask 0 → p = ½, t = 1; mask 1 → p = ¾, t = 1.
      const ignored = diceLoss(logits, targets, { epsilon, ignoreMask: [false, true] }).dataSync()[0];
      expect(ignored).toBeCloseTo((1 - (1 + epsilon) / (1.5 + epsilon) + 1 - (1.5 + epsilon) / (1.75 + epsilon)) / 2, 5);
    });
  });

  it('class cross-entropy matches hand-computed values and honours the ignore label', () => {
    tf.tidy(() => {
      // Row 0 uniform over 3 classes → ln 3. Row 1: logits [ln 1, ln 2, ln 7] label 2 → −ln(7/10).
      const logits = tf.tensor2d([[0, 0, 0], [0, Math.log(2), Math.log(7)], [5, 1, 2]]);
      expect(classCrossEntropy(logits, [0, 2, -1]).dataSync()[0]).toBeCloseTo((Math.log(3) - Math.log(0.7)) / 2, 6);
      expect(classCrossEntropy(logits, tf.tensor1d([1, 2, 7], 'int32'), { ignoreLabel: 7 }).dataSync()[0]).toBeCloseTo(
        (Math.log(3) - Math.log(0.7)) / 2,
        6,
      );
      // Class weights: Σ w_y nll / Σ w_y.
      const weighted = classCrossEntropy(logits, [0, 2, -1], { classWeights: [1, 1, 3] }).dataSync()[0];
      expect(weighted).toBeCloseTo((Math.log(3) - 3 * Math.log(0.7)) / 4, 6);
    });
  });

  it('focal class loss scales each term by (1 − p_y)^γ, is the cross-entropy at γ = 0 and rejects a negative γ', () => {
    tf.tidy(() => {
      // Row 0: p_y = 1/3; row 1: p_y = 0.7 (as above).
      const logits = tf.tensor2d([[0, 0, 0], [0, Math.log(2), Math.log(7)], [5, 1, 2]]);
      const focal = classCrossEntropy(logits, [0, 2, -1], { focusing: 2 }).dataSync()[0];
      expect(focal).toBeCloseTo(((2 / 3) ** 2 * Math.log(3) - 0.3 ** 2 * Math.log(0.7)) / 2, 6);
      const weighted = classCrossEntropy(logits, [0, 2, -1], { focusing: 2, classWeights: [1, 1, 3] }).dataSync()[0];
      expect(weighted).toBeCloseTo(((2 / 3) ** 2 * Math.log(3) - 3 * 0.3 ** 2 * Math.log(0.7)) / 4, 6);
      expect(classCrossEntropy(logits, [0, 2, -1], { focusing: 0 }).dataSync()[0]).toBe(classCrossEntropy(logits, [0, 2, -1]).dataSync()[0]);
      expect(() => classCrossEntropy(logits, [0, 2, -1], { focusing: -1 })).toThrow(/options\.focusing must be a finite number ≥ 0/);
    });
  });

  it('agrees with float64 references and their finite-difference gradients', () => {
    const pointCount = 7;
    const maskCount = 3;
    const classCount = 4;
    const logits = randomValues(pointCount * maskCount, 11, -3, 3);
    const targets = randomValues(pointCount * maskCount, 12, 0, 1).map((value) => (value > 0.6 ? 1 : 0));
    const ignore = [false, true, false, false, true, false, false];
    const classLogits = randomValues(maskCount * classCount, 13, -2, 2);
    const labels = [3, -1, 0];

    const bceGradient = numericalGradient((x) => referenceBce(x, targets, pointCount, maskCount, ignore), logits.slice());
    const diceGradient = numericalGradient((x) => referenceDice(x, targets, pointCount, maskCount, 1, ignore), logits.slice());
    const ceGradient = numericalGradient((x) => referenceCrossEntropy(x, labels, classCount), classLogits.slice());

    tf.tidy(() => {
      const logitTensor = tf.tensor2d(Float32Array.from(logits), [pointCount, maskCount]);
      const targetTensor = tf.tensor2d(Float32Array.from(targets), [pointCount, maskCount]);
      const classTensor = tf.tensor2d(Float32Array.from(classLogits), [maskCount, classCount]);
      const bce = tf.valueAndGrad((x: tf.Tensor) => binaryCrossEntropyWithLogits(x as tf.Tensor2D, targetTensor, { ignoreMask: ignore }))(logitTensor);
      const dice = tf.valueAndGrad((x: tf.Tensor) => diceLoss(x as tf.Tensor2D, targetTensor, { ignoreMask: ignore }))(logitTensor);
      const ce = tf.valueAndGrad((x: tf.Tensor) => classCrossEntropy(x as tf.Tensor2D, labels))(classTensor);
      expect(bce.value.dataSync()[0]).toBeCloseTo(referenceBce(logits, targets, pointCount, maskCount, ignore), 5);
      expect(dice.value.dataSync()[0]).toBeCloseTo(referenceDice(logits, targets, pointCount, maskCount, 1, ignore), 5);
      expect(ce.value.dataSync()[0]).toBeCloseTo(referenceCrossEntropy(classLogits, labels, classCount), 5);
      const compare = (actual: tf.Tensor, expected: Float64Array) => {
        const values = actual.dataSync();
        expected.forEach((value, index) => expect(values[index]).toBeCloseTo(value, 5));
      };
      compare(bce.grad, bceGradient);
      compare(dice.grad, diceGradient);
      compare(ce.grad, ceGradient);
      // Ignored points get exactly zero gradient.
      const bceValues = bce.grad.dataSync();
      for (let mask = 0; mask < maskCount; mask++) expect(Math.abs(bceValues[1 * maskCount + mask])).toBe(0);
    });
  });

  it('is finite and exact for logits of ±100', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[100, -100], [-100, 100], [0, 100]]);
      const targets = tf.tensor2d([[1, 1], [1, 0], [0, 1]]);
      const bce = tf.valueAndGrad((x: tf.Tensor) => binaryCrossEntropyWithLogits(x as tf.Tensor2D, targets))(logits);
      // Losses: 0, 100, 100, 100, ln 2, 0 → mean 300 + ln 2 over 6.
      expect(bce.value.dataSync()[0]).toBeCloseTo((300 + Math.LN2) / 6, 4);
      // Gradient (σ(x) − t)/6: 0, −1/6, −1/6, 1/6, 1/12, 0.
      const expected = [0, -1 / 6, -1 / 6, 1 / 6, 1 / 12, 0];
      Array.from(bce.grad.dataSync()).forEach((value, index) => expect(value).toBeCloseTo(expected[index], 6));

      const dice = tf.valueAndGrad((x: tf.Tensor) => diceLoss(x as tf.Tensor2D, targets))(logits);
      expect(Number.isFinite(dice.value.dataSync()[0])).toBe(true);
      for (const value of dice.grad.dataSync()) expect(Number.isFinite(value)).toBe(true);
      // ε = 1. Mask 0: p = [1, 0, ½], t = [1, 1, 0] → 1 − (2 + 1)/(1.5 + 2 + 1);
      // mask 1: p = [0, 1, 1], t = [1, 0, 1] → 1 − (2 + 1)/(2 + 2 + 1).
      expect(dice.value.dataSync()[0]).toBeCloseTo((1 - 3 / 4.5 + 1 - 3 / 5) / 2, 5);

      const classLogits = tf.tensor2d([[100, -100, 0], [-100, 100, 100]]);
      const ce = tf.valueAndGrad((x: tf.Tensor) => classCrossEntropy(x as tf.Tensor2D, [1, 2]))(classLogits);
      // Row 0: −(−100 − 100) = 200; row 1: ln 2.
      expect(ce.value.dataSync()[0]).toBeCloseTo((200 + Math.LN2) / 2, 3);
      for (const value of ce.grad.dataSync()) expect(Number.isFinite(value)).toBe(true);
    });
  });

  it('totalLoss is Eq. 8 summed over stages', () => {
    tf.tidy(() => {
      const pointCount = 5;
      const targets = tf.tensor2d([[1, 0], [1, 0], [0, 1], [0, 1], [0, 0]]);
      const stages = [0, 1, 2].map((stage) => ({
        maskLogits: tf.tensor2d(Float32Array.from(randomValues(pointCount * 2, 20 + stage, -4, 4)), [pointCount, 2]),
        classLogits: tf.tensor2d(Float32Array.from(randomValues(2 * 3, 30 + stage, -4, 4)), [2, 3]),
      }));
      const ignoreMask = [0, 0, 0, 0, 1];
      const losses = totalLoss({ stages, targets, classLabels: [2, 0], ignoreMask }, { bce: 2, dice: 3, ce: 0.25 });
      let bce = 0;
      let dice = 0;
      let ce = 0;
      for (const stage of stages) {
        bce += binaryCrossEntropyWithLogits(stage.maskLogits, targets, { ignoreMask }).dataSync()[0];
        dice += diceLoss(stage.maskLogits, targets, { ignoreMask }).dataSync()[0];
        ce += classCrossEntropy(stage.classLogits, [2, 0]).dataSync()[0];
      }
      expect(losses.bce.dataSync()[0]).toBeCloseTo(bce, 5);
      expect(losses.dice.dataSync()[0]).toBeCloseTo(dice, 5);
      expect(losses.ce.dataSync()[0]).toBeCloseTo(ce, 5);
      expect(losses.total.dataSync()[0]).toBeCloseTo(2 * bce + 3 * dice + 0.25 * ce, 4);
      const defaults = totalLoss({ stages, targets, classLabels: [2, 0], ignoreMask });
      expect(defaults.total.dataSync()[0]).toBeCloseTo(
        DEFAULT_LOSS_WEIGHTS.bce * bce + DEFAULT_LOSS_WEIGHTS.dice * dice + DEFAULT_LOSS_WEIGHTS.ce * ce,
        4,
      );
    });
  });

  it('rejects inputs of the wrong shape or range with a typed error', () => {
    tf.tidy(() => {
      const logits = tf.zeros([4, 2]) as tf.Tensor2D;
      expect(() => binaryCrossEntropyWithLogits(logits, tf.zeros([4, 3]) as tf.Tensor2D)).toThrow(LossInputError);
      expect(() => diceLoss(logits, tf.zeros([4, 2]) as tf.Tensor2D, { ignoreMask: [0, 1] })).toThrow(/ignoreMask.length/);
      expect(() => classCrossEntropy(logits, [0, 5, 0, 0])).toThrow(/labels\[1\] must be in \[0, 2\)/);
      expect(() => totalLoss({ stages: [], targets: logits, classLabels: [0, 0] })).toThrow(LossInputError);
    });
  });
});
