import { beforeAll, describe, expect, it, vi } from 'vitest';
import { correctionReachDivisors, divideClickDistances, parseCheckpointDocument, SegmenterInputError, Segmenter, serializeCheckpoint } from '../src/index.js';
import type { Click, CorrectionReachSettings, InteractiveSegmentationModel, SegmentationResult } from '../src/index.js';
import { createTestConfig, createTestModel, geodesicDistancesOf, makeRoomCloud, useCpuBackend, VOXEL_LEVEL } from './segmenter-fixtures.js';

const object = (objectId: number): Pick<Click, 'objectId' | 'kind'> => ({ objectId, kind: 'object' });
const background: Pick<Click, 'objectId' | 'kind'> = { objectId: 1, kind: 'background' };

describe('correctionReachDivisors', () => {
  it("divides an object's k-th click by factor^(k−1), at most the limit; first and background clicks keep 1", () => {
    const clicks = [object(1), object(2), object(1), background, object(1), object(1), background, object(2)];
    expect([...correctionReachDivisors(clicks, { factor: 2, limit: 8 })]).toEqual([1, 1, 2, 1, 4, 8, 1, 2]);
    // The limit defaults to the factor: every later click the same.
    expect([...correctionReachDivisors(clicks, { factor: 3 })]).toEqual([1, 1, 3, 1, 3, 3, 1, 3]);
    expect([...correctionReachDivisors(clicks, { factor: 2, limit: 3 })]).toEqual([1, 1, 2, 1, 3, 3, 1, 2]);
    expect([...correctionReachDivisors(clicks, undefined)]).toEqual(new Array(clicks.length).fill(1));
    // Below 1 the reach shrinks, and the limit bounds it from below.
    expect([...correctionReachDivisors(clicks, { factor: 0.5 })]).toEqual([1, 1, 0.5, 1, 0.5, 0.5, 1, 0.5]);
    expect([...correctionReachDivisors(clicks, { factor: 0.5, limit: 0.2 })]).toEqual([1, 1, 0.5, 1, 0.25, 0.2, 1, 0.5]);
    expect([...correctionReachDivisors([], { factor: 2 })]).toEqual([]);
  });

  it('names the bad field', () => {
    const clicks = [object(1), object(1)];
    expect(() => correctionReachDivisors(clicks, { factor: 0 })).toThrow(SegmenterInputError);
    expect(() => correctionReachDivisors(clicks, { factor: -2 })).toThrow(/correctionReach\.factor is -2; expected a finite number > 0/);
    expect(() => correctionReachDivisors(clicks, { factor: Number.NaN })).toThrow(/correctionReach\.factor is NaN/);
    expect(() => correctionReachDivisors(clicks, { factor: 2, limit: 0 })).toThrow(/correctionReach\.limit is 0; expected a finite number > 0, or absent/);
    expect(() => correctionReachDivisors(clicks, { factor: 2, limit: Infinity })).toThrow(/correctionReach\.limit is Infinity/);
  });
});

describe('divideClickDistances', () => {
  it('divides each column by its click’s divisor into a new array, leaving the input as it was', () => {
    // 3 voxels × 2 clicks, row-major.
    const distances = Float32Array.from([0.5, 1, 1.5, 2, 3, 4]);
    const copy = distances.slice();
    const divided = divideClickDistances(distances, Float64Array.from([1, 4]));
    expect([...divided]).toEqual([0.5, 0.25, 1.5, 0.5, 3, 1]);
    expect([...distances]).toEqual([...copy]);
    expect(divided).not.toBe(distances);
  });

  it('returns the input itself when every divisor is 1, and refuses a length that is not whole rows', () => {
    const distances = Float32Array.from([1, 2, 3, 4]);
    expect(divideClickDistances(distances, Float64Array.from([1, 1]))).toBe(distances);
    expect(() => divideClickDistances(Float32Array.from([1, 2, 3]), Float64Array.from([1, 2]))).toThrow(/3 distances are not a whole number of rows of 2 clicks/);
  });
});

describe('the segmenter with correctionReach', () => {
  const cloud = makeRoomCloud(800, 31);
  /** Object 1 clicked twice (the second a correction), object 2 once, and a background click. */
  const clicks: Click[] = [
    { pointIndex: 7, objectId: 1, kind: 'object' },
    { pointIndex: cloud.boxPointCount + 11, objectId: 2, kind: 'object' },
    { pointIndex: 2 * cloud.boxPointCount + 35, objectId: 1, kind: 'background' },
    { pointIndex: 40, objectId: 1, kind: 'object' },
  ];

  beforeAll(async () => {
    await useCpuBackend();
  });

  function priorModel(correctionReach?: CorrectionReachSettings): InteractiveSegmentationModel {
    const config = createTestConfig(23);
    return createTestModel(23, { decoder: { ...config.decoder, geodesicPriorLimit: 2 }, localityGain: 16, correctionReach });
  }

  /** The result and the geodesic distances the decoder was given. */
  function segmentOnce(model: InteractiveSegmentationModel, someClicks: Click[]): { result: SegmentationResult; decoderDistances: Float32Array } {
    const segmenter = new Segmenter(model, VOXEL_LEVEL);
    segmenter.setScene(cloud);
    const apply = vi.spyOn(model.decoder, 'apply');
    const result = segmenter.segment(someClicks);
    const decoderDistances = geodesicDistancesOf(apply.mock.calls[0][0])!;
    apply.mockRestore();
    segmenter.clearScene();
    return { result, decoderDistances };
  }

  it("gives the decoder an object's later click with its distances divided, every other column unchanged", () => {
    const plain = priorModel();
    const reached = priorModel({ factor: 2 });
    const before = segmentOnce(plain, clicks);
    const after = segmentOnce(reached, clicks);
    const clickCount = clicks.length;
    let farVoxels = 0;
    for (let entry = 0; entry < before.decoderDistances.length; entry++) {
      const click = entry % clickCount;
      const expected = click === 3 ? before.decoderDistances[entry] / 2 : before.decoderDistances[entry];
      if (after.decoderDistances[entry] !== expected) throw new Error(`voxel ${Math.floor(entry / clickCount)}, click ${click}: ${after.decoderDistances[entry]} ≠ ${expected}`);
      if (click === 3 && before.decoderDistances[entry] > 0) farVoxels++;
    }
    expect(farVoxels).toBeGreaterThan(0);
    plain.dispose();
    reached.dispose();
  });

  it('segments exactly as without it while every object has one click', () => {
    const single = clicks.slice(0, 3);
    const plain = priorModel();
    const reached = priorModel({ factor: 2, limit: 8 });
    const before = segmentOnce(plain, single).result;
    const after = segmentOnce(reached, single).result;
    expect([...after.instance]).toEqual([...before.instance]);
    expect(after.objects.map((entry) => [...entry.classProbabilities])).toEqual(before.objects.map((entry) => [...entry.classProbabilities]));
    plain.dispose();
    reached.dispose();
  });

  it('checkpoints: round-trips the setting and names a bad one or one without the geodesic prior', () => {
    const model = priorModel({ factor: 2, limit: 8 });
    const { document } = serializeCheckpoint(model);
    model.dispose();
    expect(parseCheckpointDocument(JSON.stringify(document), 'reach.json').config.correctionReach).toEqual({ factor: 2, limit: 8 });
    const parse = (config: object) => () => parseCheckpointDocument({ ...document, config: { ...document.config, ...config } }, 'reach.json');
    expect(parse({ correctionReach: { factor: 0 } })).toThrow(/reach\.json: field 'config\.correctionReach\.factor': expected a finite number > 0, got 0/);
    expect(parse({ correctionReach: { factor: 2, limit: -1 } })).toThrow(/field 'config\.correctionReach\.limit': expected a finite number > 0, or absent, got -1/);
    expect(parse({ correctionReach: 2 })).toThrow(/field 'config\.correctionReach': expected an object \{ factor, limit\? \}, got 2/);
    expect(parse({ correctionReach: { factor: 2 }, localityGain: 0, decoder: { ...document.config.decoder, geodesicPriorLimit: 0 } })).toThrow(
      /field 'config\.correctionReach': needs the decoder's geodesic click prior/,
    );
  });
});
