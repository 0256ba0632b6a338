import { describe, expect, it } from 'vitest';
import { formatScanSummary, summarizeScan } from '../src/scan-summary.js';

describe('summarizeScan', () => {
  it('reports bounds, attributes and label counts', () => {
    const summary = summarizeScan({
      pointCount: 4,
      positions: new Float32Array([0, 0, 0, 2, -1, 0.5, 1, 3, 0, -1, 0, 1]),
      colors: new Uint8Array(12),
      instance: new Int32Array([0, 5, 5, 9]),
      semantic: new Int32Array([1, 3, 3, 3]),
      attributes: { confidence: new Float32Array(4) },
      metadata: { classNames: { 1: 'wall', 3: 'cabinet' }, droppedPointCount: 2 },
    });
    expect(summary.bounds.minimum).toEqual([-1, -1, 0]);
    expect(summary.bounds.maximum).toEqual([2, 3, 1]);
    expect(summary.bounds.extent).toEqual([3, 4, 1]);
    expect(summary.attributes).toEqual(['positions', 'colors', 'instance', 'semantic', 'confidence']);
    expect(summary.instances).toEqual({ count: 2, unlabeledPointCount: 1 });
    expect(summary.semanticClasses).toEqual([
      { id: 3, name: 'cabinet', pointCount: 3 },
      { id: 1, name: 'wall', pointCount: 1 },
    ]);
    const text = formatScanSummary(summary, 'room.ply');
    expect(text).toContain('2 invalid points dropped');
    expect(text).toMatch(/cabinet\s+3 points/);
  });

  it('handles an empty cloud without infinite bounds', () => {
    const summary = summarizeScan({ pointCount: 0, positions: new Float32Array(0) });
    expect(summary.bounds.extent).toEqual([0, 0, 0]);
    expect(summary.instances).toBeUndefined();
  });
});
