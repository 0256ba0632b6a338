import { assertSameLength } from './metrics-error.js';
import type { RegionDistanceIndex } from './region-distance-index.js';

/** Points whose predicted label differs from the true one, grouped by the (true, predicted) pair. */
export interface ErrorRegion {
  /** True label of every point of the region (an object id, or 0 for background). */
  trueLabel: number;
  /** Predicted label of every point of the region. */
  predictedLabel: number;
  /** Point indices, ascending. */
  points: Int32Array;
}

/**
 * Groups the wrongly labelled points by (true label, predicted label), as AGILE3D's `get_simulated_clicks`
 * does (`cluster_ids = labels * 96 + pred * 11`): one region per pair, with no spatial clustering, so
 * two separate patches with the same mistake form one region. Regions come ordered by true label, then
 * predicted label.
 *
 * @param truth - True label per point.
 * @param predicted - Predicted label per point, same length.
 */
export function findErrorRegions(truth: ArrayLike<number>, predicted: ArrayLike<number>): ErrorRegion[] {
  assertSameLength(predicted, truth);
  // Numeric two-level maps: string keys per point would dominate the cost of a 200-round evaluation.
  const byTruth = new Map<number, Map<number, number>>();
  const entries: { trueLabel: number; predictedLabel: number; count: number }[] = [];
  const entryOfPoint = new Int32Array(truth.length).fill(-1);
  for (let point = 0; point < truth.length; point++) {
    const trueLabel = truth[point];
    const predictedLabel = predicted[point];
    if (trueLabel === predictedLabel) continue;
    let byPredicted = byTruth.get(trueLabel);
    if (byPredicted === undefined) {
      byPredicted = new Map();
      byTruth.set(trueLabel, byPredicted);
    }
    let entry = byPredicted.get(predictedLabel);
    if (entry === undefined) {
      entry = entries.length;
      byPredicted.set(predictedLabel, entry);
      entries.push({ trueLabel, predictedLabel, count: 0 });
    }
    entries[entry].count++;
    entryOfPoint[point] = entry;
  }
  const regionOfEntry = new Int32Array(entries.length);
  const sortedEntries = entries.map((_, entry) => entry).sort(
    (a, b) => entries[a].trueLabel - entries[b].trueLabel || entries[a].predictedLabel - entries[b].predictedLabel,
  );
  const regions = sortedEntries.map((entry, slot) => {
    regionOfEntry[entry] = slot;
    return { trueLabel: entries[entry].trueLabel, predictedLabel: entries[entry].predictedLabel, points: new Int32Array(entries[entry].count), filled: 0 };
  });
  for (let point = 0; point < truth.length; point++) {
    const entry = entryOfPoint[point];
    if (entry === -1) continue;
    const region = regions[regionOfEntry[entry]];
    region.points[region.filled++] = point;
  }
  return regions.map(({ trueLabel, predictedLabel, points }) => ({ trueLabel, predictedLabel, points }));
}

/** A simulated click. */
export interface SimulatedClick {
  /** Index of the clicked point. */
  pointIndex: number;
  /** True label at the click (an object id, or 0 for background): what the click tells the model. */
  trueLabel: number;
  /** Label the current prediction gives that point. */
  predictedLabel: number;
  /** Distance in metres from the click to the nearest point outside its error region (the region's size). */
  regionDepth: number;
}

/** Options of {@link simulateClicks}. */
export interface SimulateClicksOptions {
  /**
   * How many regions receive a click: `'all'` (AGILE3D's round 0, when every target is an error region of
   * the empty prediction) or a number (1 for every later round). Largest regions first.
   */
  regionLimit: 'all' | number;
  /**
   * Which region wins an exact tie in depth: `'order'` keeps the region order of
   * {@link findErrorRegions} (AGILE3D's stable sort), `'positive'` prefers regions whose true label is
   * not background (InterObject3D's `pmax_dist >= nmax_dist`).
   */
  tieBreak?: 'order' | 'positive';
}

/**
 * Clicks for the next round of the click protocol: every error region's interior-most point (the point
 * farthest from any point outside the region, see {@link RegionDistanceIndex}) is a candidate, regions
 * are ranked by that depth, and the deepest `regionLimit` of them each get one click labelled with the
 * true label there. Returns an empty list when the prediction is perfect.
 *
 * @param index - Distance index built over the cloud's positions.
 * @param truth - True label per point (target object ids, 0 elsewhere).
 * @param predicted - Current prediction per point.
 */
export function simulateClicks(
  index: RegionDistanceIndex,
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  options: SimulateClicksOptions,
): SimulatedClick[] {
  const regions = findErrorRegions(truth, predicted);
  const candidates = regions.map((region, order) => {
    const interior = index.findInteriorMostPoint(region.points);
    return {
      order,
      click: {
        pointIndex: interior.pointIndex,
        trueLabel: region.trueLabel,
        predictedLabel: region.predictedLabel,
        regionDepth: interior.distance,
      },
    };
  });
  const preferPositive = options.tieBreak === 'positive';
  candidates.sort((a, b) => {
    if (b.click.regionDepth !== a.click.regionDepth) return b.click.regionDepth - a.click.regionDepth;
    if (preferPositive) {
      const positiveA = a.click.trueLabel !== 0 ? 0 : 1;
      const positiveB = b.click.trueLabel !== 0 ? 0 : 1;
      if (positiveA !== positiveB) return positiveA - positiveB;
    }
    return a.order - b.order;
  });
  const limit = options.regionLimit === 'all' ? candidates.length : options.regionLimit;
  return candidates.slice(0, limit).map((candidate) => candidate.click);
}
