import { SamplingInputError } from './sampling-error.js';
import { describeValue, validatePositions, validatePositiveInteger } from './input-validation.js';
import { sampleFarthestPoints } from './farthest-point-sampler.js';
import { createRandom, deriveSeed, normalizeSeed } from './random-generator.js';

/** Options of {@link sampleClickCandidates}. */
export interface ClickCandidateOptions {
  /** Most candidates for the largest instance. Default 15 (paper §3.1: 1–15 per instance). */
  maxPerInstance?: number;
  /** Fewest candidates for any instance (capped by its point count). Default 1. */
  minPerInstance?: number;
  /** Seed for each instance's random FPS start point. Default 0. */
  seed?: number;
  /** Instance ids to skip (e.g. walls or floor). Id 0 (unannotated) is always skipped. */
  ignoreInstanceIds?: number[];
}

/** One simulated training click. */
export interface TrainingClick {
  /** Instance the click belongs to. */
  instanceId: number;
  /** Index of the clicked point in the scene. */
  pointIndex: number;
}

/** Options of {@link drawTrainingClicks}. */
export interface TrainingClickOptions {
  /** Fewest clicks per scene when enough candidates exist. Default 30 (paper §4: "around 30–50 points"). */
  minClicks?: number;
  /** Most clicks per scene. Default 50. */
  maxClicks?: number;
  /** Seed of the draw. Default 0. */
  seed?: number;
  /** Most clicks drawn for any one instance. Default 15. */
  maxPerInstance?: number;
}

/**
 * Click candidates for training (paper §3.1, "Sampling for Training"): for every annotated instance, exact
 * FPS over that instance's points, started at a seeded random point of the instance, gives spatially even
 * candidate clicks. The count scales with instance size relative to the scene's largest instance,
 * `round(min + (max − min) · sqrt(size / largestSize))`, so the largest instance gets `maxPerInstance`,
 * tiny ones `minPerInstance`, and no instance gets more candidates than it has points.
 *
 * Each instance's candidates depend only on the seed, the instance id and its points (a per-instance
 * seed is derived from both), not on the other instances.
 *
 * @param positions - Interleaved x y z in metres. [pointCount, 3]
 * @param instance - Instance id of every point; 0 means unannotated. [pointCount]
 * @param options - See {@link ClickCandidateOptions}.
 * @returns Map from instance id (ascending) to candidate point indices in FPS order.
 * @throws SamplingInputError on malformed positions, mismatched lengths or bad options.
 */
export function sampleClickCandidates(
  positions: Float32Array,
  instance: Int32Array,
  options: ClickCandidateOptions = {},
): Map<number, Int32Array> {
  const pointCount = validatePositions(positions);
  if (!(instance instanceof Int32Array) || instance.length !== pointCount) {
    throw new SamplingInputError('instance', `an Int32Array of length ${pointCount} (one id per point)`, describeValue(instance));
  }
  const maxPerInstance = validatePositiveInteger(options.maxPerInstance ?? 15, 'options.maxPerInstance');
  const minPerInstance = validatePositiveInteger(options.minPerInstance ?? 1, 'options.minPerInstance');
  if (minPerInstance > maxPerInstance) {
    throw new SamplingInputError('options.minPerInstance', `at most options.maxPerInstance (${maxPerInstance})`, String(minPerInstance));
  }
  const seed = normalizeSeed(options.seed ?? 0, 'options.seed');
  const ignored = new Set<number>([0, ...(options.ignoreInstanceIds ?? [])]);

  // Group point indices by instance with a counting pass, then a fill pass (no per-point allocation).
  const sizes = new Map<number, number>();
  for (let point = 0; point < pointCount; point++) {
    const id = instance[point];
    if (!ignored.has(id)) sizes.set(id, (sizes.get(id) ?? 0) + 1);
  }
  const ids = [...sizes.keys()].sort((a, b) => a - b);
  const members = new Map<number, Int32Array>();
  const fill = new Map<number, number>();
  for (const id of ids) {
    members.set(id, new Int32Array(sizes.get(id)!));
    fill.set(id, 0);
  }
  for (let point = 0; point < pointCount; point++) {
    const list = members.get(instance[point]);
    if (list === undefined) continue;
    const position = fill.get(instance[point])!;
    list[position] = point;
    fill.set(instance[point], position + 1);
  }

  let largestSize = 0;
  for (const size of sizes.values()) largestSize = Math.max(largestSize, size);
  const candidates = new Map<number, Int32Array>();
  for (const id of ids) {
    const size = sizes.get(id)!;
    const scaled = Math.round(minPerInstance + (maxPerInstance - minPerInstance) * Math.sqrt(size / largestSize));
    const count = Math.min(size, Math.max(minPerInstance, Math.min(maxPerInstance, scaled)));
    candidates.set(id, sampleFarthestPoints(positions, count, { subset: members.get(id)!, seed: deriveSeed(seed, id) }));
  }
  return candidates;
}

/**
 * Draws one scene's training clicks from the candidates (paper §3.1 and §4: a random subset of instances
 * and of their candidates, about 30–50 clicks per scene). The total is uniform in
 * [minClicks, maxClicks], lowered to the available count (each instance's candidates capped at
 * `maxPerInstance`) when fewer exist; then every available click is returned. A random subset of
 * instances is chosen (as many as needed to reach the total, and at most one per click), every chosen
 * instance gets one click, and the remaining clicks are drawn uniformly among the chosen instances'
 * remaining candidates.
 *
 * @param candidates - Instance id → candidate point indices, e.g. from {@link sampleClickCandidates}.
 * @param options - See {@link TrainingClickOptions}.
 * @returns Clicks grouped by ascending instance id; within an instance, in random order.
 * @throws SamplingInputError on bad counts (e.g. minClicks > maxClicks).
 */
export function drawTrainingClicks(
  candidates: Map<number, Int32Array>,
  options: TrainingClickOptions = {},
): TrainingClick[] {
  if (!(candidates instanceof Map)) {
    throw new SamplingInputError('candidates', 'a Map from instance id to Int32Array of point indices', describeValue(candidates));
  }
  const minClicks = validatePositiveInteger(options.minClicks ?? 30, 'options.minClicks');
  const maxClicks = validatePositiveInteger(options.maxClicks ?? 50, 'options.maxClicks');
  if (minClicks > maxClicks) {
    throw new SamplingInputError('options.minClicks', `at most options.maxClicks (${maxClicks})`, String(minClicks));
  }
  const maxPerInstance = validatePositiveInteger(options.maxPerInstance ?? 15, 'options.maxPerInstance');
  const random = createRandom(options.seed ?? 0);

  const ids: number[] = [];
  for (const [id, points] of candidates) {
    if (!(points instanceof Int32Array)) {
      throw new SamplingInputError(`candidates.get(${id})`, 'an Int32Array of point indices', describeValue(points));
    }
    if (points.length > 0) ids.push(id);
  }
  ids.sort((a, b) => a - b);
  let available = 0;
  for (const id of ids) available += Math.min(maxPerInstance, candidates.get(id)!.length);
  if (available === 0) return [];
  const target = Math.min(available, minClicks + random.nextInt(maxClicks - minClicks + 1));

  // Random instance order; the shortest prefix whose capacity reaches the target is the fewest instances
  // that can be used, and at most `target` instances can each get a click.
  random.shuffle(ids);
  let fewest = 0;
  for (let capacity = 0; capacity < target; fewest++) capacity += Math.min(maxPerInstance, candidates.get(ids[fewest])!.length);
  const most = Math.min(target, ids.length);
  const chosenCount = fewest + random.nextInt(most - fewest + 1);
  const chosen = ids.slice(0, chosenCount).sort((a, b) => a - b);

  // Per chosen instance: a random order of its candidates, of which the first is always clicked and the
  // rest (up to maxPerInstance − 1) form the shared pool for the remaining clicks.
  const orders = chosen.map((id) => {
    const order = Int32Array.from(candidates.get(id)!);
    random.shuffle(order);
    return order.subarray(0, Math.min(maxPerInstance, order.length));
  });
  const poolInstance: number[] = [];
  const poolRank: number[] = [];
  orders.forEach((order, position) => {
    for (let rank = 1; rank < order.length; rank++) {
      poolInstance.push(position);
      poolRank.push(rank);
    }
  });
  const taken = orders.map(() => 1);
  const extra = target - chosenCount;
  // Partial Fisher–Yates over the pool: `extra` distinct (instance, rank) slots.
  for (let draw = 0; draw < extra; draw++) {
    const other = draw + random.nextInt(poolInstance.length - draw);
    [poolInstance[draw], poolInstance[other]] = [poolInstance[other], poolInstance[draw]];
    [poolRank[draw], poolRank[other]] = [poolRank[other], poolRank[draw]];
    taken[poolInstance[draw]]++;
  }
  // Slots within an instance's shuffled order are exchangeable, so taking its first `taken` entries is
  // the same distribution as taking the drawn ranks.
  const clicks: TrainingClick[] = [];
  orders.forEach((order, position) => {
    for (let rank = 0; rank < taken[position]; rank++) clicks.push({ instanceId: chosen[position], pointIndex: order[rank] });
  });
  return clicks;
}
