import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import '@pointclick/tfjs-kernels/cpu';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { TINY_CONFIG, type PointTransformerV3Config } from '@pointclick/ptv3';
import type { PointCloud } from '@pointclick/io';
import { readVotenetDataset } from '@pointclick/datasets/node';
import type { LabeledScene } from '@pointclick/datasets';
import { computeSuperpoints } from '@pointclick/sampling';
import type { ClickDecoderInput } from '@pointclick/decoder';
import { createModelFromCheckpoint, InteractiveSegmentationModel, parseCheckpointDocument, serializeCheckpoint, type SegmentationResult, type SegmenterConfig, type SegmenterOptions } from '../src/index.js';

/** Class names of the test configuration (prototypeCount = 4). */
export const TEST_CLASS_NAMES = ['wall', 'floor', 'chair', 'table'];

/** A three-stage backbone small enough for gradient checks on the cpu backend (ptv3's tiny preset, 5 cm voxels). */
const TINY_BACKBONE: PointTransformerV3Config = { ...TINY_CONFIG, gridSize: 0.05 };

/** The tiny segmenter configuration used by the tests. */
export function createTestConfig(seed = 5, overrides: Partial<SegmenterConfig> = {}): SegmenterConfig {
  const backbone: PointTransformerV3Config = { ...TINY_BACKBONE, orders: [...TINY_BACKBONE.orders], seed };
  return {
    backbone,
    decoder: {
      levelChannels: [16, 16, 8], // encoder bottleneck, then the decoder stages coarse to fine
      width: 16,
      headCount: 2,
      feedForwardChannels: 32,
      prototypeChannels: 16,
      fourierFeatureCount: 8,
      maxAttentionKeys: 256,
      prototypeCount: TEST_CLASS_NAMES.length,
      seed: seed + 1,
    },
    classNames: [...TEST_CLASS_NAMES],
    maxClicks: 12,
    clickTolerance: 0.1,
    objectThreshold: 0.5,
    ...overrides,
  };
}

/** Segmenter options that turn the superpoint steps off: labels then follow the voxels, as before superpoints. */
export const VOXEL_LEVEL: SegmenterOptions = { superpoints: { clickConstraints: false, pooling: false } };

/** A model of the test configuration. */
export function createTestModel(seed = 5, overrides: Partial<SegmenterConfig> = {}): InteractiveSegmentationModel {
  return new InteractiveSegmentationModel(createTestConfig(seed, overrides));
}

/** xorshift32 values in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/**
 * A small room corner: a 2 m × 2 m floor and two boxes standing on it (0.4 m and 0.3 m), `pointCount`
 * points with colours. Box points come first: `[0, boxPointCount)` is box 1, then box 2, then the floor.
 */
export function makeRoomCloud(pointCount = 1200, seed = 11): PointCloud & { colors: Uint8Array; boxPointCount: number } {
  const random = createRandom(seed);
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  const boxPointCount = Math.floor(pointCount / 4);
  const boxes = [
    { center: [0.5, 0.5], size: 0.4, color: [200, 40, 40] },
    { center: [1.4, 1.3], size: 0.3, color: [40, 40, 200] },
  ];
  for (let point = 0; point < pointCount; point++) {
    const box = point < boxPointCount ? boxes[0] : point < 2 * boxPointCount ? boxes[1] : undefined;
    let x: number, y: number, z: number;
    let color: number[];
    if (box) {
      // A point on the box's top or one of its four sides.
      const face = Math.floor(random() * 5);
      const u = (random() - 0.5) * box.size;
      const v = random() * box.size;
      const half = box.size / 2;
      [x, y, z] =
        face === 0 ? [u, (v / box.size - 0.5) * box.size, box.size] : face === 1 ? [-half, u, v] : face === 2 ? [half, u, v] : face === 3 ? [u, -half, v] : [u, half, v];
      x += box.center[0];
      y += box.center[1];
      color = box.color;
    } else {
      x = random() * 2;
      y = random() * 2;
      z = 0;
      color = [120, 120, 110];
    }
    positions.set([x, y, z], point * 3);
    colors.set(color.map((channel) => Math.min(255, channel + Math.floor(random() * 20))), point * 3);
  }
  return { pointCount, positions, colors, boxPointCount };
}

/** Uses the pure-JS cpu backend (kernels and gradients registered by `@pointclick/tfjs-kernels/cpu`). */
export async function useCpuBackend(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend failed to initialise');
}

/** Uses the wasm backend, strictly (no silent fallback), with this repo's custom kernels. */
export async function useWasmBackend(): Promise<void> {
  await initializeBackend({ preferred: 'wasm', strict: true });
}

/**
 * The ScanNet room `sceneId` of `../shared/data/scannet-votenet` (or of `$POINTCLICK_SHARED_DATA`): the directory
 * and whether the room is there. When it is not, warns that `tests` are skipped (the caller skips visibly).
 */
export function findVotenetScene(sceneId: string, tests: string): { votenetDirectory: string; available: boolean } {
  const dataDirectory = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
  const votenetDirectory = join(dataDirectory, 'scannet-votenet');
  const available = existsSync(join(votenetDirectory, `${sceneId}_vert.npy`));
  if (!available) console.warn(`${tests} skipped: ${votenetDirectory}/${sceneId}_vert.npy not found (set POINTCLICK_SHARED_DATA)`);
  return { votenetDirectory, available };
}

/**
 * One room of the votenet folder on the wasm backend, with its computed superpoints (`computeSuperpoints` over its
 * positions and colours): the setup of the real-room Segmenter tests.
 */
export async function readRoomWithSuperpoints(votenetDirectory: string, sceneId: string): Promise<{ scene: LabeledScene; superpoints: { labels: Int32Array; count: number } }> {
  await useWasmBackend();
  let scene: LabeledScene | undefined;
  for await (const entry of readVotenetDataset(votenetDirectory, { sceneIds: [sceneId] })) scene = entry;
  if (!scene) throw new Error(`readRoomWithSuperpoints: ${sceneId} not found in ${votenetDirectory}`);
  return { scene, superpoints: computeSuperpoints(scene.cloud.positions, { colors: scene.cloud.colors }) };
}

/**
 * Serialises `source`, loads it back through the JSON document (as a file would be read) and asserts that the loaded
 * model segments exactly as the source with `segment` — labels and class probabilities to the bit — and leaves no
 * tensor behind. Returns the serialised document for further checks; both models are disposed.
 */
export function expectCheckpointRoundTrip(source: InteractiveSegmentationModel, name: string, segment: (model: InteractiveSegmentationModel) => SegmentationResult) {
  const { document, weights } = serializeCheckpoint(source);
  const loaded = createModelFromCheckpoint(parseCheckpointDocument(JSON.stringify(document), name), weights, name);
  const expected = segment(source);
  const tensorsBefore = tf.memory().numTensors;
  const actual = segment(loaded);
  // The segmenter's scene (backbone output, decoder scene) is cleared: nothing is left behind.
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect([...actual.instance]).toEqual([...expected.instance]);
  expect(actual.objects.map((object) => [...object.classProbabilities])).toEqual(expected.objects.map((object) => [...object.classProbabilities]));
  source.dispose();
  loaded.dispose();
  return document;
}

/** The geodesic distances a decoder input carries, resolving the segmenter's function form (which searches once). */
export function geodesicDistancesOf(input: Pick<ClickDecoderInput, 'clickGeodesicDistances'>): Float32Array | undefined {
  const distances = input.clickGeodesicDistances;
  return typeof distances === 'function' ? distances() : distances;
}
