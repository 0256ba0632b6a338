import type { PointCloud } from '@pointclick/io';
import { createRandom } from '@pointclick/sampling';
import { formatAgile3dLine, parseAgile3dLog, summarizeInteractive } from './agile3d-log.js';
import type { Agile3dLogEntry, InteractiveSummary } from './agile3d-log.js';
import { evaluateInstanceAveragePrecision } from './instance-average-precision.js';
import type { InstanceEvaluationScene } from './instance-average-precision.js';
import { MetricsInputError } from './metrics-error.js';
import { computeSceneIou } from './object-iou.js';
import { simulateClicks } from './click-simulator.js';
import type { RegionCache } from './click-simulator.js';
import { RegionDistanceIndex } from './region-distance-index.js';

/** A click handed to the segment function under evaluation. */
export interface EvaluationClick {
  /** Position of the clicked point in metres. */
  position: [number, number, number];
  /** Index of the clicked point in the cloud. */
  pointIndex: number;
  /**
   * Positive object id. For `'object'` clicks, the object the point belongs to. For `'background'` clicks
   * (which carry no object), the object that wrongly claimed the point, so the id stays positive.
   */
  objectId: number;
  /** `'object'`: the point belongs to `objectId`; `'background'`: it belongs to no target object. */
  kind: 'object' | 'background';
}

/**
 * The model under evaluation: given the cloud and all clicks so far (oldest first), returns an object id
 * per point (one of the clicked object ids, or 0 for background). May return a promise.
 */
export type SegmentFunction = (cloud: PointCloud, clicks: readonly EvaluationClick[]) => Int32Array | Promise<Int32Array>;

/** A scene with ground truth, as the evaluation runner takes it (datasets' richer `LabeledScene` converts to it). */
export interface EvaluationScene {
  /** Scene name written into the log (`scene0007_00`; AGILE3D drops the `scene` prefix). */
  name: string;
  /** The cloud; `instance` (object id per point, 0 = none) is required. Clicks and IoU use all its points. */
  cloud: PointCloud;
}

/** Options of {@link evaluateInteractive}. */
export interface InteractiveEvaluationOptions {
  /**
   * `'multi'`: AGILE3D's multi-object protocol, all targets of a scene segmented together. `'single'`:
   * one target at a time, positive and negative clicks (InterObject3D). Default `'multi'`.
   */
  mode?: 'multi' | 'single';
  /** Seed of the target selection. Default 0. */
  seed?: number;
  /**
   * Targets per scene: a number (capped at the objects available) or `'random'` for a uniform draw in
   * 1..min(10, available), as AGILE3D draws its multi-object samples. Default `'random'`.
   */
  targetCount?: number | 'random';
  /** Explicit target object ids per scene name; overrides the seeded draw for the scenes listed. */
  targetIds?: Record<string, readonly number[]>;
  /** Objects with fewer points are never drawn as targets. Default 1. */
  minObjectPoints?: number;
  /** Objects whose majority semantic class is listed are never drawn (for example wall, floor). Default none. */
  excludeSemanticIds?: readonly number[];
  /** Click budget per object: multi mode stops after `targets · maxClicksPerObject` clicks. Default 20. */
  maxClicksPerObject?: number;
  /** Called after each scene (or object, in single mode) with its log lines, for progress output. */
  onProgress?: (scene: string, lines: readonly string[]) => void;
}

/** Class-agnostic instance AP of the target objects at a given number of clicks per object, fractions 0..1. */
export interface ClickAveragePrecision {
  /** Mean AP over IoU 0.50:0.95. */
  averagePrecision: number;
  /** AP at IoU > 0.5. */
  averagePrecision50: number;
  /** AP at IoU > 0.25. */
  averagePrecision25: number;
}

/** What {@link evaluateInteractive} returns. */
export interface InteractiveEvaluationResult {
  /** AGILE3D's IoU@k (percent) and NoC@q (clicks per object), from the written log. */
  summary: InteractiveSummary;
  /**
   * Class-agnostic instance AP of the target masks (every target one instance, confidence 1) after k
   * clicks per object, for k in 1, 3, 5, 10, 15, 20.
   */
  averagePrecisionAt: Record<number, ClickAveragePrecision>;
  /** Log lines per scene, in AGILE3D's format (`<index> <scene> <object_id|target count> <clicks> <iou>`). */
  logs: Map<string, string[]>;
  /** All log lines joined with newlines, ready for AGILE3D's `EvaluatorMO`/`EvaluatorSO`. */
  logText: string;
  /** The parsed log entries the summary was computed from. */
  entries: Agile3dLogEntry[];
  /** Target object ids used per scene. */
  targets: Map<string, number[]>;
  /** Clicks issued per scene (multi) or per `scene/objectId` (single), in order. */
  clicks: Map<string, EvaluationClick[]>;
}

/** Click counts per object at which AP is recorded. */
const AP_CLICK_COUNTS = [1, 3, 5, 10, 15, 20];

/**
 * Runs the click-simulation protocol over labeled scenes with any segment function, and scores it the way
 * AGILE3D does.
 *
 * Multi mode (AGILE3D, `engine.py: evaluate`): every point that is not a target is background. A line is
 * written at 0 clicks for the empty prediction, then round 0 gives every target one click at its
 * interior-most point; each later round gives one click at the interior-most point of the deepest error
 * region, regions being the (true label, predicted label) pairs; the click is labelled with the true label
 * there. After every call of `segment`, clicked points are set to their click's label (AGILE3D's "update
 * prediction with sparse gt"), then the scene's mean IoU over its targets is logged with the click count
 * divided by the number of targets, up to `targets · maxClicksPerObject` clicks.
 *
 * Single mode: the same loop for one target at a time with true labels target / background, integer
 * click counts up to `maxClicksPerObject`, and InterObject3D's tie rule (a positive click wins a tie).
 *
 * @throws {@link MetricsInputError} when a scene has no instance labels, an explicit target id is absent,
 *   or `segment` returns labels of the wrong length or with negative values.
 */
export async function evaluateInteractive(
  scenes: readonly EvaluationScene[],
  segment: SegmentFunction,
  options: InteractiveEvaluationOptions = {},
): Promise<InteractiveEvaluationResult> {
  const mode = options.mode ?? 'multi';
  const maxClicksPerObject = options.maxClicksPerObject ?? 20;
  if (!Number.isInteger(maxClicksPerObject) || maxClicksPerObject < 1) {
    throw new MetricsInputError('options.maxClicksPerObject', '', 'a positive integer', String(options.maxClicksPerObject));
  }
  const logs = new Map<string, string[]>();
  const targets = new Map<string, number[]>();
  const clicksByKey = new Map<string, EvaluationClick[]>();
  const apScenes = new Map<number, InstanceEvaluationScene[]>(AP_CLICK_COUNTS.map((count) => [count, []]));
  let lineIndex = 0;
  for (const scene of scenes) {
    const instance = scene.cloud.instance;
    if (!instance || instance.length !== scene.cloud.pointCount) {
      throw new MetricsInputError(`scene ${scene.name}`, 'cloud.instance', `an instance id per point (${scene.cloud.pointCount})`, instance ? `${instance.length} entries` : 'none');
    }
    const sceneTargets = chooseTargets(scene, options);
    targets.set(scene.name, sceneTargets);
    const index = new RegionDistanceIndex(scene.cloud.positions);
    const sceneLines: string[] = [];
    const groups = mode === 'multi' ? [sceneTargets] : sceneTargets.map((target) => [target]);
    for (const group of groups) {
      const truth = new Int32Array(instance.length);
      const groupSet = new Set(group);
      for (let point = 0; point < instance.length; point++) if (groupSet.has(instance[point])) truth[point] = instance[point];
      const run = await runProtocol(scene, truth, group, index, segment, {
        budget: group.length * maxClicksPerObject,
        firstRoundAll: true,
        recordAt: new Set(AP_CLICK_COUNTS.map((count) => count * group.length)),
        tieBreak: mode === 'single' ? 'positive' : 'order',
      });
      const objectColumn = mode === 'multi' ? String(group.length) : String(group[0]);
      for (const step of run.steps) {
        sceneLines.push(
          formatAgile3dLine(
            { index: lineIndex, scene: scene.name, objectId: objectColumn, clickCount: mode === 'multi' ? step.clickCount / group.length : step.clickCount, iou: step.meanIou },
            mode === 'multi' ? 'float' : 'integer',
          ),
        );
      }
      clicksByKey.set(mode === 'multi' ? scene.name : `${scene.name}/${group[0]}`, run.clicks);
      for (const count of AP_CLICK_COUNTS) {
        const labels = run.labelsAt.get(count * group.length);
        if (!labels) continue;
        apScenes.get(count)!.push(toInstanceScene(truth, labels, group));
      }
      lineIndex++;
      options.onProgress?.(scene.name, sceneLines);
    }
    logs.set(scene.name, sceneLines);
  }
  const logText = [...logs.values()].flat().join('\n') + '\n';
  const entries = parseAgile3dLog(logText, { fileName: 'evaluation log' });
  const averagePrecisionAt: Record<number, ClickAveragePrecision> = {};
  for (const count of AP_CLICK_COUNTS) {
    const list = apScenes.get(count)!;
    if (list.length === 0) continue;
    const result = evaluateInstanceAveragePrecision(list, { classIds: [1], minRegionSize: 1 });
    averagePrecisionAt[count] = {
      averagePrecision: result.averagePrecision,
      averagePrecision50: result.averagePrecision50,
      averagePrecision25: result.averagePrecision25,
    };
  }
  return {
    summary: summarizeInteractive(entries, { maxClicks: maxClicksPerObject }),
    averagePrecisionAt,
    logs,
    logText,
    entries,
    targets,
    clicks: clicksByKey,
  };
}

function toInstanceScene(truth: Int32Array, labels: Int32Array, group: readonly number[]): InstanceEvaluationScene {
  const truthSemantic = new Int32Array(truth.length);
  for (let point = 0; point < truth.length; point++) truthSemantic[point] = truth[point] === 0 ? 0 : 1;
  const predictions = group.map((objectId) => {
    const mask = new Uint8Array(labels.length);
    for (let point = 0; point < labels.length; point++) mask[point] = labels[point] === objectId ? 1 : 0;
    return { mask, classId: 1, confidence: 1 };
  });
  return { truthInstance: truth, truthSemantic, predictions };
}

interface ProtocolStep {
  clickCount: number;
  meanIou: number;
}

interface ProtocolRun {
  steps: ProtocolStep[];
  clicks: EvaluationClick[];
  /** Prediction after exactly this many clicks (keys are total click counts). */
  labelsAt: Map<number, Int32Array>;
}

async function runProtocol(
  scene: EvaluationScene,
  truth: Int32Array,
  group: readonly number[],
  index: RegionDistanceIndex,
  segment: SegmentFunction,
  settings: { budget: number; firstRoundAll: boolean; recordAt: Set<number>; tieBreak: 'order' | 'positive' },
): Promise<ProtocolRun> {
  const { cloud } = scene;
  const pointCount = cloud.pointCount;
  const positions = cloud.positions;
  const clicks: EvaluationClick[] = [];
  const steps: ProtocolStep[] = [];
  const labelsAt = new Map<number, Int32Array>();
  const cache: RegionCache = new Map();
  let clickCount = 0;
  let predicted = new Int32Array(pointCount);
  while (clickCount <= settings.budget) {
    if (clickCount !== 0) {
      const labels = await segment(cloud, clicks.slice());
      if (!(labels instanceof Int32Array) || labels.length !== pointCount) {
        throw new MetricsInputError(`segment() on scene ${scene.name}`, 'return value', `an Int32Array of ${pointCount} labels`, labels instanceof Int32Array ? `${labels.length} labels` : typeof labels);
      }
      predicted = Int32Array.from(labels);
      for (let point = 0; point < pointCount; point++) {
        if (predicted[point] < 0) throw new MetricsInputError(`segment() on scene ${scene.name}`, `[${point}]`, 'an object id or 0', String(predicted[point]));
      }
      // Clicked points take their click's label, as AGILE3D overwrites the prediction with the sparse clicks.
      for (const click of clicks) predicted[click.pointIndex] = click.kind === 'object' ? click.objectId : 0;
    }
    steps.push({ clickCount, meanIou: computeSceneIou(predicted, truth, group).meanIou });
    if (settings.recordAt.has(clickCount)) labelsAt.set(clickCount, predicted);
    // AGILE3D counts the round-0 clicks as one per target and every later round as one click, whether or
    // not a click was needed.
    const nextClickCount = clickCount + (clickCount === 0 ? group.length : 1);
    // AGILE3D also simulates clicks after the last step; they are never used, so they are not made here.
    if (nextClickCount > settings.budget) break;
    const newClicks = simulateClicks(index, truth, predicted, {
      regionLimit: clickCount === 0 && settings.firstRoundAll ? 'all' : 1,
      tieBreak: settings.tieBreak,
      cache,
    });
    for (const click of newClicks) {
      const point = click.pointIndex;
      const isObject = click.trueLabel !== 0;
      clicks.push({
        position: [positions[point * 3], positions[point * 3 + 1], positions[point * 3 + 2]],
        pointIndex: point,
        objectId: isObject ? click.trueLabel : click.predictedLabel,
        kind: isObject ? 'object' : 'background',
      });
    }
    clickCount = nextClickCount;
  }
  return { steps, clicks, labelsAt };
}

function chooseTargets(scene: EvaluationScene, options: InteractiveEvaluationOptions): number[] {
  const instance = scene.cloud.instance!;
  const counts = new Map<number, number>();
  for (let point = 0; point < instance.length; point++) {
    const id = instance[point];
    if (id > 0) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const explicit = options.targetIds?.[scene.name];
  if (explicit) {
    explicit.forEach((id, slot) => {
      if (!counts.has(id)) {
        throw new MetricsInputError(`options.targetIds.${scene.name}`, `[${slot}]`, 'an instance id present in the scene', String(id));
      }
    });
    return [...explicit];
  }
  const minObjectPoints = options.minObjectPoints ?? 1;
  const excluded = new Set(options.excludeSemanticIds ?? []);
  const majorityClass = excluded.size > 0 ? computeMajorityClasses(instance, scene.cloud.semantic) : new Map<number, number>();
  const candidates = [...counts.entries()]
    .filter(([id, count]) => count >= minObjectPoints && !excluded.has(majorityClass.get(id) ?? -1))
    .map(([id]) => id)
    .sort((a, b) => a - b);
  if (candidates.length === 0) {
    throw new MetricsInputError(`scene ${scene.name}`, 'cloud.instance', 'at least one object that can be a target', 'none');
  }
  const random = createRandom(hashSceneSeed(options.seed ?? 0, scene.name));
  const requested = options.targetCount ?? 'random';
  const count = requested === 'random' ? 1 + random.nextInt(Math.min(10, candidates.length)) : Math.min(requested, candidates.length);
  if (requested !== 'random' && (!Number.isInteger(requested) || requested < 1)) {
    throw new MetricsInputError('options.targetCount', '', "a positive integer or 'random'", String(requested));
  }
  random.shuffle(candidates);
  return candidates.slice(0, count).sort((a, b) => a - b);
}

function computeMajorityClasses(instance: Int32Array, semantic: Int32Array | undefined): Map<number, number> {
  const votes = new Map<number, Map<number, number>>();
  if (!semantic) return new Map();
  for (let point = 0; point < instance.length; point++) {
    const id = instance[point];
    if (id <= 0) continue;
    const perClass = votes.get(id) ?? new Map<number, number>();
    perClass.set(semantic[point], (perClass.get(semantic[point]) ?? 0) + 1);
    votes.set(id, perClass);
  }
  const majority = new Map<number, number>();
  for (const [id, perClass] of votes) {
    let best = -1;
    let bestCount = -1;
    for (const [classId, count] of perClass) if (count > bestCount || (count === bestCount && classId < best)) { best = classId; bestCount = count; }
    majority.set(id, best);
  }
  return majority;
}

/** FNV-1a of the scene name mixed into the seed, so each scene's draw is independent of scene order. */
function hashSceneSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let position = 0; position < name.length; position++) {
    hash ^= name.charCodeAt(position);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
