import { clickLabel } from './click.js';
import { clampedLogit, SuperpointIndex, type PooledClickMasks } from './click-constraints.js';

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

/**
 * Open-addressing hash of occupied grid cells by their integer coordinates: typed arrays only, a few times faster
 * than a `Map` over a million points.
 */
class CellTable {
  /** Cell index per slot, −1 when empty. */
  private slots: Int32Array;
  /** x, y, z of every cell, by cell index. */
  readonly coordinates: Int32Array;
  /** Cells so far. */
  size = 0;

  constructor(maximumCells: number) {
    this.coordinates = new Int32Array(maximumCells * 3);
    this.slots = new Int32Array(1024).fill(-1); // doubled whenever it is half full
  }

  private static hash(x: number, y: number, z: number): number {
    return Math.imul(x, 73_856_093) ^ Math.imul(y, 19_349_663) ^ Math.imul(z, 83_492_791);
  }

  /** The index of cell (x, y, z), or −1 when no point lies in it. */
  find(x: number, y: number, z: number): number {
    const { slots, coordinates } = this;
    const mask = slots.length - 1;
    for (let slot = CellTable.hash(x, y, z) & mask; ; slot = (slot + 1) & mask) {
      const cell = slots[slot];
      if (cell < 0) return -1;
      if (coordinates[cell * 3] === x && coordinates[cell * 3 + 1] === y && coordinates[cell * 3 + 2] === z) return cell;
    }
  }

  /** The index of cell (x, y, z), added (as the next index) when new. */
  add(x: number, y: number, z: number): number {
    const found = this.find(x, y, z);
    if (found >= 0) return found;
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    const cell = this.size++;
    this.coordinates[cell * 3] = x;
    this.coordinates[cell * 3 + 1] = y;
    this.coordinates[cell * 3 + 2] = z;
    this.place(cell);
    return cell;
  }

  private place(cell: number): void {
    const mask = this.slots.length - 1;
    const { coordinates } = this;
    let slot = CellTable.hash(coordinates[cell * 3], coordinates[cell * 3 + 1], coordinates[cell * 3 + 2]) & mask;
    while (this.slots[slot] >= 0) slot = (slot + 1) & mask;
    this.slots[slot] = cell;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    for (let cell = 0; cell < this.size; cell++) this.place(cell);
  }
}

/** Sorts `values[start, end)` in place (insertion sort: the runs here are a few entries long). */
function sortRun(values: Int32Array, start: number, end: number): void {
  for (let index = start + 1; index < end; index++) {
    const value = values[index];
    let position = index - 1;
    while (position >= start && values[position] > value) {
      values[position + 1] = values[position];
      position--;
    }
    values[position + 1] = value;
  }
}

/**
 * The contact graph of a scene's superpoints on a regular grid.
 *
 * Two superpoints touch once for every cell that holds points of both, and once for every ordered pair of distinct
 * touching cells (26-neighbourhood) of which the first holds points of one and the second points of the other. Built
 * per superpoint: its cells, their 27-neighbourhoods, the superpoints found there, counted in a dense array; all in
 * typed arrays (about 0.25 s for a million points).
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
  const { count, labels } = superpoints;
  const minimum = [Infinity, Infinity, Infinity];
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) minimum[axis] = Math.min(minimum[axis], positions[point * 3 + axis]);
  }
  // Every point's cell.
  const cells = new CellTable(pointCount);
  const pointCell = new Int32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    const x = Math.floor((positions[point * 3] - minimum[0]) / cellSize);
    const y = Math.floor((positions[point * 3 + 1] - minimum[1]) / cellSize);
    const z = Math.floor((positions[point * 3 + 2] - minimum[2]) / cellSize);
    if (x >= 131_072 || y >= 131_072 || z >= 131_072) {
      throw new RangeError(`buildSuperpointGraph: the scene spans more than 131,072 cells of ${cellSize} m along an axis`);
    }
    pointCell[point] = cells.add(x, y, z);
  }
  const cellCount = cells.size;
  // The distinct superpoints of every cell, increasing, in compressed rows (an incidence is one superpoint in one
  // cell). The points grouped by cell the way SuperpointIndex groups them by superpoint.
  const cellPoints = new SuperpointIndex(pointCell, cellCount);
  const cellOffsets = new Int32Array(cellCount + 1);
  const cellSuperpoints = new Int32Array(pointCount);
  const incidenceCell = new Int32Array(pointCount);
  const lastCell = new Int32Array(count).fill(-1);
  let incidences = 0;
  for (let cell = 0; cell < cellCount; cell++) {
    const start = incidences;
    for (let index = cellPoints.offsets[cell]; index < cellPoints.offsets[cell + 1]; index++) {
      const label = labels[cellPoints.members[index]];
      if (lastCell[label] === cell) continue;
      lastCell[label] = cell;
      incidenceCell[incidences] = cell;
      cellSuperpoints[incidences++] = label;
    }
    sortRun(cellSuperpoints, start, incidences);
    cellOffsets[cell + 1] = incidences;
  }
  // Each cell's 27-neighbourhood (itself included), occupied cells only.
  const nearOffsets = new Int32Array(cellCount + 1);
  let near = new Int32Array(cellCount * 8);
  let nearCount = 0;
  const { coordinates } = cells;
  for (let cell = 0; cell < cellCount; cell++) {
    const x = coordinates[cell * 3];
    const y = coordinates[cell * 3 + 1];
    const z = coordinates[cell * 3 + 2];
    for (let dz = -1; dz <= 1; dz++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const other = dx === 0 && dy === 0 && dz === 0 ? cell : cells.find(x + dx, y + dy, z + dz);
          if (other < 0) continue;
          if (nearCount === near.length) {
            const grown = new Int32Array(near.length * 2);
            grown.set(near);
            near = grown;
          }
          near[nearCount++] = other;
        }
      }
    }
    nearOffsets[cell + 1] = nearCount;
  }
  // Every superpoint's incidences, in cell order.
  const superpointIncidences = new SuperpointIndex(cellSuperpoints.subarray(0, incidences), count);
  // Rows: for superpoint a, Σ over its cells c and the cells c' of c's 27-neighbourhood of [b in c'], b ≠ a.
  const offsets = new Int32Array(count + 1);
  let neighbors = new Int32Array(Math.max(16, incidences * 4));
  let contacts = new Float32Array(neighbors.length);
  let entries = 0;
  const tally = new Int32Array(count);
  const touched = new Int32Array(count);
  for (let superpoint = 0; superpoint < count; superpoint++) {
    let touchedCount = 0;
    for (let index = superpointIncidences.offsets[superpoint]; index < superpointIncidences.offsets[superpoint + 1]; index++) {
      const cell = incidenceCell[superpointIncidences.members[index]];
      for (let nearIndex = nearOffsets[cell]; nearIndex < nearOffsets[cell + 1]; nearIndex++) {
        const other = near[nearIndex];
        for (let entry = cellOffsets[other]; entry < cellOffsets[other + 1]; entry++) {
          const neighbor = cellSuperpoints[entry];
          if (neighbor === superpoint) continue;
          if (tally[neighbor]++ === 0) touched[touchedCount++] = neighbor;
        }
      }
    }
    touched.subarray(0, touchedCount).sort();
    if (entries + touchedCount > neighbors.length) {
      const capacity = Math.max(neighbors.length * 2, entries + touchedCount);
      const grownNeighbors = new Int32Array(capacity);
      grownNeighbors.set(neighbors);
      neighbors = grownNeighbors;
      const grownContacts = new Float32Array(capacity);
      grownContacts.set(contacts);
      contacts = grownContacts;
    }
    for (let index = 0; index < touchedCount; index++) {
      const neighbor = touched[index];
      neighbors[entries] = neighbor;
      contacts[entries++] = tally[neighbor];
      tally[neighbor] = 0;
    }
    offsets[superpoint + 1] = entries;
  }
  return { offsets, neighbors: neighbors.slice(0, entries), contacts: contacts.slice(0, entries) };
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
  // The columns never read each other, so each is smoothed alone, in superpoint order: the working set of a sweep
  // is one column's values (8 bytes per superpoint), not all of them.
  const width = clickCount;
  const labels = clicks.map(clickLabel);
  const hasPoints = new Uint8Array(count);
  for (let superpoint = 0; superpoint < count; superpoint++) hasPoints[superpoint] = superpoints.sizeOf(superpoint) > 0 ? 1 : 0;
  const unary = new Float64Array(count);
  const held = new Int8Array(count); // 0 free, 1 held at 1, −1 held at 0
  const state = new Float64Array(count);
  // What a neighbour contributes is its spin 2q − 1, kept beside q (the same float64 value the update would compute
  // from q, so the sums are the ones of the plain loop, bit for bit).
  const spin = new Float64Array(count);
  // An entry is recomputed after the first FULL_SWEEPS sweeps only when a neighbour's spin changed since it was last
  // computed: its update would otherwise read the same values and give the value it holds. Far from every mask the
  // logits are saturated, the changes die out below float64 resolution within a few sweeps, and those entries stop
  // costing.
  const dirty = new Uint8Array(count);
  const active = new Int32Array(count);
  const smoothed = Float32Array.from(probabilities);
  for (let column = 0; column < width; column++) {
    held.fill(0);
    for (let click = 0; click < width; click++) {
      // The click constraints' nearer-click rule decides mixed superpoints later; here any click of this label holds.
      const superpoint = clickSuperpoints[click];
      if (labels[click] === labels[column]) held[superpoint] = 1;
      else if (held[superpoint] === 0) held[superpoint] = -1;
    }
    let activeCount = 0;
    for (let superpoint = 0; superpoint < count; superpoint++) {
      const probability = probabilities[superpoint * width + column];
      state[superpoint] = held[superpoint] === 1 ? 1 : held[superpoint] === -1 ? 0 : probability;
      spin[superpoint] = 2 * state[superpoint] - 1;
      if (held[superpoint] !== 0 || hasPoints[superpoint] === 0) continue;
      unary[superpoint] = clampedLogit(probability); // read by the updates only, which visit the active superpoints
      active[activeCount++] = superpoint;
    }
    for (let sweep = 0; sweep < SMOOTHING_SWEEPS; sweep++) {
      // The first sweeps recompute every free entry whatever changed, so the sweeps before the last of them need not
      // mark the neighbours of what changed.
      const marking = sweep >= FULL_SWEEPS - 1;
      if (sweep < FULL_SWEEPS) for (let index = 0; index < activeCount; index++) dirty[active[index]] = 1;
      for (let index = 0; index < activeCount; index++) {
        const superpoint = active[index];
        if (dirty[superpoint] === 0) continue;
        dirty[superpoint] = 0;
        const first = offsets[superpoint];
        const last = offsets[superpoint + 1];
        // Σ_j w_sj (2 q_j − 1), in edge order.
        let pull = 0;
        for (let edge = first; edge < last; edge++) pull += weights[edge] * spin[neighbors[edge]];
        const probability = 1 / (1 + Math.exp(-(unary[superpoint] + strength * pull)));
        if (probability === state[superpoint]) continue;
        state[superpoint] = probability;
        const value = 2 * probability - 1;
        if (value === spin[superpoint]) continue;
        spin[superpoint] = value;
        if (!marking) continue;
        for (let edge = first; edge < last; edge++) {
          const neighbor = neighbors[edge];
          if (held[neighbor] === 0) dirty[neighbor] = 1;
        }
      }
    }
    for (let index = 0; index < activeCount; index++) smoothed[active[index] * width + column] = state[active[index]];
  }
  return smoothed;
}
