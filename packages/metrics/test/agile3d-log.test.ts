import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatAgile3dLine, MetricsInputError, parseAgile3dLog, summarizeInteractive } from '../src/index.js';

const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const resultsFolder = join(sharedData, 'agile3d-results');
const available = existsSync(resultsFolder);
if (!available) console.warn(`[metrics] skipping AGILE3D figure reproduction: ${resultsFolder} is absent`);

describe('parseAgile3dLog', () => {
  it('reads the five fields, skips blank lines and a header', () => {
    const entries = parseAgile3dLog('index scene object clicks iou\n0 0568_00 3 1.0 0.6161207\n\n1 office_28 4 2 1.0\n');
    expect(entries).toEqual([
      { index: 0, scene: '0568_00', objectId: '3', clickCount: 1, iou: 0.6161207 },
      { index: 1, scene: 'office_28', objectId: '4', clickCount: 2, iou: 1 },
    ]);
  });

  it('names the file, line and field of a malformed line', () => {
    expect(() => parseAgile3dLog('0 a 1 1.0 0.5\n1 a 1 x 0.5', { fileName: 'log.csv' })).toThrow(/log\.csv \(line 2, field 4 \(num_clicks\)\)/);
    expect(() => parseAgile3dLog('0 a 1 1.0', { fileName: 'log.csv' })).toThrow(MetricsInputError);
    expect(() => parseAgile3dLog('0 a 1 1.0 1.5')).toThrow(/field 5 \(iou\)/);
  });
});

describe('summarizeInteractive', () => {
  it('computes IoU@k and NoC@q by hand on a two-key log', () => {
    // Key A reaches 0.5 at 1 click and 0.8 at 3; key B never reaches 0.8 and is cut off at 20 clicks.
    const text = [
      '0 A 1 0.0 0.0', '0 A 1 1.0 0.6', '0 A 1 3.0 0.85', '0 A 1 20.0 0.95',
      '1 B 2 0.0 0.0', '1 B 2 1.0 0.4', '1 B 2 1.5 0.55', '1 B 2 3.0 0.7', '1 B 2 20.0 0.75', '1 B 2 21.0 0.9',
    ].join('\n');
    const summary = summarizeInteractive(parseAgile3dLog(text));
    expect(summary.iouAt[1]).toBeCloseTo(50, 10);
    expect(summary.iouAt[3]).toBeCloseTo(77.5, 10);
    expect(summary.iouAt[5]).toBeNaN();
    expect(summary.nocAt[50]).toBeCloseTo((1 + 1.5) / 2, 10);
    expect(summary.nocAt[80]).toBeCloseTo((3 + 20) / 2, 10);
    expect(summary.nocAt[90]).toBeCloseTo((20 + 20) / 2, 10);
  });
});

describe('formatAgile3dLine', () => {
  it('writes Python float click counts and numpy float32 IoU that parse back', () => {
    const line = formatAgile3dLine({ index: 3, scene: 'scene0568_00', objectId: '3', clickCount: 4 / 3, iou: 0.7013337 }, 'float');
    expect(line).toBe('3 0568_00 3 1.3333333333333333 0.7013337');
    expect(formatAgile3dLine({ index: 0, scene: 'x', objectId: '2', clickCount: 1, iou: 0 }, 'float')).toBe('0 x 2 1.0 0.0');
    expect(formatAgile3dLine({ index: 0, scene: 'x', objectId: '7', clickCount: 5, iou: 1 }, 'integer')).toBe('0 x 7 5 1.0');
    const [entry] = parseAgile3dLog(line);
    expect(entry.clickCount).toBe(4 / 3);
    expect(entry.iou).toBeCloseTo(0.7013337, 7);
  });
});

// Figures printed in shared/data/README.md (from AGILE3D's paper), at the printed precision.
const PUBLISHED: Record<string, { iouAt: [number, number, number]; nocAt: [number, number, number] }> = {
  'our_multi_scannet.csv': { iouAt: [82.3, 85.0, 86.0], nocAt: [6.3, 10.0, 14.4] },
  'our_multi_s3dis.csv': { iouAt: [86.3, 88.3, 90.3], nocAt: [3.4, 5.7, 9.6] },
  'our_multi_kitti360.csv': { iouAt: [40.4, 44.3, 48.2], nocAt: [17.4, 18.3, 18.8] },
};

describe.skipIf(!available)('AGILE3D published results', () => {
  const files = available ? readdirSync(resultsFolder).filter((name) => name.endsWith('.csv')) : [];

  it.each(Object.keys(PUBLISHED))('%s reproduces the paper figures', (name) => {
    const summary = summarizeInteractive(parseAgile3dLog(readFileSync(join(resultsFolder, name), 'utf8'), { fileName: name }));
    const expected = PUBLISHED[name];
    const iou = [summary.iouAt[5], summary.iouAt[10], summary.iouAt[15]].map((value) => Number(value.toFixed(1)));
    const noc = [summary.nocAt[80], summary.nocAt[85], summary.nocAt[90]].map((value) => Number(value.toFixed(1)));
    expect(iou).toEqual(expected.iouAt);
    expect(noc).toEqual(expected.nocAt);
  });

  it('parses every results file and gives finite, ordered figures', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const name of files) {
      const text = readFileSync(join(resultsFolder, name), 'utf8');
      const entries = parseAgile3dLog(text, { fileName: name });
      expect(entries.length).toBe(text.split('\n').filter((line) => line.trim() !== '').length);
      const summary = summarizeInteractive(entries);
      for (const clicks of [1, 3, 5, 10, 15] as const) {
        expect(summary.iouAt[clicks]).toBeGreaterThan(0);
        expect(summary.iouAt[clicks]).toBeLessThanOrEqual(100);
      }
      // A stricter threshold can never need fewer clicks.
      expect(summary.nocAt[50]).toBeLessThanOrEqual(summary.nocAt[65]);
      expect(summary.nocAt[85]).toBeLessThanOrEqual(summary.nocAt[90]);
      expect(summary.nocAt[90]).toBeLessThanOrEqual(20);
    }
  });
});
