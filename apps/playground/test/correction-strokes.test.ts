import { describe, expect, it } from 'vitest';
import { strokeConstraints, paintedObjectIds, type CorrectionStroke } from '../src/state/correction-strokes.js';
import { addStroke, createEmptySession, deleteObject, nextFreeObjectId, removeStroke, SessionHistory } from '../src/state/session-history.js';
import { parseSessionDocument, writeSessionDocument } from '../src/state/session-file.js';
import { selectBrushPoints, selectLassoPoints, type PointIdImage } from '../src/app/stroke-selection.js';

const stroke = (objectId: number, mode: CorrectionStroke['mode'], pointIndices: number[]): CorrectionStroke => ({ objectId, mode, tool: 'brush', pointIndices });

describe('strokeConstraints', () => {
  it('replays strokes in order: the latest stroke over a point decides, and the sets never contradict', () => {
    const { include, exclude } = strokeConstraints([
      stroke(1, 'add', [1, 2, 3, 4]),
      stroke(2, 'add', [3, 5]), // 3 moves from object 1 to object 2
      stroke(1, 'remove', [2, 9]), // 2 leaves object 1 and is erased from it
      stroke(1, 'add', [9]), // 9 painted back: no longer erased
    ]);
    expect(include).toEqual({ 1: [1, 4, 9], 2: [3, 5] });
    expect(exclude).toEqual({ 1: [2] });
    expect(paintedObjectIds([stroke(4, 'add', [1]), stroke(4, 'remove', [1]), stroke(5, 'remove', [2])])).toEqual(new Set());
  });
});

describe('strokes in the session', () => {
  it('a stroke is one undoable action; deleting an object drops its strokes; object ids stay free of strokes', () => {
    const history = new SessionHistory();
    history.apply((state) => addStroke(state, stroke(3, 'add', [7, 8])));
    history.apply((state) => addStroke(state, stroke(1, 'remove', [2])));
    expect(history.state.strokes).toHaveLength(2);
    expect(history.state.objects[3]).toEqual({ visible: true });
    expect(nextFreeObjectId(history.state)).toBe(4);
    history.undo();
    expect(history.state.strokes).toHaveLength(1);
    history.apply((state) => deleteObject(state, 3));
    expect(history.state.strokes).toEqual([]);
    expect(removeStroke(createEmptySession(), 0)).toEqual(createEmptySession());
  });

  it('sessions keep their strokes, and a bad stroke is named by its field', () => {
    const scan = { name: 'room.ply', pointCount: 10, fingerprint: 'f' };
    const state = addStroke(createEmptySession(), stroke(1, 'add', [0, 9]));
    expect(parseSessionDocument(writeSessionDocument(scan, state, ['chair']), 'room.json').state).toEqual(state);
    const broken = addStroke(createEmptySession(), stroke(1, 'add', [0, 10]));
    expect(() => parseSessionDocument(writeSessionDocument(scan, broken, []), 'room.json')).toThrow(
      "room.json: field 'state.strokes[0].pointIndices[1]': expected an integer in 0…9",
    );
    const badMode = { ...state, strokes: [{ ...stroke(1, 'add', [1]), mode: 'paint' }] } as unknown as typeof state;
    expect(() => parseSessionDocument(writeSessionDocument(scan, badMode, []), 'room.json')).toThrow("field 'state.strokes[0].mode': expected 'add' or 'remove'");
  });
});

describe('brush and lasso selection over a picture of point ids', () => {
  // 8×6 pixels; point id = row · 10 + column on every pixel but row 0 (empty).
  const width = 8;
  const height = 6;
  const ids = new Int32Array(width * height).fill(-1);
  for (let row = 1; row < height; row++) for (let column = 0; column < width; column++) ids[row * width + column] = row * 10 + column;
  const image: PointIdImage = { ids, width, height };

  it('the brush takes the points whose pixel centres are within the radius of the path', () => {
    // A dab at the centre of pixel (2, 2) with radius 1: that pixel and its four neighbours.
    expect(selectBrushPoints(image, [[2.5, 2.5]], 1)).toEqual([12, 21, 22, 23, 32]);
    // A horizontal stroke along row 3, radius 0.5: the whole row, nothing else.
    expect(selectBrushPoints(image, [[0.5, 3.5], [7.5, 3.5]], 0.5)).toEqual([30, 31, 32, 33, 34, 35, 36, 37]);
    // Row 0 has no points.
    expect(selectBrushPoints(image, [[3.5, 0.5]], 0.4)).toEqual([]);
  });

  it('the lasso takes the points inside the polygon (even-odd), each once', () => {
    expect(selectLassoPoints(image, [[1, 1], [4, 1], [4, 3], [1, 3]])).toEqual([11, 12, 13, 21, 22, 23]);
    expect(selectLassoPoints(image, [[1, 1], [4, 1]])).toEqual([]);
    const repeated: PointIdImage = { ids: new Int32Array(16).fill(5), width: 4, height: 4 };
    expect(selectLassoPoints(repeated, [[0, 0], [4, 0], [4, 4], [0, 4]])).toEqual([5]);
  });
});
