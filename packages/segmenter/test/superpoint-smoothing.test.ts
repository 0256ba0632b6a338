/**
 * The superpoint contact graph and the mean-field smoothing of pooled masks (`superpoints.smoothing`), on small
 * hand-built scenes whose answers follow from the definitions.
 */
import { describe, expect, it } from 'vitest';
import { clampedLogit, SuperpointIndex } from '../src/click-constraints.js';
import { clickLabel } from '../src/click.js';
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

  it('equals the definition counted cell pair by cell pair on a random scene', () => {
    let seed = 99;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const pointCount = 3000;
    const count = 120;
    const positions = Float32Array.from({ length: pointCount * 3 }, () => random() * 1.2 - 0.1);
    // Superpoints as spatial blobs (nearest of 120 random centres) so that most cells hold one or two of them.
    const centres = Array.from({ length: count }, () => [random() * 1.2 - 0.1, random() * 1.2 - 0.1, random() * 1.2 - 0.1]);
    const labels = Int32Array.from({ length: pointCount }, (_, point) => {
      let best = 0;
      let bestDistance = Infinity;
      centres.forEach((centre, superpoint) => {
        const distance = centre.reduce((sum, value, axis) => sum + (value - positions[point * 3 + axis]) ** 2, 0);
        if (distance < bestDistance) [best, bestDistance] = [superpoint, distance];
      });
      return best;
    });
    const superpoints = new SuperpointIndex(labels, count);
    const cellSize = 0.1;
    const graph = buildSuperpointGraph(positions, cellSize, superpoints);
    // The definition: cells as integer triples from the lowest corner; every unordered pair of touching cells (and
    // every cell with itself) adds one contact per pair of distinct superpoints found across them.
    const minimum = [0, 1, 2].map((axis) => Math.min(...Array.from({ length: pointCount }, (_, point) => positions[point * 3 + axis])));
    const cellMembers = new Map<string, Set<number>>();
    for (let point = 0; point < pointCount; point++) {
      const key = [0, 1, 2].map((axis) => Math.floor((positions[point * 3 + axis] - minimum[axis]) / cellSize)).join(',');
      if (!cellMembers.has(key)) cellMembers.set(key, new Set());
      cellMembers.get(key)!.add(labels[point]);
    }
    const expected = new Map<string, number>();
    const add = (a: number, b: number) => {
      if (a === b) return;
      const key = a < b ? `${a}-${b}` : `${b}-${a}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    };
    const keys = [...cellMembers.keys()];
    for (const [index, first] of keys.entries()) {
      const firstCoordinates = first.split(',').map(Number);
      const firstMembers = [...cellMembers.get(first)!];
      firstMembers.forEach((a, position) => firstMembers.slice(position + 1).forEach((b) => add(a, b)));
      for (const second of keys.slice(index + 1)) {
        const secondCoordinates = second.split(',').map(Number);
        if (firstCoordinates.some((value, axis) => Math.abs(value - secondCoordinates[axis]) > 1)) continue;
        for (const a of firstMembers) for (const b of cellMembers.get(second)!) add(a, b);
      }
    }
    const found = new Map<string, number>();
    for (let superpoint = 0; superpoint < count; superpoint++) {
      const row = Array.from(graph.neighbors.subarray(graph.offsets[superpoint], graph.offsets[superpoint + 1]));
      expect(row).toEqual([...row].sort((a, b) => a - b));
      row.forEach((neighbor, index) => {
        if (superpoint < neighbor) found.set(`${superpoint}-${neighbor}`, graph.contacts[graph.offsets[superpoint] + index]);
        else expect(found.get(`${neighbor}-${superpoint}`)).toBe(graph.contacts[graph.offsets[superpoint] + index]);
      });
    }
    expect(found.size).toBeGreaterThan(200);
    expect(new Map([...found].sort())).toEqual(new Map([...expected].sort()));
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

  it('gives, bit for bit, the plain Gauss–Seidel loop that recomputes every free entry at every sweep', () => {
    // A random 3D scene: 4,000 points in 300 superpoints grown around random seeds, 3 clicks of 2 labels.
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const count = 300;
    const centres = Array.from({ length: count }, () => [random() * 4, random() * 4, random()]);
    const positions = new Float32Array(4000 * 3);
    const labels = new Int32Array(4000);
    for (let point = 0; point < 4000; point++) {
      const superpoint = Math.floor(random() * (count - 1)); // the last superpoint keeps no points
      labels[point] = superpoint;
      for (let axis = 0; axis < 3; axis++) positions[point * 3 + axis] = centres[superpoint][axis] + (random() - 0.5) * 0.3;
    }
    const superpoints = new SuperpointIndex(labels, count);
    const graph = buildSuperpointGraph(positions, 0.1, superpoints);
    const channels = 4;
    const features = Float32Array.from({ length: count * channels }, () => random() * 2 - 1);
    const weights = superpointEdgeWeights(graph, features, channels);
    const clicks = [
      { objectId: 1, kind: 'object' as const },
      { objectId: 2, kind: 'object' as const },
      { objectId: 3, kind: 'background' as const },
    ];
    const clickSuperpoints = Int32Array.of(labels[0], labels[1], labels[2]);
    // Saturated logits as the network gives them (most entries far below 0), some unsure ones.
    const probabilities = Float32Array.from({ length: count * 3 }, () => sigmoid(random() < 0.8 ? -14 + random() : random() * 8 - 4));
    for (let superpoint = count - 1, column = 0; column < 3; column++) probabilities[superpoint * 3 + column] = 0;
    for (const strength of [2, 16]) {
      const smoothed = smoothSuperpointProbabilities({ clicks, clickSuperpoints, probabilities, graph, weights, strength, superpoints });
      // The reference: every free entry of every superpoint with points, every sweep.
      const width = 3;
      const held = new Int8Array(count * width);
      for (let column = 0; column < width; column++) {
        for (let click = 0; click < width; click++) {
          const entry = clickSuperpoints[click] * width + column;
          if (clickLabel(clicks[click]) === clickLabel(clicks[column])) held[entry] = 1;
          else if (held[entry] === 0) held[entry] = -1;
        }
      }
      const state = Float64Array.from(probabilities, (probability, entry) => (held[entry] === 1 ? 1 : held[entry] === -1 ? 0 : probability));
      const unary = Float64Array.from(probabilities, clampedLogit);
      for (let sweep = 0; sweep < SMOOTHING_SWEEPS; sweep++) {
        for (let superpoint = 0; superpoint < count; superpoint++) {
          if (superpoints.sizeOf(superpoint) === 0) continue;
          for (let column = 0; column < width; column++) {
            const entry = superpoint * width + column;
            if (held[entry] !== 0) continue;
            let pull = 0;
            for (let edge = graph.offsets[superpoint]; edge < graph.offsets[superpoint + 1]; edge++) pull += weights[edge] * (2 * state[graph.neighbors[edge] * width + column] - 1);
            state[entry] = 1 / (1 + Math.exp(-(unary[entry] + strength * pull)));
          }
        }
      }
      const expected = Float32Array.from(probabilities, (probability, entry) => (held[entry] !== 0 || superpoints.sizeOf(Math.floor(entry / width)) === 0 ? probability : state[entry]));
      expect(Array.from(smoothed)).toEqual(Array.from(expected));
      // Not vacuous: the field moved some entries across one half.
      expect(Array.from(smoothed).filter((value, entry) => value > 0.5 !== probabilities[entry] > 0.5).length).toBeGreaterThan(0);
    }
  });

  it('refuses a strength that is not a positive finite number and mismatched sizes', () => {
    const probabilities = new Float32Array(5).fill(0.5);
    expect(() => smoothSuperpointProbabilities({ clicks: click, clickSuperpoints: Int32Array.of(0), probabilities, graph, weights, strength: 0, superpoints })).toThrow(/strength/);
    expect(() => smoothSuperpointProbabilities({ clicks: click, clickSuperpoints: Int32Array.of(0), probabilities: probabilities.subarray(1), graph, weights, strength: 1, superpoints })).toThrow(/4 probabilities/);
  });
});
