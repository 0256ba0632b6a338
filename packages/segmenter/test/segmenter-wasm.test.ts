/**
 * The parts of the segmenter that touch kernels, on the wasm backend (the interactive one), in a file of its
 * own so that its process never switches backends under live variables.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSegmenter, serializeCheckpoint, Segmenter, type Click } from '../src/index.js';
import { createRandom, createTestModel, makeRoomCloud, useWasmBackend } from './segmenter-fixtures.js';

const cloud = makeRoomCloud(1500, 8);

beforeAll(async () => {
  await useWasmBackend();
  expect(tf.getBackend()).toBe('wasm');
});

describe('Segmenter on wasm', () => {
  it('keeps numTensors constant over 50 click updates and frees everything on dispose', () => {
    const tensorsBefore = tf.memory().numTensors;
    const segmenter = new Segmenter(createTestModel(3));
    segmenter.setScene(cloud);
    segmenter.segment([{ pointIndex: 10, objectId: 1, kind: 'object' }]);
    const cached = tf.memory().numTensors;
    const random = createRandom(5);
    const clicks: Click[] = [];
    for (let update = 0; update < 50; update++) {
      if (clicks.length < 3 || random() < 0.5) clicks.push({ pointIndex: Math.floor(random() * cloud.pointCount), objectId: 1 + (update % 4), kind: 'object' });
      else clicks.splice(Math.floor(random() * clicks.length), 1);
      if (clicks.length > 12) clicks.shift();
      const result = segmenter.segment(clicks);
      expect(result.instance).toHaveLength(cloud.pointCount);
      expect(tf.memory().numTensors).toBe(cached);
    }
    segmenter.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('gives identical labels after a save → load round trip', async () => {
    const original = new Segmenter(createTestModel(6));
    const clicks: Click[] = [
      { pointIndex: 0, objectId: 1, kind: 'object' },
      { pointIndex: cloud.boxPointCount, objectId: 2, kind: 'object' },
      { pointIndex: 2 * cloud.boxPointCount + 1, objectId: 1, kind: 'background' },
    ];
    original.setScene(cloud);
    const expected = original.segment(clicks);
    const { document, weights } = serializeCheckpoint(original.model);
    original.dispose();
    const loaded = await loadSegmenter({ document: JSON.stringify(document), weights });
    loaded.setScene(cloud);
    const actual = loaded.segment(clicks);
    loaded.dispose();
    expect([...actual.instance]).toEqual([...expected.instance]);
    expect(actual.objects).toEqual(expected.objects);
  });
});
