import type { PointCloud } from '@pointclick/io';
import { DistanceHeap, SurfaceGraph } from '@pointclick/sampling';
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
  const graphs = new WeakMap<PointCloud, SurfaceGraph>();
  return (cloud: PointCloud, clicks: readonly EvaluationClick[]): Int32Array => {
    let graph = graphs.get(cloud);
    if (!graph) {
      graph = new SurfaceGraph(cloud.positions, { colors: cloud.colors, neighborCount, colorWeight });
      graphs.set(cloud, graph);
    }
    return propagateLabels(graph, cloud.pointCount, clicks, maxDistance);
  };
}

/** Multi-source Dijkstra; each point gets the label of the source it is reached from first. */
function propagateLabels(graph: SurfaceGraph, pointCount: number, clicks: readonly EvaluationClick[], maxDistance: number): Int32Array {
  const labels = new Int32Array(pointCount);
  const distance = new Float64Array(pointCount).fill(Infinity);
  const settled = new Uint8Array(pointCount);
  const heap = new DistanceHeap();
  clicks.forEach((click, slot) => {
    const point = click.pointIndex;
    if (!Number.isInteger(point) || point < 0 || point >= pointCount) {
      throw new MetricsInputError('clicks', `[${slot}].pointIndex`, `a point index in 0..${pointCount - 1}`, String(point));
    }
    // A later click on the same point overrides an earlier one.
    distance[point] = 0;
    labels[point] = click.kind === 'object' ? click.objectId : 0;
  });
  for (const click of clicks) heap.push(0, click.pointIndex);
  const { offsets, targets, costs } = graph;
  while (heap.size > 0) {
    const key = heap.topKey();
    const point = heap.pop();
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
        heap.push(candidate, other);
      }
    }
  }
  return labels;
}
