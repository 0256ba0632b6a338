import { describe, expect, it } from 'vitest';
import { readPointCloud, readLabelsJson } from '@pointclick/io';
import {
  addClick,
  createEmptySession,
  deleteObject,
  nextFreeObjectId,
  removeClick,
  SessionHistory,
  startNewObject,
  updateObject,
} from '../src/state/session-history.js';
import { fingerprintPositions, parseSessionDocument, SessionFileError, writeSessionDocument } from '../src/state/session-file.js';
import { buildExports } from '../src/export/label-export.js';
import { computePointColors, colorOfObject } from '../src/viewer/point-colors.js';

describe('SessionHistory', () => {
  it('undoes and redoes clicks, object changes and deletions in order', () => {
    const history = new SessionHistory();
    const seen: number[] = [];
    history.onChange = (state) => seen.push(state.clicks.length);
    history.apply((state) => addClick(state, { pointIndex: 4, objectId: 1, kind: 'object' }));
    history.apply(startNewObject);
    expect(history.state.activeObjectId).toBe(2);
    history.apply((state) => addClick(state, { pointIndex: 9, objectId: state.activeObjectId, kind: 'object' }));
    history.apply((state) => addClick(state, { pointIndex: 11, objectId: state.activeObjectId, kind: 'background' }));
    history.apply((state) => updateObject(state, 1, { classOverride: 3 }));
    history.apply((state) => deleteObject(state, 2));
    // Deleting object 2 keeps the background click.
    expect(history.state.clicks.map((click) => click.pointIndex)).toEqual([4, 11]);
    expect(history.undo()).toBe(true);
    expect(history.state.clicks.map((click) => click.pointIndex)).toEqual([4, 9, 11]);
    expect(history.undo()).toBe(true);
    expect(history.state.objects[1].classOverride).toBeUndefined();
    expect(history.redo()).toBe(true);
    expect(history.state.objects[1].classOverride).toBe(3);
    // A new action drops the redo stack.
    history.apply((state) => removeClick(state, 0));
    expect(history.canRedo).toBe(false);
    expect(history.state.clicks.map((click) => click.pointIndex)).toEqual([9, 11]);
    while (history.undo());
    expect(history.state).toEqual(createEmptySession());
    expect(seen.length).toBeGreaterThan(6);
  });

  it('ignores actions that change nothing and picks a free object id', () => {
    const history = new SessionHistory();
    history.apply((state) => removeClick(state, 3));
    expect(history.canUndo).toBe(false);
    const state = addClick(addClick(createEmptySession(), { pointIndex: 0, objectId: 4, kind: 'object' }), { pointIndex: 1, objectId: 7, kind: 'background' });
    // Background clicks do not reserve their object id.
    expect(nextFreeObjectId(state)).toBe(5);
  });
});

describe('session files', () => {
  const positions = Float32Array.from({ length: 300 }, (_, index) => index * 0.01);

  it('round-trips a session and rejects a click outside the scan, naming the field', () => {
    let state = addClick(createEmptySession(), { pointIndex: 99, objectId: 1, kind: 'object' });
    state = updateObject(state, 1, { visible: false });
    const identity = { name: 'room.ply', pointCount: 100, fingerprint: fingerprintPositions(positions) };
    const text = writeSessionDocument(identity, state, ['wall', 'chair']);
    const document = parseSessionDocument(text, 'room.session.json');
    expect(document.state).toEqual(state);
    expect(document.scan).toEqual(identity);
    const broken = text.replace('"pointIndex": 99', '"pointIndex": 100');
    expect(() => parseSessionDocument(broken, 'room.session.json')).toThrow(SessionFileError);
    expect(() => parseSessionDocument(broken, 'room.session.json')).toThrow(/room\.session\.json: field 'state\.clicks\[0\]\.pointIndex'/);
    expect(() => parseSessionDocument('{', 'x.json')).toThrow(/x\.json: not valid JSON/);
  });

  it('fingerprints differ when one position differs', () => {
    const changed = positions.slice();
    changed[150] += 0.5;
    expect(fingerprintPositions(changed)).not.toBe(fingerprintPositions(positions));
    expect(fingerprintPositions(positions.slice())).toBe(fingerprintPositions(positions));
  });
});

describe('buildExports', () => {
  it('writes instance and semantic (class index + 1) that @pointclick/io reads back, with clicks in the JSON', async () => {
    const positions = Float32Array.from({ length: 15 }, (_, index) => index);
    const colors = Uint8Array.from({ length: 15 }, (_, index) => index * 10);
    const instance = Int32Array.from([0, 1, 1, 2, 0]);
    const clicks = [{ pointIndex: 1, objectId: 1, kind: 'object' as const }, { pointIndex: 3, objectId: 2, kind: 'object' as const }];
    const { ply, labelsJson } = buildExports({
      positions,
      colors,
      instance,
      objects: [
        { objectId: 1, classIndex: 2, confidence: 0.8, pointCount: 2 },
        { objectId: 2, classIndex: 0, confidence: 1, pointCount: 1 },
      ],
      classNames: ['wall', 'floor', 'chair'],
      clicks,
      scanName: 'tiny.ply',
    });
    const cloud = await readPointCloud(ply, { fileName: 'export.ply' });
    expect(Array.from(cloud.instance!)).toEqual([0, 1, 1, 2, 0]);
    expect(Array.from(cloud.semantic!)).toEqual([0, 3, 3, 1, 0]);
    expect(Array.from(cloud.colors!)).toEqual(Array.from(colors));
    const labels = readLabelsJson(labelsJson, { expectedPointCount: 5 });
    expect(Array.from(labels.semantic!)).toEqual([0, 3, 3, 1, 0]);
    const document = JSON.parse(labelsJson) as { classNames: Record<string, string>; clicks: unknown[]; objects: { className: string }[] };
    expect(document.classNames).toEqual({ 0: 'unlabeled', 1: 'wall', 2: 'floor', 3: 'chair' });
    expect(document.clicks).toEqual(clicks);
    expect(document.objects.map((object) => object.className)).toEqual(['chair', 'wall']);
  });
});

describe('computePointColors', () => {
  it('draws visible masks in their object colour and leaves hidden ones and unlabelled points grey', () => {
    const positions = new Float32Array(9);
    const instance = Int32Array.from([1, 2, 0]);
    const output = new Uint8Array(9);
    const objects = new Map([
      [1, { color: colorOfObject(1), classIndex: 0, visible: true }],
      [2, { color: colorOfObject(2), classIndex: 1, visible: false }],
    ]);
    computePointColors({ positions, instance, objects, mode: 'instance', heightRange: [0, 1] }, output);
    expect(Array.from(output.subarray(0, 3))).toEqual(colorOfObject(1));
    expect(Array.from(output.subarray(3, 6))).toEqual([150, 150, 150]);
    expect(Array.from(output.subarray(6, 9))).toEqual([150, 150, 150]);
  });
});
