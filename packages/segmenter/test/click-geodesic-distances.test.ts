import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SurfaceGraph } from '@pointclick/sampling';
import { ClickGeodesicDistances, geodesicLimitAtScale, Segmenter } from '../src/index.js';
import { createTestConfig, geodesicDistancesOf, makeRoomCloud, useCpuBackend, VOXEL_LEVEL } from './segmenter-fixtures.js';
import { InteractiveSegmentationModel } from '../src/index.js';

beforeAll(async () => {
  await useCpuBackend();
});

describe('ClickGeodesicDistances', () => {
  it('measures from each clicked voxel on a graph coloured by the mean colour of its points', () => {
    // Four voxels on a line 0.1 m apart; voxel 2 holds a black and a white point (mean grey 128).
    const voxelPositions = Float32Array.from([0, 0, 0, 0.1, 0, 0, 0.2, 0, 0, 0.3, 0, 0]);
    const pointToVoxel = Int32Array.from([0, 1, 2, 2, 3]);
    const pointColors = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 0, 0, 0]);
    const settings = { limit: 10, neighborCount: 2, colorWeight: 4 };
    const field = new ClickGeodesicDistances(voxelPositions, pointColors, pointToVoxel, settings);
    const distances = field.distances(Int32Array.from([0, 3]));
    const grey = Uint8Array.from([0, 0, 0, 0, 0, 0, 128, 128, 128, 0, 0, 0]);
    const reference = new SurfaceGraph(voxelPositions, { colors: grey, neighborCount: 2, colorWeight: 4 });
    const fromFirst = reference.distancesFrom(0, 10);
    const fromLast = reference.distancesFrom(3, 10);
    for (let voxel = 0; voxel < 4; voxel++) {
      expect(distances[voxel * 2]).toBeCloseTo(fromFirst[voxel], 6);
      expect(distances[voxel * 2 + 1]).toBeCloseTo(fromLast[voxel], 6);
    }
    // Reaching the grey voxel costs more than its length: 0.1 + 0.1·(1 + 4·Δ), Δ = √3·128/255; voxel 3 is
    // reached around it (the black–black edge 1–3 of 0.2 m), for 0.3 m.
    const penalty = 1 + 4 * Math.sqrt(3) * (128 / 255);
    expect(distances[2 * 2]).toBeCloseTo(0.1 + 0.1 * penalty, 4);
    expect(distances[3 * 2]).toBeCloseTo(0.3, 5);
    // Capped at the limit.
    const capped = new ClickGeodesicDistances(voxelPositions, undefined, pointToVoxel, { ...settings, limit: 0.15 }).distances(Int32Array.from([0]));
    expect(Array.from(capped)).toEqual([0, 0.1, 0.15, 0.15].map(Math.fround));
  });
});

describe('ClickGeodesicDistances.distances', () => {
  it("keeps the current clicks' rows and at most spareRowCapacity others, oldest out first, with the same distances", () => {
    // A 30 × 30 grid, so that more than the minimum of 16 spare rows would be kept without the bound.
    const voxelPositions = Float32Array.from({ length: 900 * 3 }, (_, offset) => {
      const voxel = Math.floor(offset / 3);
      return [0.05 * (voxel % 30), 0.05 * Math.floor(voxel / 30), 0][offset % 3];
    });
    const pointToVoxel = Int32Array.from({ length: 900 }, (_, point) => point);
    const unbounded = new ClickGeodesicDistances(voxelPositions, undefined, pointToVoxel, { limit: 0.4, neighborCount: 8, colorWeight: 4 });
    expect(unbounded.spareRowCapacity).toBe(Math.floor((64 * 1024 * 1024) / (4 * 900))); // the default budget, in 3.6 kB rows
    // 40 kB: 11 rows, below the minimum of 16.
    const field = new ClickGeodesicDistances(voxelPositions, undefined, pointToVoxel, { limit: 0.4, neighborCount: 8, colorWeight: 4, spareRowBytes: 40_000 });
    const capacity = field.spareRowCapacity;
    expect(capacity).toBe(16);
    expect(new ClickGeodesicDistances(voxelPositions, undefined, pointToVoxel, { limit: 0.4, neighborCount: 8, colorWeight: 4, spareRowBytes: 400_000 }).spareRowCapacity).toBe(111);
    expect(() => new ClickGeodesicDistances(voxelPositions, undefined, pointToVoxel, { limit: 0.4, neighborCount: 8, colorWeight: 4, spareRowBytes: -1 })).toThrow(/spareRowBytes/);
    const searches = vi.spyOn(SurfaceGraph.prototype, 'startDistancesFromEach');
    // 40 updates of 3 clicks each, every click on a new voxel.
    for (let update = 0; update < 40; update++) field.distances(Int32Array.of(update * 3, update * 3 + 1, update * 3 + 2));
    expect(field.cachedRowCount).toBe(3 + capacity);
    // The most recent spare rows are kept (no search), older ones searched again, with the same values.
    const reference = new SurfaceGraph(voxelPositions, { neighborCount: 8, colorWeight: 4 });
    searches.mockClear();
    const recent = field.distances(Int32Array.of(39 * 3 - 1, 119)); // a spare row from update 38, and a current one
    expect(searches.mock.calls[0][0]).toEqual([]);
    searches.mockClear();
    const old = field.distances(Int32Array.of(0)); // update 0's first row, long evicted
    expect(searches.mock.calls[0][0]).toEqual([0]);
    searches.mockRestore();
    const fromOld = reference.distancesFrom(0, 0.4);
    for (let row = 0; row < 900; row++) expect(Object.is(old[row], fromOld[row])).toBe(true);
    const fromRecent = reference.distancesFrom(39 * 3 - 1, 0.4);
    for (let row = 0; row < 900; row++) expect(Object.is(recent[row * 2], fromRecent[row])).toBe(true);
    expect(field.cachedRowCount).toBeLessThanOrEqual(1 + capacity);
  });

  it('lays the cached columns out as [voxelCount, clickCount] rows, value for value (repeated and cached clicks too)', () => {
    // A 12 × 10 grid of voxels 5 cm apart, uncoloured; five clicks, one of them twice.
    const voxelPositions = Float32Array.from({ length: 120 * 3 }, (_, offset) => {
      const voxel = Math.floor(offset / 3);
      return [0.05 * (voxel % 12), 0.05 * Math.floor(voxel / 12), 0.01 * ((voxel * 7) % 5)][offset % 3];
    });
    const pointToVoxel = Int32Array.from({ length: 120 }, (_, point) => point);
    const settings = { limit: 0.3, neighborCount: 6, colorWeight: 4 };
    const field = new ClickGeodesicDistances(voxelPositions, undefined, pointToVoxel, settings);
    const reference = new SurfaceGraph(voxelPositions, { neighborCount: 6, colorWeight: 4 });
    const clicks = Int32Array.of(0, 37, 119, 37, 64);
    field.distances(Int32Array.of(64)); // one column cached before
    const distances = field.distances(clicks);
    expect(distances).toHaveLength(120 * clicks.length);
    clicks.forEach((voxel, click) => {
      const column = reference.distancesFrom(voxel, settings.limit);
      for (let row = 0; row < 120; row++) expect(Object.is(distances[row * clicks.length + click], column[row])).toBe(true);
    });
    expect(new Set(distances).size).toBeGreaterThan(10); // distances that differ, not a filled array
  });
});

describe('ClickGeodesicDistances with flatEdgeFactor', () => {
  it('measures on the flat-discounted graph of the same voxels, shorter than the plain one on a plane', () => {
    // A 12 × 10 plane of voxels 5 cm apart, uncoloured.
    const voxelPositions = Float32Array.from({ length: 120 * 3 }, (_, offset) => {
      const voxel = Math.floor(offset / 3);
      return [0.05 * (voxel % 12), 0.05 * Math.floor(voxel / 12), 0][offset % 3];
    });
    const pointToVoxel = Int32Array.from({ length: 120 }, (_, point) => point);
    const settings = { limit: 2, neighborCount: 6, colorWeight: 4 };
    const flat = new ClickGeodesicDistances(voxelPositions, undefined, pointToVoxel, { ...settings, flatEdgeFactor: 0.5 }).distances(Int32Array.of(0));
    const reference = new SurfaceGraph(voxelPositions, { neighborCount: 6, colorWeight: 4, flatEdgeFactor: 0.5 }).distancesFrom(0, 2);
    for (let row = 0; row < 120; row++) expect(Object.is(flat[row], reference[row])).toBe(true);
    const plain = new ClickGeodesicDistances(voxelPositions, undefined, pointToVoxel, settings).distances(Int32Array.of(0));
    expect(flat[119]).toBeCloseTo(plain[119] * 0.5, 4); // the far corner, half as far along the plane
  });
});

describe('Segmenter with the geodesic click prior', () => {
  it('hands the decoder the distances from every click to every finest voxel', () => {
    const config = createTestConfig(5);
    config.decoder = { ...config.decoder, geodesicPriorLimit: 2 };
    const segmenter = new Segmenter(new InteractiveSegmentationModel(config));
    const cloud = makeRoomCloud(600, 3);
    segmenter.setScene(cloud);
    const decoder = segmenter.model.decoder;
    const original = decoder.apply.bind(decoder);
    let seen: { distances?: Float32Array; voxels: Int32Array; finest: Float32Array } | undefined;
    decoder.apply = (input) => {
      seen = { distances: geodesicDistancesOf(input), voxels: input.clickVoxelIndices, finest: input.levels[input.levels.length - 1].coordinates };
      return original(input);
    };
    const result = segmenter.segment([
      { pointIndex: 0, objectId: 1, kind: 'object' },
      { pointIndex: cloud.boxPointCount, objectId: 2, kind: 'object' },
    ]);
    expect(result.instance).toHaveLength(cloud.pointCount);
    const voxelCount = seen!.finest.length / 3;
    expect(seen!.distances).toHaveLength(voxelCount * 2);
    // Zero at each clicked voxel, within [0, limit] everywhere, and the clicked voxels' mutual distances agree.
    expect(seen!.distances![seen!.voxels[0] * 2]).toBe(0);
    expect(seen!.distances![seen!.voxels[1] * 2 + 1]).toBe(0);
    for (const value of seen!.distances!) expect(value >= 0 && value <= 2).toBe(true);
    expect(seen!.distances![seen!.voxels[1] * 2]).toBeCloseTo(seen!.distances![seen!.voxels[0] * 2 + 1], 5);
    segmenter.dispose();
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
  it('caps the distances at geodesicGraph.scaledSceneLimit on an enlarged scene only, read from the config per scene', () => {
    const cloud = makeRoomCloud(600, 3);
    /** The largest distance the decoder is handed for two clicks on `segmenter`'s scene. */
    const largestDistance = (segmenter: Segmenter) => {
      const decoder = segmenter.model.decoder;
      const original = decoder.apply.bind(decoder);
      let largest = -1;
      decoder.apply = (input) => {
        largest = Math.max(...geodesicDistancesOf(input)!);
        return original(input);
      };
      segmenter.setScene(cloud);
      segmenter.segment([
        { pointIndex: 0, objectId: 1, kind: 'object' },
        { pointIndex: cloud.boxPointCount, objectId: 2, kind: 'object' },
      ]);
      decoder.apply = original;
      return largest;
    };
    const config = (inputScale: number | undefined) => {
      const created = createTestConfig(5, inputScale === undefined ? {} : { inputScale });
      return { ...created, decoder: { ...created.decoder, geodesicPriorLimit: 2 }, geodesicGraph: { scaledSceneLimit: 0.3 } };
    };
    // At scale 1 the decoder's 2 m cap holds (the room's clicks lie farther apart than 0.3 m).
    const plain = new Segmenter(new InteractiveSegmentationModel(config(undefined)));
    expect(largestDistance(plain)).toBeGreaterThan(0.5);
    plain.dispose();
    // Enlarged ×4 (the largest automatic scale) or more: capped at 0.3 network metres.
    for (const scale of [4, 6]) {
      const segmenter = new Segmenter(new InteractiveSegmentationModel(config(scale)));
      expect(largestDistance(segmenter)).toBe(Math.fround(0.3));
      segmenter.dispose();
    }
    // Enlarged ×2.5: between the two caps, geometrically in the scale: 2·(0.3/2)^(ln 2.5 / ln 4) ≈ 0.570 m.
    const enlarged = new Segmenter(new InteractiveSegmentationModel(config(2.5)));
    expect(largestDistance(enlarged)).toBeCloseTo(2 * 0.15 ** (Math.log(2.5) / Math.log(4)), 5);
    // The setting removed on the loaded model: the next scene is capped at the decoder's limit again.
    enlarged.model.config.geodesicGraph = {};
    expect(largestDistance(enlarged)).toBeGreaterThan(0.5);
    // A cap above the decoder's limit changes nothing.
    enlarged.model.config.geodesicGraph = { scaledSceneLimit: 10 };
    expect(largestDistance(enlarged)).toBeLessThanOrEqual(2);
    enlarged.dispose();
  });

  it('geodesicLimitAtScale: the decoder limit at scale ≤ 1 or without a smaller scaled cap, the cap from scale 4, monotone between', () => {
    expect(geodesicLimitAtScale(4, undefined, 4)).toBe(4);
    expect(geodesicLimitAtScale(4, 1, 1)).toBe(4);
    expect(geodesicLimitAtScale(4, 1, 0.5)).toBe(4);
    expect(geodesicLimitAtScale(4, 6, 4)).toBe(4);
    expect(geodesicLimitAtScale(4, 1, 4)).toBe(1);
    expect(geodesicLimitAtScale(4, 1, 8)).toBe(1);
    expect(geodesicLimitAtScale(4, 1, 2)).toBeCloseTo(2, 10); // halfway in ln s: the geometric mean of 4 and 1
    const limits = [1.01, 1.25, 1.5, 2, 3, 3.99].map((scale) => geodesicLimitAtScale(4, 1, scale));
    for (let index = 1; index < limits.length; index++) expect(limits[index]).toBeLessThan(limits[index - 1]);
    expect(limits[0]).toBeGreaterThan(3.9);
  });

  it('applies the checkpoint localityGain when grouping: contested voxels go to the geodesically nearest click', () => {
    // Every click claims every voxel with the same probability (0.9), so without locality the tie rule gives
    // everything to the smaller objectId; with a large gain each box goes to the click standing on it.
    const labels = (localityGain: number) => {
      const config = createTestConfig(5, { localityGain });
      config.decoder = { ...config.decoder, geodesicPriorLimit: 2 };
      const segmenter = new Segmenter(new InteractiveSegmentationModel(config), VOXEL_LEVEL);
      const decoder = segmenter.model.decoder;
      const original = decoder.apply.bind(decoder);
      decoder.apply = (input) => {
        const output = original(input);
        const last = output.stages[output.stages.length - 1];
        return { ...output, stages: [...output.stages.slice(0, -1), { ...last, maskLogits: tf.fill(last.maskLogits.shape, Math.log(9)) as tf.Tensor2D }] };
      };
      segmenter.setScene(cloud);
      const { instance } = segmenter.segment([
        { pointIndex: 0, objectId: 1, kind: 'object' },
        { pointIndex: cloud.boxPointCount, objectId: 2, kind: 'object' },
      ]);
      segmenter.dispose();
      return instance;
    };
    const cloud = makeRoomCloud(600, 3);
    const boxOne = (instance: Int32Array) => [...new Set(instance.subarray(0, cloud.boxPointCount))];
    const boxTwo = (instance: Int32Array) => [...new Set(instance.subarray(cloud.boxPointCount, 2 * cloud.boxPointCount))];
    const plain = labels(0);
    expect([...new Set(plain)]).toEqual([1]);
    const local = labels(1000);
    expect(boxOne(local)).toEqual([1]);
    expect(boxTwo(local)).toEqual([2]);
  });
});
