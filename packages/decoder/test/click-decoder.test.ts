import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gelu, loadWeights, serializeWeights, Initializer, Linear } from '@pointclick/nn';
import { ClickDistancePrior, ConditionedQueryAdaptor, createClickDecoder, DecoderInputError, type ClickDecoderConfig, type DecoderLevel } from '../src/index.js';
import { CHANNELS, clicksAt, makeFakeLevels, maxAbsoluteDifference, randomValues, TINY_CONFIG, useBackend, VOXEL_COUNTS } from './decoder-fixtures.js';


let levels: DecoderLevel[];

beforeAll(async () => {
  await useBackend('cpu');
  levels = makeFakeLevels(VOXEL_COUNTS, CHANNELS);
});

afterAll(() => {
  for (const level of levels) level.features.dispose();
});

/**
 * Gradients of a stage-weighted mean of the mask logits (two clicks, random geodesic distances) with respect to every
 * decoder variable, by variable path.
 */
function maskLossGradients(config: ClickDecoderConfig, distanceSeed: number): Map<string, Float32Array> {
  const decoder = createClickDecoder(config);
  const clicks = clicksAt(levels, [2, 130]);
  const distances = randomValues(140 * 2, distanceSeed, 0, 4);
  const { grads, value } = tf.variableGrads(() => {
    const { stages } = decoder.apply({ levels, ...clicks, clickGeodesicDistances: distances });
    return tf.addN(stages.map((stage, index) => tf.mean(tf.mul(stage.maskLogits, index + 1)))) as tf.Scalar;
  }, decoder.trainableVariables());
  const byPath = new Map<string, Float32Array>();
  for (const [path, variable] of decoder.namedVariables()) if (grads[variable.name]) byPath.set(path, grads[variable.name].dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  decoder.dispose();
  return byPath;
}

describe('click decoder', () => {
  it('returns masks and class logits of every stage with the documented shapes', () => {
    const decoder = createClickDecoder(TINY_CONFIG);
    expect(decoder.config.stageLevels).toEqual([1, 2, 3, 3]);
    const output = decoder.apply({ levels, ...clicksAt(levels, [3, 77, 120]) });
    expect(output.stages).toHaveLength(4);
    for (const stage of output.stages) {
      expect(stage.maskLogits.shape).toEqual([140, 3]);
      expect(stage.classLogits.shape).toEqual([3, 5]);
      for (const value of stage.maskLogits.dataSync()) expect(Number.isFinite(value)).toBe(true);
      for (const value of stage.classLogits.dataSync()) expect(Number.isFinite(value)).toBe(true);
    }
    // Stages refine the queries, so their masks differ.
    expect(maxAbsoluteDifference(output.stages[0].maskLogits.dataSync(), output.stages[3].maskLogits.dataSync())).toBeGreaterThan(1e-3);
    tf.dispose(output.stages.flatMap((stage) => [stage.maskLogits, stage.classLogits]));
    decoder.dispose();
  });

  it('sends a finite, non-zero gradient to every decoder weight', () => {
    const decoder = createClickDecoder(TINY_CONFIG);
    const clicks = clicksAt(levels, [5, 60, 131]);
    const { grads, value } = tf.variableGrads(() => {
      const { stages } = decoder.apply({ levels, ...clicks });
      // Random projections of every stage's outputs (deep supervision), so no weight cancels by symmetry.
      const terms = stages.map((stage, index) =>
        tf.add(
          tf.sum(tf.mul(stage.maskLogits, tf.tensor2d(randomValues(140 * 3, 50 + index), [140, 3]))),
          tf.sum(tf.mul(stage.classLogits, tf.tensor2d(randomValues(3 * 5, 60 + index), [3, 5]))),
        ),
      );
      return tf.addN(terms) as tf.Scalar;
    }, decoder.trainableVariables());
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    const names = [...decoder.namedVariables().entries()].filter(([, variable]) => variable.trainable);
    expect(Object.keys(grads)).toHaveLength(names.length);
    for (const [name, variable] of names) {
      const gradient = grads[variable.name];
      expect(gradient, name).toBeDefined();
      const values = gradient.dataSync();
      for (const entry of values) expect(Number.isFinite(entry), name).toBe(true);
      const largest = Math.max(...Array.from(values, Math.abs));
      if (/attention\.key\.bias$/.test(name)) {
        // softmax(q·(k + b)) = softmax(q·k) per query: the key bias provably gets a zero gradient
        // in any dot-product attention. It is kept for checkpoint compatibility with nn's layer.
        expect(largest, name).toBeLessThan(1e-4);
      } else {
        expect(largest, name).toBeGreaterThan(0);
      }
    }
    tf.dispose([value, ...Object.values(grads)]);
    decoder.dispose();
  });

  it('is equivariant to the order of the clicks', () => {
    const decoder = createClickDecoder(TINY_CONFIG);
    const voxels = [7, 33, 90, 139];
    const permutation = [2, 0, 3, 1];
    const original = decoder.apply({ levels, ...clicksAt(levels, voxels) });
    const permuted = decoder.apply({ levels, ...clicksAt(levels, permutation.map((index) => voxels[index])) });
    original.stages.forEach((stage, stageIndex) => {
      const masks = stage.maskLogits.arraySync();
      const permutedMasks = permuted.stages[stageIndex].maskLogits.arraySync();
      const classes = stage.classLogits.arraySync();
      const permutedClasses = permuted.stages[stageIndex].classLogits.arraySync();
      permutation.forEach((source, column) => {
        for (let voxel = 0; voxel < 140; voxel++) expect(permutedMasks[voxel][column]).toBeCloseTo(masks[voxel][source], 4);
        expect(maxAbsoluteDifference(permutedClasses[column], classes[source])).toBeLessThan(1e-4);
      });
    });
    tf.dispose([...original.stages, ...permuted.stages].flatMap((stage) => [stage.maskLogits, stage.classLogits]));
    decoder.dispose();
  });

  it('leaks no tensor over 50 successive applies', () => {
    const decoder = createClickDecoder(TINY_CONFIG);
    const clicks = clicksAt(levels, [1, 2, 99]);
    const before = tf.memory().numTensors;
    for (let run = 0; run < 50; run++) {
      const { stages } = decoder.apply({ levels, ...clicks });
      tf.dispose(stages.flatMap((stage) => [stage.maskLogits, stage.classLogits]));
    }
    expect(tf.memory().numTensors).toBe(before);
    decoder.dispose();
  });

  it('round-trips its weights: serialise → load into a differently seeded decoder → identical outputs', () => {
    const source = createClickDecoder(TINY_CONFIG);
    const target = createClickDecoder({ ...TINY_CONFIG, seed: 99 });
    const clicks = clicksAt(levels, [11, 70]);
    const expected = source.apply({ levels, ...clicks }).stages;
    const before = target.apply({ levels, ...clicks }).stages;
    expect(maxAbsoluteDifference(before[3].maskLogits.dataSync(), expected[3].maskLogits.dataSync())).toBeGreaterThan(1e-3);
    const { manifest, data } = serializeWeights(source);
    loadWeights(target, manifest, data, 'decoder.bin');
    const after = target.apply({ levels, ...clicks }).stages;
    after.forEach((stage, index) => {
      expect(Array.from(stage.maskLogits.dataSync())).toEqual(Array.from(expected[index].maskLogits.dataSync()));
      expect(Array.from(stage.classLogits.dataSync())).toEqual(Array.from(expected[index].classLogits.dataSync()));
    });
    tf.dispose([...expected, ...before, ...after].flatMap((stage) => [stage.maskLogits, stage.classLogits]));
    source.dispose();
    target.dispose();
  });

  it('returns Q_t of every stage on request, and classifyQueries turns them into that stage\'s class logits', () => {
    const decoder = createClickDecoder(TINY_CONFIG);
    const clicks = clicksAt(levels, [5, 70, 130]);
    const plain = decoder.apply({ levels, ...clicks }).stages;
    expect(plain.every((stage) => stage.queries === undefined)).toBe(true);
    const before = tf.memory().numTensors;
    const kept = decoder.apply({ levels, ...clicks, keepQueries: true }).stages;
    // Three tensors per stage, nothing else left behind.
    expect(tf.memory().numTensors - before).toBe(3 * kept.length);
    kept.forEach((stage, index) => {
      expect(stage.queries!.shape).toEqual([3, 16]);
      expect(maxAbsoluteDifference(stage.maskLogits.dataSync(), plain[index].maskLogits.dataSync())).toBeLessThan(1e-6);
      const classified = decoder.classifyQueries(index, stage.queries!);
      expect(maxAbsoluteDifference(classified.dataSync(), stage.classLogits.dataSync())).toBeLessThan(1e-5);
      classified.dispose();
    });
    // Different stages read different queries.
    expect(maxAbsoluteDifference(kept[0].queries!.dataSync(), kept[3].queries!.dataSync())).toBeGreaterThan(1e-3);
    expect(() => decoder.classifyQueries(4, kept[0].queries!)).toThrow(DecoderInputError);
    expect(() => decoder.classifyQueries(0, kept[0].maskLogits)).toThrow(/queries\.shape must be \[clickCount, 16\]/);
    tf.dispose([...plain, ...kept].flatMap((stage) => [stage.maskLogits, stage.classLogits, ...(stage.queries ? [stage.queries] : [])]));
    decoder.dispose();
  });

  it('gives the same outputs with a prepared scene, and the scene frees all it holds', () => {
    const decoder = createClickDecoder(TINY_CONFIG);
    const clicks = clicksAt(levels, [9, 66, 138]);
    const direct = decoder.apply({ levels, ...clicks }).stages;
    const before = tf.memory().numTensors;
    const scene = decoder.prepareScene(levels);
    expect(scene.stageScenes).toHaveLength(4);
    const cached = decoder.apply({ levels, ...clicks, scene }).stages;
    cached.forEach((stage, index) => {
      expect(maxAbsoluteDifference(stage.maskLogits.dataSync(), direct[index].maskLogits.dataSync())).toBeLessThan(1e-5);
      expect(maxAbsoluteDifference(stage.classLogits.dataSync(), direct[index].classLogits.dataSync())).toBeLessThan(1e-5);
    });
    tf.dispose(cached.flatMap((stage) => [stage.maskLogits, stage.classLogits]));
    scene.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(direct.flatMap((stage) => [stage.maskLogits, stage.classLogits]));
    decoder.dispose();
  });

  it('rejects inputs that do not fit the configuration with a typed error naming the field', () => {
    const decoder = createClickDecoder(TINY_CONFIG);
    const clicks = clicksAt(levels, [1]);
    expect(() => decoder.apply({ levels: levels.slice(1), ...clicks })).toThrow(/levels.length/);
    expect(() => decoder.apply({ levels, clickVoxelIndices: Int32Array.of(140), clickPositions: clicks.clickPositions })).toThrow(
      /clickVoxelIndices\[0\]/,
    );
    expect(() => decoder.apply({ levels, clickVoxelIndices: clicks.clickVoxelIndices, clickPositions: new Float32Array(2) })).toThrow(
      DecoderInputError,
    );
    const broken = levels.map((level, index) => (index === 1 ? { ...level, finestToLevel: new Int32Array(140).fill(30) } : level));
    expect(() => decoder.apply({ levels: broken, ...clicks })).toThrow(/levels\[1\]\.finestToLevel\[0\]/);
    expect(() => createClickDecoder({ ...TINY_CONFIG, headCount: 3 })).toThrow(/config.headCount/);
    expect(() => createClickDecoder({ ...TINY_CONFIG, stageLevels: [1, 2, 9, 3] })).toThrow(/config.stageLevels\[2\]/);
    decoder.dispose();
  });
});

describe('click distance prior', () => {
  it('is (1/J) Σ cos(w·(p − c)): 1 at the click, unchanged by a common shift, falling with distance', () => {
    const prior = new ClickDistancePrior('distance_prior', 64, 3, new Initializer(5), 'distance_prior');
    const frequencies = prior.frequencies.arraySync() as number[][];
    const frame = { center: [1, 2, 0.5] as [number, number, number], halfExtent: 3 };
    const click = new Float32Array([1.2, 2.1, 0.7]);
    const voxels = new Float32Array([1.2, 2.1, 0.7, 1.5, 2.1, 0.7, 2.2, 2.1, 0.7, 4.2, 2.1, 0.7]);
    const kernelOf = (points: Float32Array, clicks: Float32Array, shiftedFrame = frame) =>
      tf.tidy(() => prior.kernel(prior.embed(points, shiftedFrame), prior.embed(clicks, shiftedFrame)).dataSync());
    const kernel = kernelOf(voxels, click);
    for (let voxel = 0; voxel < 4; voxel++) {
      let expected = 0;
      for (let frequency = 0; frequency < 64; frequency++) {
        let phase = 0;
        for (let axis = 0; axis < 3; axis++) phase += frequencies[axis][frequency] * (voxels[voxel * 3 + axis] - click[axis]);
        expected += Math.cos(phase) / 64;
      }
      expect(kernel[voxel]).toBeCloseTo(expected, 4);
    }
    expect(kernel[0]).toBeCloseTo(1, 5);
    // 0 m, 0.3 m, 1 m: decreasing; 3 m: near zero (random-feature noise ~ 1/√J).
    expect(kernel[1]).toBeLessThan(kernel[0]);
    expect(kernel[2]).toBeLessThan(kernel[1]);
    expect(Math.abs(kernel[3])).toBeLessThan(0.3);
    const shift = (values: Float32Array) => values.map((value, index) => value + [7, -3, 2][index % 3]);
    const shifted = kernelOf(shift(voxels), shift(click), { center: [0, 0, 0], halfExtent: 1 });
    expect(maxAbsoluteDifference(shifted, kernel)).toBeLessThan(1e-4);
    prior.dispose();
  });

  it('adds its kernel to every stage, so a fresh decoder favours voxels near each click', () => {
    const decoder = createClickDecoder(TINY_CONFIG);
    const plain = createClickDecoder({ ...TINY_CONFIG, distancePriorFrequencyCount: 0 });
    expect(decoder.countParams() - plain.countParams()).toBe(3 * 6 + 2 * 4);
    const clicks = clicksAt(levels, [17]);
    const { stages } = decoder.apply({ levels, ...clicks });
    const finest = levels[levels.length - 1].coordinates;
    const distances = Array.from({ length: 140 }, (_, voxel) =>
      Math.hypot(finest[voxel * 3] - finest[17 * 3], finest[voxel * 3 + 1] - finest[17 * 3 + 1], finest[voxel * 3 + 2] - finest[17 * 3 + 2]),
    );
    const logits = stages[3].maskLogits.dataSync();
    const mean = (selected: number[]) => selected.reduce((sum, voxel) => sum + logits[voxel], 0) / selected.length;
    const near = distances.flatMap((distance, voxel) => (distance < 0.3 ? [voxel] : []));
    const far = distances.flatMap((distance, voxel) => (distance > 2 ? [voxel] : []));
    expect(near.length).toBeGreaterThan(0);
    expect(mean(near)).toBeGreaterThan(mean(far) + 3);
    tf.dispose(stages.flatMap((stage) => [stage.maskLogits, stage.classLogits]));
    decoder.dispose();
    plain.dispose();
  });
});

describe('geodesic click prior', () => {
  const GEODESIC_CONFIG: ClickDecoderConfig = { ...TINY_CONFIG, geodesicPriorLimit: 4 };

  it('adds bias − gain · d to the mask logits, and nothing else, in a one-stage decoder', () => {
    const config: ClickDecoderConfig = { ...GEODESIC_CONFIG, stageCount: 1, stageLevels: [3] };
    const decoder = createClickDecoder(config);
    const plain = createClickDecoder({ ...config, geodesicPriorLimit: 0 });
    expect(decoder.countParams() - plain.countParams()).toBe(2);
    // Give the plain decoder the prior decoder's shared weights.
    const shared = decoder.namedVariables();
    for (const [path, variable] of plain.namedVariables()) variable.assign(shared.get(path)!);
    const variables = decoder.namedVariables();
    variables.get('stage_0.adaptor.geodesic_gain')!.assign(tf.scalar(3));
    variables.get('stage_0.adaptor.geodesic_bias')!.assign(tf.scalar(1.5));
    const clicks = clicksAt(levels, [9, 88]);
    const distances = randomValues(140 * 2, 21, 0, 4);
    const withPrior = decoder.apply({ levels, ...clicks, clickGeodesicDistances: distances }).stages[0];
    const without = plain.apply({ levels, ...clicks }).stages[0];
    const expected = without.maskLogits.dataSync().map((value, index) => value + 1.5 - 3 * distances[index]);
    expect(maxAbsoluteDifference(withPrior.maskLogits.dataSync(), expected)).toBeLessThan(1e-4);
    expect(maxAbsoluteDifference(withPrior.classLogits.dataSync(), without.classLogits.dataSync())).toBeLessThan(1e-5);
    tf.dispose([withPrior.maskLogits, withPrior.classLogits, without.maskLogits, without.classLogits]);
    decoder.dispose();
    plain.dispose();
  });

  it('sends gradients to its gain and bias through every stage', () => {
    const gradients = maskLossGradients(GEODESIC_CONFIG, 22);
    for (let stage = 0; stage < 4; stage++) {
      for (const name of ['geodesic_gain', 'geodesic_bias']) {
        const gradient = gradients.get(`stage_${stage}.adaptor.${name}`);
        expect(gradient, `${stage} ${name}`).toBeDefined();
        const [number] = gradient!;
        expect(Number.isFinite(number) && Math.abs(number) > 1e-6).toBe(true);
      }
    }
  });

  it('rejects missing or mis-sized distances and a negative limit with typed errors', () => {
    const decoder = createClickDecoder(GEODESIC_CONFIG);
    const clicks = clicksAt(levels, [2, 130]);
    expect(() => decoder.apply({ levels, ...clicks })).toThrow(DecoderInputError);
    expect(() => decoder.apply({ levels, ...clicks, clickGeodesicDistances: new Float32Array(140) })).toThrow(/clickGeodesicDistances\.length/);
    expect(() => createClickDecoder({ ...TINY_CONFIG, geodesicPriorLimit: -1 })).toThrow(/geodesicPriorLimit/);
    decoder.dispose();
  });
});

describe('click-dependent geodesic reach', () => {
  const REACH_CONFIG: ClickDecoderConfig = { ...TINY_CONFIG, geodesicPriorLimit: 4, geodesicReach: true };

  /** A reach decoder and a plain-prior decoder with the same shared weights. */
  function pair(config: ClickDecoderConfig) {
    const reach = createClickDecoder(config);
    const plain = createClickDecoder({ ...config, geodesicReach: false });
    const shared = reach.namedVariables();
    for (const [path, variable] of plain.namedVariables()) variable.assign(shared.get(path)!);
    return { reach, plain };
  }

  it('starts as the plain prior exactly, with one [width, 1] vector per stage more', () => {
    const { reach, plain } = pair(REACH_CONFIG);
    expect(reach.countParams() - plain.countParams()).toBe(4 * 16);
    const clicks = clicksAt(levels, [4, 71, 133]);
    const distances = randomValues(140 * 3, 31, 0, 4);
    const a = reach.apply({ levels, ...clicks, clickGeodesicDistances: distances }).stages;
    const b = plain.apply({ levels, ...clicks, clickGeodesicDistances: distances }).stages;
    for (let stage = 0; stage < 4; stage++) {
      expect(Array.from(a[stage].maskLogits.dataSync())).toEqual(Array.from(b[stage].maskLogits.dataSync()));
      expect(Array.from(a[stage].classLogits.dataSync())).toEqual(Array.from(b[stage].classLogits.dataSync()));
    }
    tf.dispose([...a, ...b].flatMap((stage) => [stage.maskLogits, stage.classLogits]));
    reach.dispose();
    plain.dispose();
  });

  it("scales each click's gain by exp(2·tanh(Q_t · r)) in a one-stage decoder", () => {
    const config: ClickDecoderConfig = { ...REACH_CONFIG, stageCount: 1, stageLevels: [3] };
    const { reach, plain } = pair(config);
    const variables = reach.namedVariables();
    variables.get('stage_0.adaptor.geodesic_gain')!.assign(tf.scalar(3));
    variables.get('stage_0.adaptor.geodesic_bias')!.assign(tf.scalar(1.5));
    plain.namedVariables().get('stage_0.adaptor.geodesic_gain')!.assign(tf.scalar(3));
    plain.namedVariables().get('stage_0.adaptor.geodesic_bias')!.assign(tf.scalar(1.5));
    variables.get('stage_0.adaptor.geodesic_reach')!.assign(tf.tensor2d(randomValues(16, 32, -0.5, 0.5), [16, 1]));
    const clicks = clicksAt(levels, [9, 88]);
    const distances = randomValues(140 * 2, 33, 0, 4);
    const withReach = reach.apply({ levels, ...clicks, clickGeodesicDistances: distances, keepQueries: true }).stages[0];
    const zero = new Float32Array(140 * 2);
    const without = plain.apply({ levels, ...clicks, clickGeodesicDistances: zero }).stages[0];
    // Q_t · r per click, from the kept queries.
    const queries = withReach.queries!.dataSync();
    const r = Array.from(variables.get('stage_0.adaptor.geodesic_reach')!.dataSync() as Float32Array);
    const factors = [0, 1].map((click) => Math.exp(2 * Math.tanh(r.reduce((sum, value, channel) => sum + value * queries[click * 16 + channel], 0))));
    expect(Math.abs(factors[0] - factors[1])).toBeGreaterThan(1e-3);
    // The plain decoder at d = 0 gives content + bias; the reach decoder subtracts gain · factor · d on top.
    const expected = without.maskLogits.dataSync().map((value, index) => value - 3 * factors[index % 2] * distances[index]);
    expect(maxAbsoluteDifference(withReach.maskLogits.dataSync(), expected)).toBeLessThan(1e-4);
    tf.dispose([withReach.maskLogits, withReach.classLogits, withReach.queries!, without.maskLogits, without.classLogits]);
    reach.dispose();
    plain.dispose();
  });

  it('sends a gradient to the reach vector of every stage from its zero start', () => {
    const gradients = maskLossGradients(REACH_CONFIG, 34);
    for (let stage = 0; stage < 4; stage++) {
      const gradient = gradients.get(`stage_${stage}.adaptor.geodesic_reach`);
      expect(gradient, `stage ${stage}`).toBeDefined();
      expect(gradient!.every(Number.isFinite)).toBe(true);
      expect(Math.max(...Array.from(gradient!, Math.abs))).toBeGreaterThan(1e-6);
    }
  });

  it('refuses the reach without a geodesic prior, and a non-boolean, with typed errors', () => {
    expect(() => createClickDecoder({ ...TINY_CONFIG, geodesicReach: true })).toThrow(DecoderInputError);
    expect(() => createClickDecoder({ ...TINY_CONFIG, geodesicReach: true })).toThrow(/geodesicReach/);
    expect(() => createClickDecoder({ ...TINY_CONFIG, geodesicPriorLimit: 4, geodesicReach: 1 as unknown as boolean })).toThrow(/config\.geodesicReach/);
  });
});

describe('conditioned query adaptor', () => {
  /** φ(x) = gelu(x W1 + b1) W2 + b2 from a module's named variables. */
  function applyMlp(variables: Map<string, tf.Variable>, prefix: string, input: tf.Tensor): tf.Tensor {
    const hidden = gelu(tf.add(tf.matMul(input as tf.Tensor2D, variables.get(`${prefix}.fc1.weight`) as tf.Tensor2D), variables.get(`${prefix}.fc1.bias`)!));
    return tf.add(tf.matMul(hidden as tf.Tensor2D, variables.get(`${prefix}.fc2.weight`) as tf.Tensor2D), variables.get(`${prefix}.fc2.bias`)!);
  }

  it('matches Eqs. 5–7 evaluated literally (projected F^L, E_p pooled at finest resolution)', () => {
    tf.tidy(() => {
      const width = 6;
      const prototypeChannels = 4;
      const initializer = new Initializer(5);
      const adaptor = new ConditionedQueryAdaptor('adaptor', width, prototypeChannels, true, initializer, 'adaptor');
      const finestProjection = new Linear('finest', 5, width, initializer, 'finest');
      const levelProjection = new Linear('level', 3, width, initializer, 'level');
      finestProjection.bias!.assign(tf.tensor1d(randomValues(width, 7)));
      levelProjection.bias!.assign(tf.tensor1d(randomValues(width, 8)));
      const finestFeatures = tf.tensor2d(randomValues(9 * 5, 9), [9, 5]);
      const levelFeatures = tf.tensor2d(randomValues(4 * 3, 10), [4, 3]);
      const finestToLevel = Int32Array.from([0, 0, 1, 1, 1, 2, 3, 3, 3]);
      const queries = tf.tensor2d(randomValues(2 * width, 11), [2, width]);
      const prototypes = tf.tensor2d(randomValues(3 * prototypeChannels, 12), [3, prototypeChannels]);
      const output = adaptor.apply(
        queries,
        { features: finestFeatures, projection: finestProjection },
        { features: levelFeatures, projection: levelProjection, finestToLevel },
        prototypes,
      );
      const variables = adaptor.namedVariables();
      // Eq. 5 literally: M = (F W + b) φm(Q)^T.
      const maskEmbedding = applyMlp(variables, 'mask_embedding', queries);
      const masks = tf.matMul(finestProjection.apply(finestFeatures), maskEmbedding, false, true);
      expect(maxAbsoluteDifference(output.maskLogits.dataSync(), masks.dataSync())).toBeLessThan(1e-5);
      // Eq. 6 literally.
      const classLogits = tf.matMul(applyMlp(variables, 'class_embedding', queries), prototypes, false, true);
      expect(maxAbsoluteDifference(output.classLogits.dataSync(), classLogits.dataSync())).toBeLessThan(1e-5);
      // E_p: the level's projected features gathered to the finest voxels, averaged under σ(M).
      const gathered = tf.gather(levelProjection.apply(levelFeatures), Array.from(finestToLevel)) as tf.Tensor2D; // [9, width]
      const weights = tf.sigmoid(masks) as tf.Tensor2D;
      const spatial = tf.div(tf.matMul(weights, gathered, true, false), tf.add(tf.reshape(tf.sum(weights, 0), [-1, 1]), 1e-6));
      const semantic = tf.matMul(tf.softmax(classLogits), prototypes);
      // Eq. 7 literally.
      const adapted = applyMlp(variables, 'query_fusion', tf.concat([queries, spatial, semantic], 1));
      expect(maxAbsoluteDifference(output.adaptedQueries!.dataSync(), adapted.dataSync())).toBeLessThan(1e-5);
      adaptor.dispose();
      finestProjection.dispose();
      levelProjection.dispose();
    });
  });
});

describe('click decoder on wasm', () => {
  it('gives the same outputs as on cpu', async () => {
    const decoder = createClickDecoder(TINY_CONFIG);
    const clicks = clicksAt(levels, [4, 44, 104]);
    const onCpu = decoder.apply({ levels, ...clicks }).stages.map((stage) => [stage.maskLogits.dataSync(), stage.classLogits.dataSync()]);
    const { manifest, data } = serializeWeights(decoder);
    const levelData = levels.map((level) => ({ values: level.features.dataSync(), shape: level.features.shape }));
    await useBackend('wasm');
    try {
      // Variables and features live on the cpu backend; rebuild them on wasm.
      const wasmDecoder = createClickDecoder(TINY_CONFIG);
      loadWeights(wasmDecoder, manifest, data);
      const wasmLevels = levels.map((level, index) => ({ ...level, features: tf.tensor2d(levelData[index].values, levelData[index].shape) }));
      const onWasm = wasmDecoder.apply({ levels: wasmLevels, ...clicks }).stages;
      onWasm.forEach((stage, index) => {
        expect(maxAbsoluteDifference(stage.maskLogits.dataSync(), onCpu[index][0])).toBeLessThan(1e-3);
        expect(maxAbsoluteDifference(stage.classLogits.dataSync(), onCpu[index][1])).toBeLessThan(1e-3);
      });
      tf.dispose([...onWasm.flatMap((stage) => [stage.maskLogits, stage.classLogits]), ...wasmLevels.map((level) => level.features)]);
      wasmDecoder.dispose();
    } finally {
      await useBackend('cpu');
    }
    decoder.dispose();
  });
});
