import type { PointCloud } from '@pointclick/io';
import { NeighborIndex } from '@pointclick/sampling';
import type { EvaluationClick, SegmentFunction } from './interactive-evaluation.js';
import { MetricsInputError } from './metrics-error.js';

/** Options of {@link createGeodesicSegmenter}. */
export interface GeodesicSegmenterOptions {
  /** Neighbours per point in the k-nearest-neighbour graph (made symmetric). Default 12. */
  neighborCount?: number;
  /**
   * Colour penalty: an edge of length d between points whose RGB colours differ by Δ (Euclidean distance
   * of 0..1 colours, so 0..√3) costs d · (1 + colorWeight · Δ). 0 = pure geodesic distance. Default 4.
   */
  colorWeight?: number;
  /**
   * Points farther than this (in the penalised geodesic metric, metres) from every click stay background,
   * so that object clicks alone do not flood the whole room. Default Infinity (no limit).
   */
  maxDistance?: number;
}

/** Symmetric kNN graph in compressed sparse rows, with edge costs. */
interface WeightedGraph {
  /** Row starts, length pointCount + 1. */
  offsets: Int32Array;
  targets: Int32Array;
  /** Edge costs in metres (length scaled by the colour penalty). */
  costs: Float32Array;
}

/**
 * A non-learned baseline for the evaluation runner: labels spread from the clicks over a k-nearest-neighbour
 * graph of the cloud. Every point takes the label of the click nearest to it in graph-geodesic distance,
 * edge costs being lengths scaled up by colour differences. Background clicks compete like objects (label 0);
 * points no click reaches are background. One multi-source Dijkstra (binary heap on typed arrays) per call:
 * O(E log V). The graph is built once per cloud (cached by cloud object).
 */
export function createGeodesicSegmenter(options: GeodesicSegmenterOptions = {}): SegmentFunction {
  const neighborCount = options.neighborCount ?? 12;
  const colorWeight = options.colorWeight ?? 4;
  if (!Number.isInteger(neighborCount) || neighborCount < 1) {
    throw new MetricsInputError('options.neighborCount', '', 'a positive integer', String(options.neighborCount));
  }
  if (!Number.isFinite(colorWeight) || colorWeight < 0) {
    throw new MetricsInputError('options.colorWeight', '', 'a finite number ≥ 0', String(options.colorWeight));
  }
  const maxDistance = options.maxDistance ?? Infinity;
  if (!(maxDistance > 0)) {
    throw new MetricsInputError('options.maxDistance', '', 'a positive number of metres', String(options.maxDistance));
  }
  const graphs = new WeakMap<PointCloud, WeightedGraph>();
  return (cloud: PointCloud, clicks: readonly EvaluationClick[]): Int32Array => {
    let graph = graphs.get(cloud);
    if (!graph) {
      graph = buildGraph(cloud, neighborCount, colorWeight);
      graphs.set(cloud, graph);
    }
    return propagateLabels(graph, cloud.pointCount, clicks, maxDistance);
  };
}

function buildGraph(cloud: PointCloud, neighborCount: number, colorWeight: number): WeightedGraph {
  const pointCount = cloud.pointCount;
  const k = Math.min(neighborCount + 1, pointCount);
  const { indices, distances } = new NeighborIndex(cloud.positions).knn(cloud.positions, k);
  // Degree of each point in the symmetric graph: its own neighbours plus everyone that lists it.
  const degree = new Int32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    for (let slot = 0; slot < k; slot++) {
      const other = indices[point * k + slot];
      if (other === point) continue;
      degree[point]++;
      degree[other]++;
    }
  }
  const offsets = new Int32Array(pointCount + 1);
  for (let point = 0; point < pointCount; point++) offsets[point + 1] = offsets[point] + degree[point];
  const targets = new Int32Array(offsets[pointCount]);
  const costs = new Float32Array(offsets[pointCount]);
  const fill = offsets.slice(0, pointCount);
  const colors = cloud.colors;
  for (let point = 0; point < pointCount; point++) {
    for (let slot = 0; slot < k; slot++) {
      const other = indices[point * k + slot];
      if (other === point) continue;
      let cost = distances[point * k + slot];
      if (colors && colorWeight > 0) {
        const dr = (colors[point * 3] - colors[other * 3]) / 255;
        const dg = (colors[point * 3 + 1] - colors[other * 3 + 1]) / 255;
        const db = (colors[point * 3 + 2] - colors[other * 3 + 2]) / 255;
        cost *= 1 + colorWeight * Math.sqrt(dr * dr + dg * dg + db * db);
      }
      targets[fill[point]] = other;
      costs[fill[point]++] = cost;
      targets[fill[other]] = point;
      costs[fill[other]++] = cost;
    }
  }
  return { offsets, targets, costs };
}

/** Multi-source Dijkstra; each point gets the label of the source it is reached from first. */
function propagateLabels(graph: WeightedGraph, pointCount: number, clicks: readonly EvaluationClick[], maxDistance: number): Int32Array {
  const labels = new Int32Array(pointCount);
  const distance = new Float64Array(pointCount).fill(Infinity);
  const settled = new Uint8Array(pointCount);
  // Binary min-heap of (distance, point) with lazy deletion; at most one entry per relaxation.
  let capacity = Math.max(16, clicks.length * 4);
  let heapKeys = new Float64Array(capacity);
  let heapPoints = new Int32Array(capacity);
  let heapSize = 0;
  const push = (key: number, point: number): void => {
    if (heapSize === capacity) {
      capacity *= 2;
      const keys = new Float64Array(capacity);
      keys.set(heapKeys);
      heapKeys = keys;
      const points = new Int32Array(capacity);
      points.set(heapPoints);
      heapPoints = points;
    }
    let position = heapSize++;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (heapKeys[parent] <= key) break;
      heapKeys[position] = heapKeys[parent];
      heapPoints[position] = heapPoints[parent];
      position = parent;
    }
    heapKeys[position] = key;
    heapPoints[position] = point;
  };
  const popInto = (): number => {
    const top = heapPoints[0];
    const lastKey = heapKeys[--heapSize];
    const lastPoint = heapPoints[heapSize];
    let position = 0;
    for (;;) {
      let child = position * 2 + 1;
      if (child >= heapSize) break;
      if (child + 1 < heapSize && heapKeys[child + 1] < heapKeys[child]) child++;
      if (heapKeys[child] >= lastKey) break;
      heapKeys[position] = heapKeys[child];
      heapPoints[position] = heapPoints[child];
      position = child;
    }
    heapKeys[position] = lastKey;
    heapPoints[position] = lastPoint;
    return top;
  };
  clicks.forEach((click, slot) => {
    const point = click.pointIndex;
    if (!Number.isInteger(point) || point < 0 || point >= pointCount) {
      throw new MetricsInputError('clicks', `[${slot}].pointIndex`, `a point index in 0..${pointCount - 1}`, String(point));
    }
    // A later click on the same point overrides an earlier one.
    distance[point] = 0;
    labels[point] = click.kind === 'object' ? click.objectId : 0;
  });
  for (const click of clicks) push(0, click.pointIndex);
  const { offsets, targets, costs } = graph;
  while (heapSize > 0) {
    const key = heapKeys[0];
    const point = popInto();
    if (settled[point] === 1 || key > distance[point]) continue;
    settled[point] = 1;
    const label = labels[point];
    for (let edge = offsets[point]; edge < offsets[point + 1]; edge++) {
      const other = targets[edge];
      if (settled[other] === 1) continue;
      const candidate = key + costs[edge];
      if (candidate < distance[other] && candidate <= maxDistance) {
        distance[other] = candidate;
        labels[other] = label;
        push(candidate, other);
      }
    }
  }
  return labels;
}
