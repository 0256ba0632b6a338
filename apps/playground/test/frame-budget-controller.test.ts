/**
 * The adaptive point budget (pure logic): slow frames lower the effective budget in proportion, fast budget-limited
 * frames raise it after a streak, the band between leaves it alone, and it never leaves [floor, ceiling].
 */
import { describe, expect, it } from 'vitest';
import { FrameBudgetController, LOWERING_MARGIN, RAISING_FACTOR, RAISING_FRAMES } from '../src/viewer/frame-budget-controller.js';

const TARGET = 60;
const controller = (ceilingPoints = 500_000, floorPoints = 100_000) => new FrameBudgetController({ targetMilliseconds: TARGET, ceilingPoints, floorPoints });

describe('FrameBudgetController', () => {
  it('starts at the ceiling and lowers it in proportion after one slow frame', () => {
    const budget = controller();
    expect(budget.effectiveBudget).toBe(500_000);
    // 500k points in 240 ms: 125k fit in 60 ms, times the margin.
    expect(budget.recordFrame(240, 500_000)).toBe(true);
    expect(budget.effectiveBudget).toBe(Math.floor(125_000 * LOWERING_MARGIN));
  });

  it('never goes below the floor, however slow the frames', () => {
    const budget = controller();
    for (let frame = 0; frame < 5; frame++) budget.recordFrame(5_000, budget.effectiveBudget);
    expect(budget.effectiveBudget).toBe(100_000);
    expect(budget.recordFrame(5_000, 100_000)).toBe(false);
  });

  it('raises only after a streak of fast, budget-limited frames, and never above the ceiling', () => {
    const budget = controller();
    budget.recordFrame(600, 500_000);
    expect(budget.effectiveBudget).toBe(100_000);
    for (let frame = 1; frame < RAISING_FRAMES; frame++) expect(budget.recordFrame(10, 100_000)).toBe(false);
    expect(budget.recordFrame(10, 100_000)).toBe(true);
    expect(budget.effectiveBudget).toBe(100_000 * RAISING_FACTOR);
    // A fast frame that drew well under the budget says nothing about a larger one.
    for (let frame = 0; frame < RAISING_FRAMES * 2; frame++) budget.recordFrame(10, 20_000);
    expect(budget.effectiveBudget).toBe(100_000 * RAISING_FACTOR);
    for (let frame = 0; frame < RAISING_FRAMES * 20; frame++) budget.recordFrame(1, budget.effectiveBudget);
    expect(budget.effectiveBudget).toBe(500_000);
  });

  it('a slow frame breaks a streak of fast ones', () => {
    const budget = controller();
    budget.recordFrame(300, 500_000);
    const lowered = budget.effectiveBudget;
    budget.recordFrame(10, lowered);
    budget.recordFrame(10, lowered);
    budget.recordFrame(40, lowered);
    budget.recordFrame(10, lowered);
    expect(budget.effectiveBudget).toBe(lowered);
  });

  it('keeps the budget while frames stay between half the target and the target (hysteresis: no oscillation)', () => {
    const budget = controller();
    budget.recordFrame(200, 500_000);
    const settled = budget.effectiveBudget;
    // Frame time proportional to the points drawn, at the cost the first frame showed (0.4 µs per point).
    const frameTime = (points: number) => points * (200 / 500_000);
    const seen = new Set<number>();
    for (let frame = 0; frame < 100; frame++) {
      budget.recordFrame(frameTime(budget.effectiveBudget), budget.effectiveBudget);
      seen.add(budget.effectiveBudget);
    }
    expect(frameTime(settled)).toBeLessThanOrEqual(TARGET);
    expect(frameTime(settled)).toBeGreaterThanOrEqual(TARGET / 2);
    expect([...seen]).toEqual([settled]);
  });

  it('a raise never passes what the measured cost says fits the target', () => {
    const budget = controller(10_000_000);
    budget.recordFrame(6_000, 1_000_000); // 10k points fit 60 ms; floored at 100k
    expect(budget.effectiveBudget).toBe(100_000);
    // 100k points in 29 ms (just under half the target): about 207k fit, times the margin.
    for (let frame = 0; frame < RAISING_FRAMES; frame++) budget.recordFrame(29, 100_000);
    expect(budget.effectiveBudget).toBe(Math.ceil(100_000 * RAISING_FACTOR));
    const costPerPoint = 29 / 100_000;
    for (let frame = 0; frame < 200; frame++) budget.recordFrame(budget.effectiveBudget * costPerPoint, budget.effectiveBudget);
    expect(budget.effectiveBudget * costPerPoint).toBeLessThanOrEqual(TARGET);
  });

  it('a new ceiling caps the effective budget at once; a higher one is reached through fast frames', () => {
    const budget = controller();
    budget.recordFrame(120, 500_000);
    expect(budget.effectiveBudget).toBe(200_000);
    budget.setCeiling(150_000);
    expect(budget.effectiveBudget).toBe(150_000);
    budget.setCeiling(3_000_000);
    expect(budget.effectiveBudget).toBe(150_000);
    expect(budget.ceilingPoints).toBe(3_000_000);
  });

  it('a ceiling under the floor becomes the floor', () => {
    const budget = controller(50_000);
    expect(budget.floorPoints).toBe(50_000);
    budget.recordFrame(10_000, 50_000);
    expect(budget.effectiveBudget).toBe(50_000);
  });

  it('without a target the effective budget is the ceiling whatever the frames', () => {
    const budget = new FrameBudgetController({ targetMilliseconds: 0, ceilingPoints: 500_000, floorPoints: 100_000 });
    expect(budget.isAdaptive).toBe(false);
    expect(budget.recordFrame(10_000, 500_000)).toBe(false);
    expect(budget.effectiveBudget).toBe(500_000);
    const adaptive = controller();
    adaptive.recordFrame(1_000, 500_000);
    adaptive.setTarget(0);
    expect(adaptive.effectiveBudget).toBe(500_000);
  });

  it('ignores frames without points or time, and rejects settings that are not numbers', () => {
    const budget = controller();
    expect(budget.recordFrame(500, 0)).toBe(false);
    expect(budget.recordFrame(Number.NaN, 500_000)).toBe(false);
    expect(budget.recordFrame(Number.POSITIVE_INFINITY, 500_000)).toBe(false);
    expect(budget.effectiveBudget).toBe(500_000);
    expect(() => new FrameBudgetController({ targetMilliseconds: Number.NaN, ceilingPoints: 1, floorPoints: 1 })).toThrow(/targetMilliseconds/);
    expect(() => budget.setCeiling(0)).toThrow(/ceilingPoints/);
  });
});
