/**
 * Online click adaptation (`config.clickAdaptation`) in the Segmenter, on a real ScanNet room from ../shared/data,
 * on wasm, with an untrained tiny model: what must hold whatever the model says.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabeledScene } from '@pointclick/datasets';
import { Segmenter, type Click } from '../src/index.js';
import { createRandom, createTestModel, findVotenetScene, readRoomWithSuperpoints } from './segmenter-fixtures.js';

const { votenetDirectory, available } = findVotenetScene('scene0001_00', 'segmenter click adaptation tests');

describe.skipIf(!available)('Segmenter click adaptation on a real ScanNet room (scene0001_00)', () => {
  let scene: LabeledScene;
  let superpoints: { labels: Int32Array; count: number };
  let tensorsBefore: number;

  beforeAll(async () => {
    ({ scene, superpoints } = await readRoomWithSuperpoints(votenetDirectory, 'scene0001_00'));
    tensorsBefore = tf.memory().numTensors;
  });

  afterAll(() => {
    if (available) expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  /** Two segmenters over the same weights (seed 7), adaptation off and on (λ 0.05, so the untrained model's correction shows). */
  function segmenters(): { plain: Segmenter; adapted: Segmenter } {
    const plain = new Segmenter(createTestModel(7));
    const adapted = new Segmenter(createTestModel(7, { clickAdaptation: { regularization: 0.05 } }));
    plain.setScene(scene.cloud, { superpoints });
    adapted.setScene(scene.cloud, { superpoints });
    return { plain, adapted };
  }

  /** Object clicks on `count` random points for objects 1–3, plus two background clicks. */
  function clicksOf(random: () => number, perObject: number): Click[] {
    const clicks: Click[] = [];
    for (let objectId = 1; objectId <= 3; objectId++) {
      for (let index = 0; index < perObject; index++) clicks.push({ pointIndex: Math.floor(random() * scene.cloud.pointCount), objectId, kind: 'object' });
    }
    clicks.push({ pointIndex: Math.floor(random() * scene.cloud.pointCount), objectId: 1, kind: 'background' });
    clicks.push({ pointIndex: Math.floor(random() * scene.cloud.pointCount), objectId: 2, kind: 'background' });
    return clicks;
  }

  it('changes nothing while every object has one click', () => {
    const { plain, adapted } = segmenters();
    const clicks = clicksOf(createRandom(11), 1);
    expect(Array.from(adapted.segment(clicks).instance)).toEqual(Array.from(plain.segment(clicks).instance));
    plain.dispose();
    adapted.dispose();
  });

  it('changes the masks of objects with several clicks, and every click still takes its own superpoint', () => {
    const { plain, adapted } = segmenters();
    const random = createRandom(23);
    let changedPoints = 0;
    for (let round = 0; round < 3; round++) {
      const clicks = clicksOf(random, 3);
      const before = plain.segment(clicks).instance;
      const after = adapted.segment(clicks).instance;
      for (let point = 0; point < after.length; point++) if (before[point] !== after[point]) changedPoints++;
      for (const click of clicks) {
        const point = 'pointIndex' in click ? click.pointIndex : -1;
        const rivals = clicks.filter((other) => 'pointIndex' in other && superpoints.labels[other.pointIndex] === superpoints.labels[point] && (other.kind === 'background' ? 0 : other.objectId) !== (click.kind === 'background' ? 0 : click.objectId));
        if (rivals.length === 0) expect(after[point]).toBe(click.kind === 'background' ? 0 : click.objectId);
      }
    }
    expect(changedPoints).toBeGreaterThan(0);
    plain.dispose();
    adapted.dispose();
  });

  it('reads the scene features once and leaks no tensors over updates', () => {
    const segmenter = new Segmenter(createTestModel(7, { clickAdaptation: { regularization: 1 } }));
    segmenter.setScene(scene.cloud, { superpoints });
    const random = createRandom(31);
    segmenter.segment(clicksOf(random, 2));
    const afterFirst = tf.memory().numTensors;
    for (let round = 0; round < 4; round++) segmenter.segment(clicksOf(random, 2 + (round % 2)));
    expect(tf.memory().numTensors).toBe(afterFirst);
    segmenter.dispose();
  });
});
