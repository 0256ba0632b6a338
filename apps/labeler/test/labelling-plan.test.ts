import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLabelling } from '../src/labelling/labelling-plan.js';
import { LabelRunError } from '../src/labelling/labelling-errors.js';
import { OUTPUT_FORMATS, outputFormatNamed } from '../src/labelling/output-formats.js';

const click = { pointIndex: 0, objectId: 1, kind: 'object' as const };

describe('planLabelling', () => {
  it('pairs scans with their clicks by file name and names outputs after the scan', () => {
    const clicks = new Map([['a.ply', [click]], ['b.npy', [click]], ['c.ply', [click]]]);
    const plan = planLabelling(['data/a.ply', 'data/b.npy', 'data/d.ply', 'data/a.ply'], clicks, 'out', outputFormatNamed('json'));
    expect(plan.tasks.map((task) => [task.scanName, task.outputPath])).toEqual([
      ['a.ply', join(resolve('out'), 'a.labels.json')],
      ['b.npy', join(resolve('out'), 'b.labels.json')],
    ]);
    expect(plan.tasks[0].scanPath).toBe(resolve('data/a.ply'));
    expect(plan.scansWithoutClicks).toEqual([resolve('data/d.ply')]);
    expect(plan.unmatchedClickEntries).toEqual(['c.ply']);
  });

  it('refuses two scans that would write one output', () => {
    const clicks = new Map([['a.ply', [click]], ['a.npy', [click]]]);
    expect(() => planLabelling(['x/a.ply', 'x/a.npy'], clicks, 'out', outputFormatNamed('ply'))).toThrow(LabelRunError);
    expect(() => planLabelling(['x/a.ply', 'x/a.npy'], clicks, 'out', outputFormatNamed('ply'))).toThrow(/would both write .*a\.ply/);
  });

  it('refuses an output that would overwrite a scan', () => {
    const clicks = new Map([['a.ply', [click]]]);
    expect(() => planLabelling(['x/a.ply'], clicks, 'x', outputFormatNamed('ply'))).toThrow(/would overwrite the scan/);
  });

  it('names the formats there are for an unknown one', () => {
    expect(() => outputFormatNamed('laz')).toThrow(`unknown output format 'laz': expected ${[...OUTPUT_FORMATS.keys()].join(', ')}`);
  });
});
