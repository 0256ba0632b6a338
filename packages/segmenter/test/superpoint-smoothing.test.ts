/**
 * The superpoint contact graph and the mean-field smoothing of pooled masks (`superpoints.smoothing`), on small
 * hand-built scenes whose answers follow from the definitions.
 */
import { describe, expect, it } from 'vitest';
import { SuperpointIndex } from '../src/click-constraints.js';
import { buildSuperpointGraph, smoothSuperpointProbabilities, superpointEdgeWeights, SMOOTHING_SWEEPS } from '../src/superpoint-smoothing.js';

/** A row of `count` superpoints along x, each two points in its own 1 m cell, cells side by side (exact in float32). */
function row(count: number): { positions: Float32Array; superpoints: SuperpointIndex } {
  const positions = new Float32Array(count * 2 * 3);
  const labels = new Int32Array(count * 2);
  for (let superpoint = 0; superpoint < count; superpoint++) {
    for (let copy = 0; copy < 2; copy++) {
      const point = superpoint * 2 + copy;
      positions.set([superpoint + 0.25 + copy * 0.5, 0.5, 0.5], point * 3);
      labels[point] = superpoint;
    }
  }
  return { positions, superpoints: new SuperpointIndex(labels, count) };
}

const sigmoid = (logit: number): number => 1 / (1 + Math.exp(-logit));

describe('buildSuperpointGraph', () => {
  it('links superpoints in touching cells (face, edge, corner or the same cell), symmetrically, and no others', () => {
    // Superpoints: 0 and 1 share cell (0,0,0); 2 in (1,1,1) touches it by a corner; 3 in (3,0,0) touches nothing.
    const positions = Float32Array.of(0.01, 0.01, 0.01, 0.05, 0.05, 0.05, 0.15, 0.15, 0.15, 0.35, 0.05, 0.05);
    const superpoints = new SuperpointIndex(Int32Array.of(0, 1, 2, 3), 4);
    const graph = buildSuperpointGraph(positions, 0.1, superpoints);
    const neighborsOf = (superpoint: number) => Array.from(graph.neighbors.subarray(graph.offsets[superpoint], graph.offsets[superpoint + 1]));
    expect(neighborsOf(0)).toEqual([1, 2]);
    expect(neighborsOf(1)).toEqual([0, 2]);
    expect(neighborsOf(2)).toEqual([0, 1]);
    expect(neighborsOf(3)).toEqual([]);
    expect(Array.from(graph.contacts)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('counts the cell pairs in which two superpoints touch', () => {
    // Superpoint 0 fills cells x = 0 and 1, superpoint 1 cells x = 1 and 2 (1 m cells): they share cell 1 and
    // touch across the faces between cells 0–1 and 1–2, 3 contacts in all.
    const positions = Float32Array.of(0.5, 0.5, 0.5, 1.5, 0.5, 0.5, 1.625, 0.5, 0.5, 2.5, 0.5, 0.5);
    const superpoints = new SuperpointIndex(Int32Array.of(0, 0, 1, 1), 2);
    const graph = buildSuperpointGraph(positions, 1, superpoints);
    expect(Array.from(graph.neighbors)).toEqual([1, 0]);
    expect(Array.from(graph.contacts)).toEqual([3, 3]);
  });

  it('refuses a bad cell size or mismatched sizes', () => {
    const { positions, superpoints } = row(3);
    expect(() => buildSuperpointGraph(positions, 0, superpoints)).toThrow(/cellSize must be a positive/);
    expect(() => buildSuperpointGraph(positions.subarray(3), 0.1, superpoints)).toThrow(/superpoint labels/);
  });
});

describe('superpointEdgeWeights', () => {
  it('are contact shares when the features agree, and fall with the feature distance', () => {
    const { positions, superpoints } = row(3);
    const graph = buildSuperpointGraph(positions, 1, superpoints);
    const same = superpointEdgeWeights(graph, new Float32Array(3 * 2), 2);
    expect(Array.from(same)).toEqual([1, 0.5, 0.5, 1]);
    // Superpoint 2 differs by 2 in one of 2 channels: squared distance 4, weight × exp(−4 / 2).
    const features = Float32Array.of(0, 0, 0, 0, 2, 0);
    const weights = superpointEdgeWeights(graph, features, 2);
    expect(weights[0]).toBe(1);
    expect(weights[1]).toBe(0.5);
    expect(weights[2]).toBeCloseTo(0.5 * Math.exp(-2), 7);
    expect(weights[3]).toBeCloseTo(Math.exp(-2), 7);
  });
});

describe('smoothSuperpointProbabilities', () => {
  const { positions, superpoints } = row(5);
  const graph = buildSuperpointGraph(positions, 1, superpoints);
  const weights = superpointEdgeWeights(graph, new Float32Array(5), 1);
  const click = [{ objectId: 1, kind: 'object' as const }];

  it('pulls unsure superpoints towards their neighbours, keeps the held superpoint, and reaches the fixed point', () => {
    // Click in superpoint 0; pooled logits 3, −0.5, −0.5, −0.5, −6: the one beside the click is pulled up, the
    // one beside the confident last superpoint pulled down, and the last stays out.
    const probabilities = Float32Array.from([3, -0.5, -0.5, -0.5, -6], sigmoid);
    const smoothed = smoothSuperpointProbabilities({ clicks: click, clickSuperpoints: Int32Array.of(0), probabilities, graph, weights, strength: 2, superpoints });
    expect(smoothed[0]).toBe(probabilities[0]);
    expect(smoothed[1]).toBeGreaterThan(probabilities[1]);
    expect(smoothed[3]).toBeLessThan(probabilities[3]);
    expect(smoothed[4]).toBeLessThan(0.5);
    // After the sweeps every free superpoint satisfies its mean-field equation (superpoint 0 held at 1):
    // q_s = σ(U_s + β Σ_j w_sj (2 q_j − 1)), here with w = ½ to each side.
    const state = [1, smoothed[1], smoothed[2], smoothed[3], smoothed[4]];
    const logits = [3, -0.5, -0.5, -0.5, -6];
    for (const superpoint of [1, 2, 3]) {
      const pull = 0.5 * (2 * state[superpoint - 1] - 1) + 0.5 * (2 * state[superpoint + 1] - 1);
      expect(smoothed[superpoint]).toBeCloseTo(sigmoid(logits[superpoint] + 2 * pull), 3);
    }
    expect(smoothed[4]).toBeCloseTo(sigmoid(-6 + 2 * (2 * state[3] - 1)), 3);
    expect(SMOOTHING_SWEEPS).toBeGreaterThan(1);
  });

  it('never flips a superpoint whose pooled logit exceeds the strength in size', () => {
    const probabilities = Float32Array.from([-2.5, 2.5, -2.5, 2.5, -2.5], sigmoid);
    const smoothed = smoothSuperpointProbabilities({ clicks: click, clickSuperpoints: Int32Array.of(1), probabilities, graph, weights, strength: 2, superpoints });
    for (let superpoint = 0; superpoint < 5; superpoint++) expect(smoothed[superpoint] > 0.5).toBe(probabilities[superpoint] > 0.5);
  });

  it('holds another label\'s clicked superpoint out of a column and leaves the input untouched', () => {
    const clicks = [
      { objectId: 1, kind: 'object' as const },
      { objectId: 2, kind: 'background' as const },
    ];
    // Column 0 (object 1) sure at superpoint 0; the background click sits on superpoint 2, unsure in column 0.
    const probabilities = new Float32Array(10);
    [3, -0.3, 0, -0.3, -0.3].forEach((logit, superpoint) => (probabilities[superpoint * 2] = sigmoid(logit)));
    [-3, -3, 3, -3, -3].forEach((logit, superpoint) => (probabilities[superpoint * 2 + 1] = sigmoid(logit)));
    const copy = Float32Array.from(probabilities);
    const smoothed = smoothSuperpointProbabilities({ clicks, clickSuperpoints: Int32Array.of(0, 2), probabilities, graph, weights, strength: 2, superpoints });
    expect(Array.from(probabilities)).toEqual(Array.from(copy));
    // Superpoint 3 sits between the held-out 2 and the unsure 4: pulled down in column 0.
    expect(smoothed[3 * 2]).toBeLessThan(probabilities[3 * 2]);
    // Superpoint 1 sits between the click's 0 and the held-out 2: pulls cancel, it stays near its own logit.
    expect(smoothed[1 * 2]).toBeCloseTo(probabilities[1 * 2], 6);
  });

  it('refuses a strength that is not a positive finite number and mismatched sizes', () => {
    const probabilities = new Float32Array(5).fill(0.5);
    expect(() => smoothSuperpointProbabilities({ clicks: click, clickSuperpoints: Int32Array.of(0), probabilities, graph, weights, strength: 0, superpoints })).toThrow(/strength/);
    expect(() => smoothSuperpointProbabilities({ clicks: click, clickSuperpoints: Int32Array.of(0), probabilities: probabilities.subarray(1), graph, weights, strength: 1, superpoints })).toThrow(/4 probabilities/);
  });
});
