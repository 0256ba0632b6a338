import { describe, expect, it } from 'vitest';
import { formatClassChoice, orderClassChoices } from '../src/app/class-choices.js';

const names = ['wall', 'floor', 'chair', 'table', 'sofa'];

describe('orderClassChoices', () => {
  it('orders classes by probability, most probable first, and marks the top three', () => {
    const choices = orderClassChoices(names, [0.05, 0.1, 0.2, 0.6, 0.05]);
    expect(choices.map((choice) => choice.name)).toEqual(['table', 'chair', 'floor', 'wall', 'sofa']);
    expect(choices.map((choice) => choice.topRank)).toEqual([1, 2, 3, undefined, undefined]);
    expect(choices[0].probability).toBeCloseTo(0.6);
    // Equal probabilities keep class-index order.
    expect(choices.slice(3).map((choice) => choice.classIndex)).toEqual([0, 4]);
  });

  it('keeps class-index order without a prediction or with probabilities of another length', () => {
    for (const probabilities of [undefined, [0.5, 0.5]]) {
      const choices = orderClassChoices(names, probabilities);
      expect(choices.map((choice) => choice.classIndex)).toEqual([0, 1, 2, 3, 4]);
      expect(choices.every((choice) => choice.topRank === undefined && choice.probability === undefined)).toBe(true);
    }
  });
});

describe('formatClassChoice', () => {
  it('stars the marked classes and shows percentages', () => {
    const [first, , , fourth] = orderClassChoices(names, [0.004, 0.1, 0.2, 0.616, 0.08]);
    expect(formatClassChoice(first)).toBe('★ table · 62%');
    expect(formatClassChoice(fourth)).toBe('sofa · 8%');
    expect(formatClassChoice(orderClassChoices(names, [0.004, 0.1, 0.2, 0.616, 0.08])[4])).toBe('wall · <1%');
    expect(formatClassChoice({ classIndex: 0, name: 'wall' })).toBe('wall');
  });
});
