/**
 * An interactive session gives exactly what a fresh segmenter gives: on a real ScanNet room (50,000 points) from
 * ../shared/data, on wasm, a segmenter kept across a sequence of added, moved and removed clicks (cached backbone
 * features, decoder scene and geodesic distance fields) returns, at every step, the same labels and scores to
 * the bit as a new segmenter that sees that step's clicks first. The model has the geodesic click prior, click
 * locality, superpoint constraints and pooling, so every cached and optimised step of an update is on the path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVotenetDataset } from '@pointclick/datasets/node';
import type { LabeledScene } from '@pointclick/datasets';
import { computeSuperpoints, type SurfaceSearchThreads } from '@pointclick/sampling';
import { InteractiveSegmentationModel, Segmenter, type Click, type SegmentationResult } from '../src/index.js';
import { nodeSearchThreads } from '../src/node/index.js';
import { createTestConfig, findVotenetScene, useWasmBackend } from './segmenter-fixtures.js';

const { votenetDirectory, available } = findVotenetScene('scene0000_00', 'segmenter update identity tests');

describe.skipIf(!available)('Segmenter click updates equal a fresh segmenter (scene0000_00, wasm)', () => {
  let scene: LabeledScene;
  let superpoints: { labels: Int32Array; count: number };
  let model: InteractiveSegmentationModel;
  let tensorsBefore: number;

  beforeAll(async () => {
    await useWasmBackend();
    for await (const entry of readVotenetDataset(votenetDirectory, { sceneIds: ['scene0000_00'] })) scene = entry;
    superpoints = computeSuperpoints(scene.cloud.positions, { colors: scene.cloud.colors });
    const config = createTestConfig(7, { localityGain: 8 });
    config.decoder = { ...config.decoder, geodesicPriorLimit: 2 };
    model = new InteractiveSegmentationModel(config);
    tensorsBefore = tf.memory().numTensors;
  });

  afterAll(() => {
    model?.dispose();
  });

  /** The `rank`-th point (in index order) of annotated instance `instanceId`. */
  function pointOfInstance(instanceId: number, rank: number): number {
    let seen = 0;
    for (let point = 0; point < scene.cloud.pointCount; point++) {
      if (scene.cloud.instance[point] === instanceId && seen++ === rank) return point;
    }
    throw new Error(`instance ${instanceId} has fewer than ${rank + 1} points`);
  }

  /** Labels, then every object field (scores and class probabilities as stored, so compared bit for bit). */
  function outcome(result: SegmentationResult) {
    return { instance: Array.from(result.instance), objects: result.objects.map((object) => ({ ...object, classProbabilities: Array.from(object.classProbabilities) })) };
  }

  it('matches a fresh segmenter at every step of added, moved and removed clicks, and leaks no tensor', () => {
    const instanceIds = [...new Set(scene.cloud.instance)].filter((id) => id !== 0).slice(0, 3);
    expect(instanceIds).toHaveLength(3);
    const [first, second, third] = instanceIds;
    const click = (instanceId: number, rank: number, objectId: number, kind: Click['kind'] = 'object'): Click => ({
      pointIndex: pointOfInstance(instanceId, rank),
      objectId,
      kind,
    });
    const steps: Click[][] = [
      [click(first, 0, 1)], // the first click
      [click(first, 0, 1), click(second, 0, 2)], // one added
      [click(first, 40, 1), click(second, 0, 2)], // the first moved
      [click(first, 40, 1), click(second, 0, 2), click(third, 0, 1, 'background')], // a background click added
      [click(second, 0, 2), click(third, 0, 1, 'background')], // the first removed
      [click(first, 0, 1), click(second, 0, 2), click(third, 0, 1, 'background')], // back where it started: a cached field
      [click(first, 0, 1), click(second, 20, 2), click(third, 10, 1, 'background'), click(second, 60, 3)], // two moved, one added
    ];

    const session = new Segmenter(model);
    session.setScene(scene.cloud, { superpoints });
    let tensorsDuringSession: number | undefined;
    steps.forEach((clicks, step) => {
      const updated = session.segment(clicks);
      // The backbone ran once, at the first step; the scene's cached tensors stay the same from then on.
      expect(updated.backboneMilliseconds > 0).toBe(step === 0);
      tensorsDuringSession ??= tf.memory().numTensors;
      expect(tf.memory().numTensors).toBe(tensorsDuringSession);

      const fresh = new Segmenter(model);
      fresh.setScene(scene.cloud, { superpoints });
      const reference = fresh.segment(clicks);
      fresh.clearScene();
      expect(outcome(updated), `step ${step}`).toEqual(outcome(reference));
      // Every step has an object click, whose superpoint the click constraints give its label.
      expect(reference.instance.some((label) => label > 0), `step ${step} labels something`).toBe(true);
    });
    session.clearScene();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 60_000);

  it('gives the same labels and scores when helper threads share out the geodesic searches', async () => {
    let spawned = 0;
    const threads = nodeSearchThreads(1)!;
    const counted: SurfaceSearchThreads = { count: 1, spawn: (source) => (spawned++, threads.spawn(source)) };
    const session = new Segmenter(model, { searchThreads: counted });
    const alone = new Segmenter(model);
    session.setScene(scene.cloud, { superpoints });
    alone.setScene(scene.cloud, { superpoints });
    const instanceIds = [...new Set(scene.cloud.instance)].filter((id) => id !== 0).slice(0, 4);
    const clicksAt = (rank: number): Click[] => instanceIds.map((instanceId, index) => ({ pointIndex: pointOfInstance(instanceId, rank), objectId: index + 1, kind: 'object' }));
    expect(outcome(session.segment(clicksAt(0)))).toEqual(outcome(alone.segment(clicksAt(0))));
    // The helper starts in the background at the first search; give it time, as a person's next click would.
    expect(spawned).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const rank of [10, 30, 50]) {
      // Every click moved: four new searches, shared between this thread and the helper.
      expect(outcome(session.segment(clicksAt(rank))), `clicks at rank ${rank}`).toEqual(outcome(alone.segment(clicksAt(rank))));
    }
    session.clearScene();
    alone.clearScene();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 60_000);
});
