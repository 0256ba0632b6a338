import { beforeAll, describe, expect, it } from 'vitest';
import { downsampleVoxelGrid } from '@pointclick/sampling';
import { Segmenter } from '../src/index.js';
import { createTestConfig, createTestModel, makeRoomCloud, useCpuBackend } from './segmenter-fixtures.js';

beforeAll(async () => {
  await useCpuBackend();
});

/** Runs one click through a segmenter and returns the positions the backbone and the decoder were given. */
function networkInputs(segmenter: Segmenter, cloud: ReturnType<typeof makeRoomCloud>) {
  const seen: { backbone?: Float32Array; clicks?: Float32Array } = {};
  const backbone = segmenter.model.backbone;
  const decoder = segmenter.model.decoder;
  const backboneApply = backbone.apply.bind(backbone);
  const decoderApply = decoder.apply.bind(decoder);
  backbone.apply = (input) => {
    seen.backbone = input.positions;
    return backboneApply(input);
  };
  decoder.apply = (input) => {
    seen.clicks = input.clickPositions;
    return decoderApply(input);
  };
  segmenter.setScene(cloud);
  const result = segmenter.segment([{ pointIndex: 5, objectId: 1, kind: 'object' }]);
  backbone.apply = backboneApply;
  decoder.apply = decoderApply;
  return { ...seen, result };
}

describe('Segmenter input scale', () => {
  const cloud = makeRoomCloud(1200, 11);

  it('hands the network the coordinates times a fixed factor, clicks included, and labels every input point', () => {
    const segmenter = new Segmenter(createTestModel(5, { inputScale: 2.5 }));
    const { backbone, clicks, result } = networkInputs(segmenter, cloud);
    expect(segmenter.inputScale).toBe(2.5);
    expect(Array.from(backbone!.subarray(0, 6))).toEqual(Array.from(cloud.positions.subarray(0, 6), (value) => Math.fround(value * 2.5)));
    expect(Array.from(clicks!)).toEqual(Array.from(cloud.positions.subarray(15, 18), (value) => Math.fround(value * 2.5)));
    expect(result.instance).toHaveLength(cloud.pointCount);
    segmenter.dispose();
  });

  it("leaves the coordinates alone by default, and 'auto' scales a small scene up by at most 4", () => {
    const plain = new Segmenter(createTestModel(5));
    expect(networkInputs(plain, cloud).backbone).toBe(cloud.positions);
    expect(plain.inputScale).toBe(1);
    plain.dispose();
    const model = createTestModel(5, { inputScale: 'auto' });
    const voxelCount = downsampleVoxelGrid(cloud.positions, model.backbone.config.gridSize).voxelCount;
    expect(voxelCount).toBeLessThan(20_000 / 16); // small enough that the limit applies
    const automatic = new Segmenter(model);
    const { backbone } = networkInputs(automatic, cloud);
    expect(automatic.inputScale).toBe(4);
    expect(backbone![3]).toBe(Math.fround(cloud.positions[3] * 4));
    automatic.dispose();
  });

  it("'auto' leaves a scene with enough voxels at scale 1", () => {
    // 20,000+ voxels: a 3 m × 3 m floor sampled every 2 cm at a 5 cm grid gives 3,600 voxels, so use a 0.01 m grid.
    const points: number[] = [];
    for (let x = 0; x < 3; x += 0.02) for (let y = 0; y < 3; y += 0.02) points.push(x, y, 0);
    const positions = Float32Array.from(points);
    const model = createTestModel(5, { inputScale: 'auto', backbone: { ...createTestConfig(5).backbone, gridSize: 0.01 } });
    const segmenter = new Segmenter(model);
    segmenter.setScene({ pointCount: positions.length / 3, positions });
    expect(downsampleVoxelGrid(positions, 0.01).voxelCount).toBeGreaterThanOrEqual(20_000);
    expect(segmenter.inputScale).toBe(1);
    segmenter.dispose();
  });
});
