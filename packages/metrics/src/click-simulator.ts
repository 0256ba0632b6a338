import { assertSameLength } from './metrics-error.js';
import type { InteriorPoint, RegionDistanceIndex } from './region-distance-index.js';

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
  /**
   * Results of earlier rounds, reused for regions whose point set has not changed (a region's interior
   * point depends on nothing else). Pass the same empty `Map` to every round of one scene.
   */
  cache?: RegionCache;
}

/** Interior-point results by region, kept between rounds by the caller. */
export type RegionCache = Map<string, { pointCount: number; hash: number; lowerBound: number; result: InteriorPoint | null }>;

function hashRegion(region: ErrorRegion): number {
  let hash = 0x811c9dc5;
  for (let slot = 0; slot < region.points.length; slot++) hash = Math.imul(hash ^ region.points[slot], 0x01000193);
  return hash;
}

/** The cached exact result for an unchanged region, `undefined` when there is none. */
function cachedResult(region: ErrorRegion, cache: RegionCache): InteriorPoint | undefined {
  const cached = cache.get(`${region.trueLabel}:${region.predictedLabel}`);
  if (!cached || cached.result === null || cached.pointCount !== region.points.length) return undefined;
  return cached.hash === hashRegion(region) ? cached.result : undefined;
}

function lookUpRegion(index: RegionDistanceIndex, region: ErrorRegion, lowerBound: number, cache: RegionCache | undefined): InteriorPoint | null {
  if (!cache) return index.findInteriorMostPoint(region.points, lowerBound);
  const key = `${region.trueLabel}:${region.predictedLabel}`;
  const hash = hashRegion(region);
  const cached = cache.get(key);
  if (cached && cached.pointCount === region.points.length && cached.hash === hash) {
    // A found point is the region's exact interior-most point whatever bound it was searched with; a
    // "below the bound" answer stays valid for any bound at least as high.
    if (cached.result !== null) return cached.result.distance >= lowerBound ? cached.result : null;
    if (cached.lowerBound <= lowerBound) return null;
  }
  const result = index.findInteriorMostPoint(region.points, lowerBound);
  cache.set(key, { pointCount: region.points.length, hash, lowerBound, result });
  return result;
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
  const everyRegion = options.regionLimit === 'all' || options.regionLimit >= regions.length;
  // When only the deepest region matters, regions are searched largest first and each later search only
  // needs to be exact when it can beat the deepest found so far; the others are ranked below it.
  const searchOrder = regions.map((_, order) => order);
  if (!everyRegion) {
    // Regions unchanged since the last round cost nothing (cache) and raise the bound first; then the
    // largest changed regions, which are the likeliest to be deepest.
    const known = regions.map((region) => (options.cache ? cachedResult(region, options.cache) !== undefined : false));
    searchOrder.sort((a, b) => Number(known[b]) - Number(known[a]) || regions[b].points.length - regions[a].points.length || a - b);
  }
  let deepest = -1;
  const candidates: { order: number; click: SimulatedClick }[] = [];
  for (const order of searchOrder) {
    const region = regions[order];
    const interior = lookUpRegion(index, region, everyRegion ? -1 : deepest, options.cache);
    if (interior === null) continue;
    deepest = Math.max(deepest, interior.distance);
    candidates.push({
      order,
      click: {
        pointIndex: interior.pointIndex,
        trueLabel: region.trueLabel,
        predictedLabel: region.predictedLabel,
        regionDepth: interior.distance,
      },
    });
  }
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
