import { describe, expect, it } from 'vitest';
import type { PointCloud } from '../src/core/point-cloud.js';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readLabelsCsv, writeLabelsCsv } from '../src/labels/labels-csv.js';
import { readLabelsJson, writeLabelsJson } from '../src/labels/labels-json.js';
import { attachPointLabels } from '../src/labels/point-labels.js';

const cloud: PointCloud = {
  pointCount: 4,
  positions: new Float32Array(12),
  instance: new Int32Array([0, 1, 1, 2]),
  semantic: new Int32Array([0, 5, 5, -1]),
};

describe('labels JSON', () => {
  it('round-trips instance and semantic ids with class names', () => {
    const text = writeLabelsJson(cloud, { classNames: { 5: 'chair' } });
    expect(JSON.parse(text)).toEqual({
      format: 'pointclick-labels', version: 1, pointCount: 4, instance: [0, 1, 1, 2], semantic: [0, 5, 5, -1], classNames: { 5: 'chair' },
    });
    const labels = readLabelsJson(new TextEncoder().encode(text), { expectedPointCount: 4 });
    expect(labels).toEqual({ pointCount: 4, instance: cloud.instance, semantic: cloud.semantic, classNames: { 5: 'chair' } });
    const attached = attachPointLabels({ pointCount: 4, positions: new Float32Array(12) }, labels);
    expect(attached.metadata?.classNames).toEqual({ 5: 'chair' });
    expect(attached.instance).toEqual(cloud.instance);
  });

  it('rejects malformed documents', () => {
    const bad = [
      '{"format":"pointclick-labels","version":1,"pointCount":2,"instance":[1]}',
      '{"format":"pointclick-labels","version":1,"pointCount":1,"semantic":[1.5]}',
      '{"format":"other","version":1,"pointCount":0}',
      '{"format":"pointclick-labels","version":1,"pointCount":1,"semantic":[1],"classNames":{"a":"b"}}',
      '{"format":"pointclick-labels"',
    ];
    for (const text of bad) expect(() => readLabelsJson(text, { fileName: 'labels.json' })).toThrow(PointCloudFormatError);
    expect(() => readLabelsJson(writeLabelsJson(cloud), { expectedPointCount: 5 })).toThrow(/cloud has 5/);
  });
});

describe('labels CSV', () => {
  it('round-trips instance and semantic ids', () => {
    const text = writeLabelsCsv(cloud);
    expect(text).toBe('point,instance,semantic\n0,0,0\n1,1,5\n2,1,5\n3,2,-1\n');
    expect(readLabelsCsv(text.replace(/\n/g, '\r\n'), { expectedPointCount: 4 })).toEqual({
      pointCount: 4, instance: cloud.instance, semantic: cloud.semantic,
    });
    expect(readLabelsCsv('point,semantic\n0,3')).toEqual({ pointCount: 1, semantic: new Int32Array([3]) });
  });

  it('rejects malformed rows, naming the line', () => {
    const cases: [string, RegExp, number][] = [
      ['point,semantic\n0,1\n2,1\n', /expected point 1/, 3],
      ['point,semantic\n0,x\n', /not a 32-bit integer/, 2],
      ['point,semantic\n0,1,2\n', /expected 2 values/, 2],
      ['point,colour\n0,1\n', /unknown column/, 1],
    ];
    for (const [text, pattern, line] of cases) {
      const error = (() => {
        try {
          readLabelsCsv(text);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(PointCloudFormatError);
      expect((error as Error).message).toMatch(pattern);
      expect((error as PointCloudFormatError).line).toBe(line);
    }
  });
});
