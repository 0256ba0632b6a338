import { clickLabel } from './click.js';
import { clampedLogit, type PooledClickMasks, type SuperpointIndex } from './click-constraints.js';

/** Sweeps of the mean-field update; each visits every superpoint once, in index order. */
export const SMOOTHING_SWEEPS = 10;

/**
 * Sweeps that recompute every free entry. Most entries still change in the first three sweeps (on a 1M-point room
 * at 6 clicks: 99, 99 and 74 %), where tracking which neighbours changed costs more than it saves.
 */
const FULL_SWEEPS = 3;

/**
 * Which superpoints touch which, and how much: a symmetric graph in compressed rows. Two superpoints touch where
 * their points share a grid cell or lie in cells that share a face, an edge or a corner; `contacts` counts the
 * cell pairs in which they do.
 */
export interface SuperpointGraph {
  /** `count + 1` starts into `neighbors` and `contacts`. */
  offsets: Int32Array;
  /** Neighbouring superpoints, increasing within each row. */
  neighbors: Int32Array;
  /** Cell pairs in which the two superpoints touch (≥ 1). */
  contacts: Float32Array;
}

/** The 13 cell offsets of half the 26-neighbourhood: with the cell itself, every touching pair of cells once. */
const FORWARD_OFFSETS: [number, number, number][] = [];
for (let dz = -1; dz <= 1; dz++) {
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      if (dz > 0 || (dz === 0 && (dy > 0 || (dy === 0 && dx > 0)))) FORWARD_OFFSETS.push([dx, dy, dz]);
    }
  }
}

/**
 * The contact graph of a scene's superpoints on a regular grid.
 *
 * @param positions `pointCount·3` coordinates in metres, the points the superpoints label.
 * @param cellSize Grid cell edge in metres (the model's voxel edge in the same coordinates: 0.04 m for `lite`).
 * @param superpoints The scene's superpoints.
 * @throws RangeError when `cellSize` is not a positive finite number or the sizes disagree.
 */
export function buildSuperpointGraph(positions: Float32Array, cellSize: number, superpoints: SuperpointIndex): SuperpointGraph {
  if (!(cellSize > 0 && Number.isFinite(cellSize))) throw new RangeError(`buildSuperpointGraph: cellSize must be a positive finite number of metres, got ${cellSize}`);
  const pointCount = superpoints.labels.length;
  if (positions.length !== pointCount * 3) {
    throw new RangeError(`buildSuperpointGraph: ${positions.length / 3} points in positions but ${pointCount} superpoint labels`);
  }
  const minimum = [Infinity, Infinity, Infinity];
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) minimum[axis] = Math.min(minimum[axis], positions[point * 3 + axis]);
  }
  // Cells indexed by their integer coordinates packed into one number (exact below 2^53: 2^17 cells per axis).
  const cellOf = (x: number, y: number, z: number): number => x + 131_072 * (y + 131_072 * z);
  const cellIndex = new Map<number, number>();
  const cellCoordinates: number[] = [];
  const pointCell = new Int32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    const x = Math.floor((positions[point * 3] - minimum[0]) / cellSize);
    const y = Math.floor((positions[point * 3 + 1] - minimum[1]) / cellSize);
    const z = Math.floor((positions[point * 3 + 2] - minimum[2]) / cellSize);
    if (x >= 131_072 || y >= 131_072 || z >= 131_072) {
      throw new RangeError(`buildSuperpointGraph: the scene spans more than 131,072 cells of ${cellSize} m along an axis`);
    }
    const key = cellOf(x, y, z);
    let cell = cellIndex.get(key);
    if (cell === undefined) {
      cell = cellCoordinates.length / 3;
      cellIndex.set(key, cell);
      cellCoordinates.push(x, y, z);
    }
    pointCell[point] = cell;
  }
  // The distinct superpoints of every cell, in compressed rows.
  const cellCount = cellCoordinates.length / 3;
  const seen = new Map<number, Set<number>>();
  for (let point = 0; point < pointCount; point++) {
    let set = seen.get(pointCell[point]);
    if (!set) seen.set(pointCell[point], (set = new Set()));
    set.add(superpoints.labels[point]);
  }
  const cellOffsets = new Int32Array(cellCount + 1);
  for (let cell = 0; cell < cellCount; cell++) cellOffsets[cell + 1] = cellOffsets[cell] + (seen.get(cell)?.size ?? 0);
  const cellSuperpoints = new Int32Array(cellOffsets[cellCount]);
  for (let cell = 0; cell < cellCount; cell++) {
    const sorted = [...(seen.get(cell) ?? [])].sort((a, b) => a - b);
    cellSuperpoints.set(sorted, cellOffsets[cell]);
  }
  const pairContacts = new Map<number, number>();
  const { count } = superpoints;
  const addPair = (a: number, b: number): void => {
    if (a === b) return;
    const key = a < b ? a * count + b : b * count + a;
    pairContacts.set(key, (pairContacts.get(key) ?? 0) + 1);
  };
  for (let cell = 0; cell < cellCount; cell++) {
    const start = cellOffsets[cell];
    const end = cellOffsets[cell + 1];
    for (let first = start; first < end; first++) for (let second = first + 1; second < end; second++) addPair(cellSuperpoints[first], cellSuperpoints[second]);
    const x = cellCoordinates[cell * 3];
    const y = cellCoordinates[cell * 3 + 1];
    const z = cellCoordinates[cell * 3 + 2];
    for (const [dx, dy, dz] of FORWARD_OFFSETS) {
      if (x + dx < 0 || y + dy < 0 || z + dz < 0) continue;
      const other = cellIndex.get(cellOf(x + dx, y + dy, z + dz));
      if (other === undefined) continue;
      for (let first = start; first < end; first++) {
        for (let second = cellOffsets[other]; second < cellOffsets[other + 1]; second++) addPair(cellSuperpoints[first], cellSuperpoints[second]);
      }
    }
  }
  // Both directions of every pair. Visiting the pairs (a < b) in increasing key a·count + b fills every row in
  // increasing neighbour order: row r receives its neighbours below r (keys y·count + r) before those above it
  // (keys r·count + x), each group in increasing order.
  const degree = new Int32Array(count + 1);
  for (const key of pairContacts.keys()) {
    degree[Math.floor(key / count) + 1]++;
    degree[(key % count) + 1]++;
  }
  for (let superpoint = 0; superpoint < count; superpoint++) degree[superpoint + 1] += degree[superpoint];
  const offsets = degree;
  const fill = offsets.slice(0, count);
  const neighbors = new Int32Array(offsets[count]);
  const contacts = new Float32Array(offsets[count]);
  for (const [key, value] of [...pairContacts.entries()].sort((a, b) => a[0] - b[0])) {
    const a = Math.floor(key / count);
    const b = key % count;
    neighbors[fill[a]] = b;
    contacts[fill[a]++] = value;
    neighbors[fill[b]] = a;
    contacts[fill[b]++] = value;
  }
  return { offsets, neighbors, contacts };
}

/**
 * Edge weights of the smoothing: for the edge from superpoint s to its neighbour j,
 * `contacts(s, j) · exp(−‖f_s − f_j‖² / C) / Σ_k contacts(s, k)`, with f the standardised mean finest backbone
 * features (`superpointFeatures`) and C their channel count. A superpoint's weights sum to at most 1; they sum to
 * 1 only when its neighbours look exactly like it, so a superpoint whose neighbours look different is pushed less.
 *
 * @param graph The superpoints' contact graph.
 * @param features `[superpointCount, channels]` standardised features.
 * @param channels Channels per superpoint.
 */
export function superpointEdgeWeights(graph: SuperpointGraph, features: Float32Array, channels: number): Float32Array {
  const { offsets, neighbors, contacts } = graph;
  const count = offsets.length - 1;
  if (features.length !== count * channels) throw new RangeError(`superpointEdgeWeights: ${features.length} feature values for ${count} superpoints × ${channels} channels`);
  const weights = new Float32Array(neighbors.length);
  for (let superpoint = 0; superpoint < count; superpoint++) {
    let total = 0;
    for (let entry = offsets[superpoint]; entry < offsets[superpoint + 1]; entry++) total += contacts[entry];
    for (let entry = offsets[superpoint]; entry < offsets[superpoint + 1]; entry++) {
      const neighbor = neighbors[entry];
      let squared = 0;
      for (let channel = 0; channel < channels; channel++) {
        const difference = features[superpoint * channels + channel] - features[neighbor * channels + channel];
        squared += difference * difference;
      }
      weights[entry] = (contacts[entry] * Math.exp(-squared / channels)) / total;
    }
  }
  return weights;
}

/** Input of {@link smoothSuperpointProbabilities}. */
export interface SuperpointSmoothingInput extends PooledClickMasks {
  /** The superpoints' contact graph. */
  graph: SuperpointGraph;
  /** {@link superpointEdgeWeights} of the graph. */
  weights: Float32Array;
  /** β, logits: the most the neighbours can move a superpoint's logit either way; > 0. */
  strength: number;
  /** Superpoints with no points keep probability 0 (they have no logit). */
  superpoints: SuperpointIndex;
}

/**
 * Mean-field smoothing of each click's pooled mask over the superpoint graph: a binary pairwise random field per
 * probability column whose unary term is the pooled logit U_s and whose pairwise term rewards agreeing with
 * similar touching superpoints. Each sweep sets, in superpoint order (Gauss–Seidel),
 * `L_s = U_s + β Σ_j w_sj (2 q_j − 1)`, `q_s = σ(L_s)`, where w are {@link superpointEdgeWeights}. The superpoints
 * the clicks fall in are held at the click constraints' values: q = 1 in the columns of clicks with the same
 * label (object, or background) and 0 in the others, so a click's own superpoint pulls its similar neighbours
 * in. A confident superpoint (|U_s| > β) never changes side; an unsure one follows its similar neighbours, which
 * lets a mask grow over an object's surface past where the network stopped and fills unsure holes.
 */
export function smoothSuperpointProbabilities(input: SuperpointSmoothingInput): Float32Array {
  const { clicks, clickSuperpoints, probabilities, graph, weights, strength, superpoints } = input;
  const clickCount = clicks.length;
  const count = superpoints.count;
  if (!(strength > 0 && Number.isFinite(strength))) throw new RangeError(`smoothSuperpointProbabilities: strength must be a positive finite number of logits, got ${strength}`);
  if (probabilities.length !== count * clickCount) {
    throw new RangeError(`smoothSuperpointProbabilities: ${probabilities.length} probabilities for ${count} superpoints × ${clickCount} clicks`);
  }
  const { offsets, neighbors } = graph;
  // All columns advance together, superpoint by superpoint; every column sees its own updates in superpoint order,
  // as if it were smoothed alone (columns never read each other).
  const width = clickCount;
  const unary = new Float64Array(count * width);
  const held = new Int8Array(count * width); // 0 free, 1 held at 1, −1 held at 0
  const state = new Float64Array(count * width);
  const labels = clicks.map(clickLabel);
  for (let column = 0; column < width; column++) {
    for (let click = 0; click < width; click++) {
      // The click constraints' nearer-click rule decides mixed superpoints later; here any click of this label holds.
      const entry = clickSuperpoints[click] * width + column;
      if (labels[click] === labels[column]) held[entry] = 1;
      else if (held[entry] === 0) held[entry] = -1;
    }
  }
  for (let entry = 0; entry < count * width; entry++) {
    const probability = probabilities[entry];
    unary[entry] = clampedLogit(probability);
    state[entry] = held[entry] === 1 ? 1 : held[entry] === -1 ? 0 : probability;
  }
  // What a neighbour contributes is its spin 2q − 1, kept beside q (the same float64 value the update would
  // compute from q, so the sums are the ones of the plain loop, bit for bit).
  const spin = new Float64Array(count * width);
  for (let entry = 0; entry < count * width; entry++) spin[entry] = 2 * state[entry] - 1;
  // An entry is recomputed only when a neighbour's spin in its column changed since it was last computed: its
  // update would otherwise read the same values and give the value it holds. Far from every mask the logits are
  // saturated, the changes die out below float64 resolution within a few sweeps, and those entries stop costing.
  // Every free entry of a superpoint with points is computed in each of the first FULL_SWEEPS sweeps.
  const dirty = new Uint8Array(count * width);
  // The edges' neighbour rows and weights in the types the loop reads (float32 weights widen exactly).
  const neighborRows = new Int32Array(neighbors.length);
  const edgeWeights = new Float64Array(weights.length);
  for (let edge = 0; edge < neighbors.length; edge++) {
    neighborRows[edge] = neighbors[edge] * width;
    edgeWeights[edge] = weights[edge];
  }
  const active: number[] = [];
  for (let superpoint = 0; superpoint < count; superpoint++) {
    if (superpoints.sizeOf(superpoint) === 0) continue;
    let free = false;
    for (let entry = superpoint * width; entry < (superpoint + 1) * width; entry++) {
      if (held[entry] === 0) {
        dirty[entry] = 1;
        free = true;
      }
    }
    if (free) active.push(superpoint);
  }
  for (let sweep = 0; sweep < SMOOTHING_SWEEPS; sweep++) {
    // The first sweeps recompute every free entry whatever changed, so the sweeps before the last of them need
    // not mark the neighbours of what changed.
    const marking = sweep >= FULL_SWEEPS - 1;
    if (sweep > 0 && sweep < FULL_SWEEPS) {
      for (const superpoint of active) {
        for (let entry = superpoint * width; entry < (superpoint + 1) * width; entry++) if (held[entry] === 0) dirty[entry] = 1;
      }
    }
    for (const superpoint of active) {
      const row = superpoint * width;
      const first = offsets[superpoint];
      const last = offsets[superpoint + 1];
      for (let column = 0; column < width; column++) {
        const entry = row + column;
        if (dirty[entry] === 0) continue;
        dirty[entry] = 0;
        // Σ_j w_sj (2 q_j − 1), in edge order.
        let pull = 0;
        for (let edge = first; edge < last; edge++) pull += edgeWeights[edge] * spin[neighborRows[edge] + column];
        const probability = 1 / (1 + Math.exp(-(unary[entry] + strength * pull)));
        if (probability === state[entry]) continue;
        state[entry] = probability;
        const value = 2 * probability - 1;
        if (value === spin[entry]) continue;
        spin[entry] = value;
        if (!marking) continue;
        for (let edge = first; edge < last; edge++) {
          const neighborEntry = neighborRows[edge] + column;
          if (held[neighborEntry] === 0) dirty[neighborEntry] = 1;
        }
      }
    }
  }
  const smoothed = Float32Array.from(probabilities);
  for (let entry = 0; entry < count * width; entry++) {
    if (held[entry] !== 0 || superpoints.sizeOf(Math.floor(entry / width)) === 0) continue;
    smoothed[entry] = state[entry];
  }
  return smoothed;
}
