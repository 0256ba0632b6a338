import { describe, expect, it } from 'vitest';
import {
  computeCalibration,
  computeClassAccuracy,
  computeClassConfusion,
  computeNegativeLogLikelihood,
  findShownClass,
  fitTemperature,
  MetricsInputError,
  rankClass,
  scaleProbabilities,
  type ClassPrediction,
} from '../src/index.js';
import { createRandom } from '@pointclick/sampling';

const prediction = (trueClass: number, probabilities: number[]): ClassPrediction => ({ trueClass, probabilities });

describe('findShownClass / rankClass', () => {
  it('orders classes by probability, ties to the lower index', () => {
    const probabilities = [0.1, 0.4, 0.4, 0.1];
    expect(findShownClass(probabilities)).toBe(1);
    expect(rankClass(probabilities, 1)).toBe(0);
    expect(rankClass(probabilities, 2)).toBe(1);
    expect(rankClass(probabilities, 0)).toBe(2);
    expect(rankClass(probabilities, 3)).toBe(3);
  });
});

describe('computeClassAccuracy', () => {
  const predictions = [
    prediction(1, [0, 0.9, 0.05, 0.05]), // right
    prediction(2, [0, 0.5, 0.3, 0.2]), // second
    prediction(3, [0.4, 0.3, 0.2, 0.1]), // fourth
    prediction(0, [0.1, 0.5, 0.4, 0]), // third
  ];

  it('counts an object right at k when its class is among the k most probable', () => {
    const accuracy = computeClassAccuracy(predictions, { ranks: [1, 2, 3] });
    expect(accuracy.count).toBe(4);
    expect(accuracy.accuracyAt[1]).toBeCloseTo(0.25);
    expect(accuracy.accuracyAt[2]).toBeCloseTo(0.5);
    expect(accuracy.accuracyAt[3]).toBeCloseTo(0.75);
  });

  it('leaves excluded true classes out', () => {
    const accuracy = computeClassAccuracy(predictions, { excludeClasses: [1, 0] });
    expect(accuracy.count).toBe(2);
    expect(accuracy.accuracyAt[1]).toBe(0);
    expect(accuracy.accuracyAt[3]).toBeCloseTo(0.5);
  });

  it('reports NaN when nothing is left to score', () => {
    expect(computeClassAccuracy([], {}).accuracyAt[1]).toBeNaN();
  });

  it('rejects a true class outside the probability vector and bad probabilities, naming the entry', () => {
    expect(() => computeClassAccuracy([prediction(4, [0.5, 0.5])])).toThrow(/\[0\]\.trueClass\): expected a class index in \[0, 2\)/);
    expect(() => computeClassAccuracy([predictions[0], prediction(0, [Number.NaN, 1])])).toThrow(MetricsInputError);
    expect(() => computeClassAccuracy(predictions, { ranks: [0] })).toThrow(/options\.ranks/);
  });
});

describe('computeClassConfusion', () => {
  it('gives count, accuracy and the most frequent wrong class per true class, largest first', () => {
    const rows = computeClassConfusion([
      prediction(2, [0, 0.2, 0.8]),
      prediction(2, [0, 0.7, 0.3]),
      prediction(2, [0.6, 0.3, 0.1]),
      prediction(2, [0.2, 0.7, 0.1]),
      prediction(1, [0.1, 0.8, 0.1]),
    ]);
    expect(rows.map((row) => row.trueClass)).toEqual([2, 1]);
    expect(rows[0]).toEqual({ trueClass: 2, count: 4, accuracy: 0.25, confusedWith: 1, confusedCount: 2 });
    expect(rows[1]).toEqual({ trueClass: 1, count: 1, accuracy: 1, confusedWith: undefined, confusedCount: 0 });
  });
});

describe('computeCalibration', () => {
  it('bins the shown confidence and weighs |accuracy − confidence| by bin size', () => {
    const calibration = computeCalibration(
      [
        prediction(0, [0.95, 0.05]), // bin 9, right
        prediction(1, [0.95, 0.05]), // bin 9, wrong
        prediction(1, [0.35, 0.65]), // bin 6, right
        prediction(0, [0.45, 0.55]), // bin 5, wrong
      ],
      10,
    );
    expect(calibration.bins).toHaveLength(10);
    expect(calibration.bins[9]).toMatchObject({ count: 2, accuracy: 0.5 });
    expect(calibration.bins[9].meanConfidence).toBeCloseTo(0.95);
    expect(calibration.bins[6]).toMatchObject({ count: 1, accuracy: 1 });
    expect(calibration.bins[5]).toMatchObject({ count: 1, accuracy: 0 });
    expect(calibration.bins[0].count).toBe(0);
    expect(calibration.bins[0].accuracy).toBeNaN();
    // (2·0.45 + 1·0.35 + 1·0.55) / 4
    expect(calibration.expectedCalibrationError).toBeCloseTo((2 * 0.45 + 0.35 + 0.55) / 4, 10);
  });

  it('puts a confidence on a bin edge in the lower bin and 1 in the last', () => {
    const bins = computeCalibration([prediction(0, [0.5, 0.5]), prediction(0, [1, 0])], 10).bins;
    expect(bins[4].count).toBe(1);
    expect(bins[9].count).toBe(1);
  });

  it('is 0 for predictions as right as they are confident', () => {
    const predictions = [prediction(0, [0.75, 0.25]), prediction(0, [0.75, 0.25]), prediction(0, [0.75, 0.25]), prediction(1, [0.75, 0.25])];
    expect(computeCalibration(predictions).expectedCalibrationError).toBeCloseTo(0, 12);
  });

  it('rejects a bin count that is not a positive integer', () => {
    expect(() => computeCalibration([], 0)).toThrow(/binCount: expected a positive integer/);
  });
});

describe('temperature scaling', () => {
  it('scales probabilities as softmax(log p / T)', () => {
    const probabilities = [0.5, 0.3, 0.2];
    expect([...scaleProbabilities(probabilities, 1)].map((value) => Number(value.toFixed(9)))).toEqual([0.5, 0.3, 0.2]);
    const squared = scaleProbabilities(probabilities, 0.5); // p² normalised
    const sum = 0.25 + 0.09 + 0.04;
    expect(squared[0]).toBeCloseTo(0.25 / sum, 10);
    expect(squared[2]).toBeCloseTo(0.04 / sum, 10);
    expect(() => scaleProbabilities(probabilities, 0)).toThrow(/temperature/);
  });

  it('recovers the temperature that made over-confident predictions', () => {
    // Classes drawn from softmax(z), shown as softmax(3 z): the fitted temperature undoes the factor 3.
    const random = createRandom(7);
    const predictions: ClassPrediction[] = [];
    for (let sample = 0; sample < 3000; sample++) {
      const logits = Array.from({ length: 5 }, () => random.next() * 4 - 2);
      const truth = [...scaleProbabilities(logits.map(Math.exp).map((value, _, all) => value / all.reduce((a, b) => a + b, 0)), 1)];
      let draw = random.next();
      let trueClass = 0;
      while (trueClass < 4 && draw > truth[trueClass]) draw -= truth[trueClass++];
      predictions.push({ trueClass, probabilities: scaleProbabilities(truth, 1 / 3) });
    }
    const temperature = fitTemperature(predictions);
    expect(temperature).toBeGreaterThan(2.6);
    expect(temperature).toBeLessThan(3.4);
    expect(computeNegativeLogLikelihood(predictions, temperature)).toBeLessThan(computeNegativeLogLikelihood(predictions, 1));
    const before = computeCalibration(predictions).expectedCalibrationError;
    const after = computeCalibration(predictions.map((entry) => ({ ...entry, probabilities: scaleProbabilities(entry.probabilities, temperature) }))).expectedCalibrationError;
    expect(after).toBeLessThan(before / 2);
  });

  it('adds a class bias after the temperature and fits the temperature with the bias held fixed', () => {
    const probabilities = [0.5, 0.3, 0.2];
    // softmax(log p / 2 + b): with b = [0, 0, ln 4] the last class overtakes the first.
    const biased = scaleProbabilities(probabilities, 2, [0, 0, Math.log(4)]);
    const expected = [Math.sqrt(0.5), Math.sqrt(0.3), 4 * Math.sqrt(0.2)];
    const sum = expected.reduce((total, value) => total + value, 0);
    expected.forEach((value, index) => expect(biased[index]).toBeCloseTo(value / sum, 10));
    expect([...scaleProbabilities(probabilities, 2, [0, 0, 0])]).toEqual([...scaleProbabilities(probabilities, 2)]);
    expect(() => scaleProbabilities(probabilities, 1, [0, 1])).toThrow(/classBias \(length\): expected 3 entries \(one per class\), received 2/);
    const predictions = [prediction(2, [0.5, 0.3, 0.2]), prediction(0, [0.6, 0.3, 0.1]), prediction(1, [0.2, 0.7, 0.1]), prediction(2, [0.4, 0.4, 0.2])];
    const classBias = [-0.3, 0, 0.3];
    const temperature = fitTemperature(predictions, { classBias });
    const lossAt = (value: number) => computeNegativeLogLikelihood(predictions, value, classBias);
    expect(lossAt(temperature)).toBeLessThan(lossAt(temperature * 1.1));
    expect(lossAt(temperature)).toBeLessThan(lossAt(temperature / 1.1));
    expect(fitTemperature(predictions, { classBias: [0, 0, 0] })).toBe(fitTemperature(predictions));
  });

  it('needs predictions and a valid range', () => {
    expect(() => fitTemperature([])).toThrow(/at least one prediction/);
    expect(() => fitTemperature([prediction(0, [0.6, 0.4])], { minimum: 2, maximum: 1 })).toThrow(/0 < minimum < maximum/);
  });
});
