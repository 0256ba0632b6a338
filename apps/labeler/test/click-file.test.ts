import { describe, expect, it } from 'vitest';
import { parseClickFile } from '../src/labelling/click-file.js';
import { ClickFileError } from '../src/labelling/labelling-errors.js';

describe('parseClickFile', () => {
  it('reads position and pointIndex clicks by scan name, kind defaulting to object', () => {
    const clicks = parseClickFile(
      JSON.stringify({ scans: { 'a.ply': [{ position: [1.2, 0.4, 0.8], objectId: 1, kind: 'object' }, { pointIndex: 5012, objectId: 2, kind: 'background' }], 'b.npy': [{ pointIndex: 0, objectId: 3 }] } }),
      'clicks.json',
    );
    expect([...clicks.keys()]).toEqual(['a.ply', 'b.npy']);
    expect(clicks.get('a.ply')).toEqual([
      { position: [1.2, 0.4, 0.8], objectId: 1, kind: 'object' },
      { pointIndex: 5012, objectId: 2, kind: 'background' },
    ]);
    expect(clicks.get('b.npy')).toEqual([{ pointIndex: 0, objectId: 3, kind: 'object' }]);
  });

  it.each([
    ['not JSON', '{', /clicks\.json: invalid JSON/],
    ['no scans object', '{"clicks": []}', /clicks\.json \(scans\): expected an object/],
    ['a scan entry that is not a list', '{"scans": {"a.ply": {}}}', /\(scans\["a\.ply"\]\): expected an array of clicks/],
    ['objectId 0', '{"scans": {"a.ply": [{"pointIndex": 1, "objectId": 0}]}}', /\(scans\["a\.ply"\]\[0\]\.objectId\): expected a positive integer, got 0/],
    ['an unknown kind', '{"scans": {"a.ply": [{"pointIndex": 1, "objectId": 1, "kind": "fg"}]}}', /\[0\]\.kind\): expected "object" or "background", got "fg"/],
    ['two coordinates', '{"scans": {"a.ply": [{"pointIndex": 1, "objectId": 1}, {"position": [1, 2], "objectId": 1}]}}', /\[1\]\.position\): expected three finite numbers in metres, got \[1,2\]/],
    ['a negative pointIndex', '{"scans": {"a.ply": [{"pointIndex": -1, "objectId": 1}]}}', /\[0\]\.pointIndex\): expected a point index/],
    ['neither location', '{"scans": {"a.ply": [{"objectId": 1}]}}', /needs "position" \[x, y, z\] or "pointIndex"/],
    ['both locations', '{"scans": {"a.ply": [{"objectId": 1, "pointIndex": 1, "position": [0, 0, 0]}]}}', /either "position" or "pointIndex", not both/],
  ])('rejects %s with a ClickFileError naming the file and field', (_case, text, message) => {
    expect(() => parseClickFile(text, 'clicks.json')).toThrow(ClickFileError);
    expect(() => parseClickFile(text, 'clicks.json')).toThrow(message);
  });
});
