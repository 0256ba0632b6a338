import * as tf from '@tensorflow/tfjs-core';
import type { LabeledScene } from '@pointclick/datasets';
import { classCrossEntropy } from '@pointclick/losses';
import { createRandom } from '@pointclick/sampling';
import { ClickGeodesicDistances, type InteractiveSegmentationModel } from '@pointclick/segmenter';
import { CLASS_GEOMETRY_CHANNELS, classFeatureChannels } from '@pointclick/decoder';
import { AdamOptimizer, clipGradientsByGlobalNorm } from './adam-optimizer.js';
import { computeCalibration, computeClassAccuracy, RegionDistanceIndex, simulateClicks, type ClassPrediction } from '@pointclick/metrics';
import { STRUCTURAL_CLASS_NAMES } from './class-evaluation.js';

/** Settings of {@link fineTuneClassHead}. */
export interface ClassHeadFineTuneSettings {
  /** Optimisation steps per trial. */
  steps: number;
  /** AdamW learning rates (constant) to try. */
  learningRates: number[];
  /** Decoupled weight decay per unit learning rate. */
  weightDecay: number;
  /**
   * Class balances of the cross-entropy to try: class c weighs n_c^−balance (n_c its training objects),
   * normalised to mean 1 over the objects; 0 = plain cross-entropy, 1 = inverse frequency.
   */
  classBalances: number[];
  /** Focusing parameters γ of the focal loss to try (each with every balance); 0 = cross-entropy. Default [0]. */
  focusings?: number[];
  /** Objects per mini-batch. */
  batchSize: number;
  /** Objects with fewer points are not clicked in training. */
  minimumObjectPoints: number;
  /** Copies of each training scene through the backbone: the first as it is, the rest turned about z at random. */
  sceneCopies: number;
  /** Click sets drawn per scene copy (each: a random half to all of its objects, one random point each). */
  clickSets: number;
  /** Seed of the rotations, the object subsets, the click points and the batches. */
  seed: number;
  /** Score the selection scenes every this many steps (and at the end). */
  evaluateEvery: number;
  /** Progress output. */
  log: (line: string) => void;
}

/** Selection figures at one click per object near its middle, from stored queries. */
export interface SelectionFigures {
  /** Top-1 accuracy, all objects (0…1). */
  topOne: number;
  /** Top-1 without wall, floor, ceiling. */
  topOneNonStructural: number;
  /** Top-3 without wall, floor, ceiling. */
  topThreeNonStructural: number;
  /** Expected calibration error (15 bins). */
  calibrationError: number;
}

/**
 * Names of the variables the fine-tune changes: the last stage's φc (Eq. 6) and, when the decoder has class
 * pooling, its map W of the mask-pooled features. Everything else stays frozen.
 */
export function classHeadVariableNames(model: InteractiveSegmentationModel): string[] {
  const lastStage = model.decoder.config.stageCount - 1;
  const prefix = `click_decoder.stage_${lastStage}.adaptor.`;
  return [...model.namedVariables().keys()].filter((name) => name.startsWith(`${prefix}class_embedding.`) || name === `${prefix}class_pooling`);
}

/**
 * Queries Q_t of the last stage, `rows × width`, the class features the last stage's class head pooled under
 * each query's mask, `rows × featureWidth` (featureWidth 0 without class pooling), and the true class of each.
 */
export interface QuerySet {
  queries: Float32Array;
  features: Float32Array;
  labels: Int32Array;
}

/** What the last stage's class head pools (the decoder's `classPoolingLevels` and `classPoolingGeometry`). */
export interface ClassPoolingChoice {
  /** Backbone levels, in the order their features are laid side by side. */
  levels: number[];
  /** Whether the mask's shape follows the levels' features. */
  geometry: boolean;
}

/** Channels of the decoder's class pooling, 0 without. */
export function classFeatureWidth(model: InteractiveSegmentationModel): number {
  return classFeatureChannels(model.decoder.config);
}

/** A readable name of a choice: 'levels 0,4 + geometry', 'no class pooling'. */
export function describeClassPooling(choice: ClassPoolingChoice): string {
  if (choice.levels.length === 0 && !choice.geometry) return 'no class pooling';
  const levels = choice.levels.length > 0 ? `levels ${choice.levels.join(',')}` : '';
  return `class pooling ${[levels, choice.geometry ? 'geometry' : ''].filter(Boolean).join(' + ')}`;
}

function turnAboutZ(positions: Float32Array, angle: number): Float32Array {
  const cosine = Math.cos(angle);
  const sine = Math.sin(angle);
  const turned = new Float32Array(positions.length);
  for (let offset = 0; offset < positions.length; offset += 3) {
    turned[offset] = cosine * positions[offset] - sine * positions[offset + 1];
    turned[offset + 1] = sine * positions[offset] + cosine * positions[offset + 1];
    turned[offset + 2] = positions[offset + 2];
  }
  return turned;
}

/** Objects of at least `minimumObjectPoints` points with a class the model has: instance id, points, class. */
function clickableObjects(scene: LabeledScene, classCount: number, minimumObjectPoints: number): Array<{ id: number; points: Int32Array; trueClass: number }> {
  const pointsOf = new Map<number, number[]>();
  const { instance, semantic } = scene.cloud;
  for (let point = 0; point < instance.length; point++) {
    if (instance[point] <= 0) continue;
    let list = pointsOf.get(instance[point]);
    if (!list) pointsOf.set(instance[point], (list = []));
    list.push(point);
  }
  const objects: Array<{ id: number; points: Int32Array; trueClass: number }> = [];
  for (const [id, points] of [...pointsOf].sort((a, b) => a[0] - b[0])) {
    if (points.length < minimumObjectPoints) continue;
    const votes = new Map<number, number>();
    for (const point of points) votes.set(semantic[point], (votes.get(semantic[point]) ?? 0) + 1);
    const trueClass = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
    if (trueClass > 0 && trueClass < classCount) objects.push({ id, points: Int32Array.from(points), trueClass });
  }
  return objects;
}

/**
 * Runs the frozen backbone once over `positions` and returns, for each click set (point indices), the last
 * stage's queries Q_t (row-major `[clickCount, width]`) and its class features (`[clickCount, featureWidth]`,
 * empty without class pooling).
 */
function lastStageQueries(
  model: InteractiveSegmentationModel,
  positions: Float32Array,
  colors: Uint8Array | undefined,
  clickSets: Int32Array[],
): Array<{ queries: Float32Array; features: Float32Array }> {
  const backbone = model.backbone.apply({ positions, colors });
  const finest = backbone.levels[backbone.levels.length - 1];
  const decoderScene = model.decoder.prepareScene(backbone.levels);
  const geodesic = ClickGeodesicDistances.forModel(model, finest.coordinates, colors, backbone.inputToFinest);
  try {
    return clickSets.map((points) => {
      const clickVoxelIndices = Int32Array.from(points, (point) => backbone.inputToFinest[point]);
      const clickPositions = new Float32Array(points.length * 3);
      points.forEach((point, slot) => clickPositions.set(positions.subarray(point * 3, point * 3 + 3), slot * 3));
      const kept = tf.tidy(() => {
        const output = model.decoder.apply({ levels: backbone.levels, clickVoxelIndices, clickPositions, clickGeodesicDistances: geodesic?.distances(clickVoxelIndices), scene: decoderScene, keepQueries: true });
        const last = output.stages[output.stages.length - 1];
        return last.classFeatures ? [last.queries!, last.classFeatures] : [last.queries!];
      });
      const [queries, features] = kept.map((tensor) => tensor.dataSync() as Float32Array);
      tf.dispose(kept);
      return { queries, features: features ?? new Float32Array(0) };
    });
  } finally {
    decoderScene.dispose();
    backbone.dispose();
  }
}

/** Concatenates query sets. */
function joinQuerySets(sets: readonly QuerySet[]): QuerySet {
  const rows = sets.reduce((sum, set) => sum + set.labels.length, 0);
  const first = sets.find((set) => set.labels.length > 0);
  const width = first ? first.queries.length / first.labels.length : 0;
  const featureWidth = first ? first.features.length / first.labels.length : 0;
  const queries = new Float32Array(rows * width);
  const features = new Float32Array(rows * featureWidth);
  const labels = new Int32Array(rows);
  let row = 0;
  for (const set of sets) {
    queries.set(set.queries, row * width);
    features.set(set.features, row * featureWidth);
    labels.set(set.labels, row);
    row += set.labels.length;
  }
  return { queries, features, labels };
}

/**
 * The columns of `set`'s class features that belong to `chosen`, when the set was collected with the class
 * pooling `collected` (a superset, levels in any order), so one collection serves several choices.
 */
export function selectFeatureLevels(set: QuerySet, levelChannels: readonly number[], collected: ClassPoolingChoice, chosen: ClassPoolingChoice): QuerySet {
  const levelsWidth = collected.levels.reduce((sum, level) => sum + levelChannels[level], 0);
  const collectedWidth = levelsWidth + (collected.geometry ? CLASS_GEOMETRY_CHANNELS : 0);
  if (set.features.length !== set.labels.length * collectedWidth) {
    throw new RangeError(`class features: ${set.features.length} values for ${set.labels.length} rows of ${collectedWidth} channels (${describeClassPooling(collected)})`);
  }
  const ranges = chosen.levels.map((level) => {
    const position = collected.levels.indexOf(level);
    if (position < 0) throw new RangeError(`class features: level ${level} was not collected (${describeClassPooling(collected)})`);
    const start = collected.levels.slice(0, position).reduce((sum, previous) => sum + levelChannels[previous], 0);
    return [start, start + levelChannels[level]] as const;
  });
  if (chosen.geometry) {
    if (!collected.geometry) throw new RangeError(`class features: the geometry was not collected (${describeClassPooling(collected)})`);
    ranges.push([levelsWidth, levelsWidth + CLASS_GEOMETRY_CHANNELS] as const);
  }
  const width = ranges.reduce((sum, [start, end]) => sum + end - start, 0);
  const features = new Float32Array(set.labels.length * width);
  for (let row = 0; row < set.labels.length; row++) {
    let column = row * width;
    for (const [start, end] of ranges) {
      features.set(set.features.subarray(row * collectedWidth + start, row * collectedWidth + end), column);
      column += end - start;
    }
  }
  return { queries: set.queries, features, labels: set.labels };
}

/**
 * Training queries: every scene through the backbone `sceneCopies` times (turned about z after the first),
 * `clickSets` click sets per copy, each clicking a random half to all of the scene's objects once at a
 * random point of the object.
 */
export function collectTrainingQueries(model: InteractiveSegmentationModel, scenes: readonly LabeledScene[], settings: ClassHeadFineTuneSettings): QuerySet {
  const random = createRandom(settings.seed);
  const classCount = model.config.classNames.length;
  const sets: QuerySet[] = [];
  for (const scene of scenes) {
    const objects = clickableObjects(scene, classCount, settings.minimumObjectPoints);
    if (objects.length === 0) continue;
    for (let copy = 0; copy < settings.sceneCopies; copy++) {
      const positions = copy === 0 ? scene.cloud.positions : turnAboutZ(scene.cloud.positions, random.next() * 2 * Math.PI);
      const chosenSets: number[][] = [];
      const clickSets: Int32Array[] = [];
      for (let set = 0; set < settings.clickSets; set++) {
        const order = objects.map((_, index) => index);
        random.shuffle(order);
        const chosen = order.slice(0, Math.max(1, Math.ceil(order.length * (0.5 + 0.5 * random.next()))));
        chosenSets.push(chosen);
        clickSets.push(Int32Array.from(chosen, (index) => objects[index].points[random.nextInt(objects[index].points.length)]));
      }
      lastStageQueries(model, positions, scene.cloud.colors, clickSets).forEach(({ queries, features }, set) => {
        sets.push({ queries, features, labels: Int32Array.from(chosenSets[set], (index) => objects[index].trueClass) });
      });
    }
    settings.log(`  queries of ${scene.id}: ${objects.length} objects × ${settings.sceneCopies} copies × ${settings.clickSets} click sets`);
  }
  return joinQuerySets(sets);
}

/**
 * Selection queries as `eval`'s class protocol makes them: every object of at least `minimumObjectPoints`
 * points clicked once at its interior-most point (round 0 of AGILE3D's simulator), all at once.
 */
export function collectSelectionQueries(model: InteractiveSegmentationModel, scenes: readonly LabeledScene[], minimumObjectPoints: number): QuerySet {
  const classCount = model.config.classNames.length;
  const sets: QuerySet[] = [];
  for (const scene of scenes) {
    const objects = clickableObjects(scene, classCount, minimumObjectPoints);
    if (objects.length === 0) continue;
    const classOf = new Map(objects.map((object) => [object.id, object.trueClass]));
    const truth = Int32Array.from(scene.cloud.instance, (id) => (classOf.has(id) ? id : 0));
    const clicks = simulateClicks(new RegionDistanceIndex(scene.cloud.positions), truth, new Int32Array(truth.length), { regionLimit: 'all', tieBreak: 'order' });
    const [{ queries, features }] = lastStageQueries(model, scene.cloud.positions, scene.cloud.colors, [Int32Array.from(clicks, (click) => click.pointIndex)]);
    sets.push({ queries, features, labels: Int32Array.from(clicks, (click) => classOf.get(click.trueLabel)!) });
  }
  return joinQuerySets(sets);
}

/** Class logits `[rows, classCount]` of the last stage's head for stored rows (all of them, or `rows`). */
function classifyRows(model: InteractiveSegmentationModel, set: QuerySet, rows?: Int32Array): tf.Tensor2D {
  const width = model.decoder.config.width;
  const featureWidth = classFeatureWidth(model);
  if (set.features.length !== set.labels.length * featureWidth) {
    throw new RangeError(`stored queries: ${set.features.length} class feature values for ${set.labels.length} rows, the model pools ${featureWidth} channels`);
  }
  const gather = (values: Float32Array, rowWidth: number): Float32Array => {
    if (!rows) return values;
    const gathered = new Float32Array(rows.length * rowWidth);
    rows.forEach((row, slot) => gathered.set(values.subarray(row * rowWidth, (row + 1) * rowWidth), slot * rowWidth));
    return gathered;
  };
  const rowCount = rows ? rows.length : set.labels.length;
  return tf.tidy(() => {
    const queries = tf.tensor2d(gather(set.queries, width), [rowCount, width]);
    const features = featureWidth > 0 ? tf.tensor2d(gather(set.features, featureWidth), [rowCount, featureWidth]) : undefined;
    return model.decoder.classifyQueries(model.decoder.config.stageCount - 1, queries, features);
  });
}

/** Class probabilities of stored queries under the current class head (temperature 1). */
function classifyStored(model: InteractiveSegmentationModel, set: QuerySet): ClassPrediction[] {
  const probabilities = tf.tidy(() => tf.softmax(classifyRows(model, set)));
  const values = probabilities.dataSync() as Float32Array;
  probabilities.dispose();
  const classCount = values.length / set.labels.length;
  return Array.from(set.labels, (trueClass, row) => ({ trueClass, probabilities: values.subarray(row * classCount, (row + 1) * classCount) }));
}

/** The selection figures of the current class head on stored selection queries. */
export function scoreSelection(model: InteractiveSegmentationModel, selection: QuerySet): SelectionFigures {
  const predictions = classifyStored(model, selection);
  const structural = STRUCTURAL_CLASS_NAMES.map((name) => model.config.classNames.indexOf(name)).filter((index) => index >= 0);
  const all = computeClassAccuracy(predictions);
  const nonStructural = computeClassAccuracy(predictions, { excludeClasses: structural });
  return {
    topOne: all.accuracyAt[1],
    topOneNonStructural: nonStructural.accuracyAt[1],
    topThreeNonStructural: nonStructural.accuracyAt[3],
    calibrationError: computeCalibration(predictions).expectedCalibrationError,
  };
}

/** Selection score: all-object top-1 plus non-structural top-1 (higher is better). */
export function selectionScore(figures: SelectionFigures): number {
  return figures.topOne + figures.topOneNonStructural;
}

function describe(figures: SelectionFigures): string {
  const percent = (value: number) => (value * 100).toFixed(1);
  return `top-1 ${percent(figures.topOne)} / non-structural ${percent(figures.topOneNonStructural)}, top-3 ns ${percent(figures.topThreeNonStructural)}, ECE ${figures.calibrationError.toFixed(3)}`;
}

/**
 * Fine-tunes only the class head of the last decoder stage (φc of Eq. 6, and W of its class pooling when the
 * decoder has one; the semantic prototypes stay its kernel and stay as they are, since earlier stages feed them
 * into the queries): the backbone, the mask path and every earlier stage are frozen, so masks cannot change.
 * The last stage's queries Q_t and pooled features are collected once (they do not depend on the class head),
 * so training runs on stored rows: mini-batches of objects, class-balanced cross-entropy (or focal loss) of
 * `classifyQueries`. Every learning rate × class balance × focusing is tried from the starting weights; the
 * selection scenes are scored every `evaluateEvery` steps and the best weights of all trials are left in the model.
 */
export function fineTuneClassHead(
  model: InteractiveSegmentationModel,
  training: QuerySet,
  selection: QuerySet,
  settings: ClassHeadFineTuneSettings,
): { initial: SelectionFigures; best: SelectionFigures; bestTrial: string } {
  const classCount = model.config.classNames.length;
  const objectCounts = new Float64Array(classCount);
  for (const label of training.labels) objectCounts[label]++;
  const allVariables = model.namedVariables();
  const names = classHeadVariableNames(model);
  const variables = new Map(names.map((name) => [name, allVariables.get(name)!]));
  const snapshot = () => new Map(names.map((name) => [name, variables.get(name)!.dataSync().slice() as Float32Array]));
  const restore = (values: Map<string, Float32Array>) => {
    for (const [name, data] of values) {
      const variable = variables.get(name)!;
      tf.tidy(() => variable.assign(tf.tensor(data, variable.shape)));
    }
  };
  const initialWeights = snapshot();
  const initial = scoreSelection(model, selection);
  settings.log(`class-head fine-tune on ${training.labels.length} stored queries, ${selection.labels.length} selection objects; training ${names.join(', ')}`);
  settings.log(`  starting weights: selection ${describe(initial)}`);
  let best = initial;
  let bestTrial = 'starting weights';
  let bestWeights = initialWeights;
  for (const [classBalance, focusing] of settings.classBalances.flatMap((balance) => (settings.focusings ?? [0]).map((gamma) => [balance, gamma] as const))) {
    const rawWeights = Array.from(objectCounts, (count) => (count > 0 ? count ** -classBalance : 0));
    const meanWeight = rawWeights.reduce((sum, weight, index) => sum + weight * objectCounts[index], 0) / training.labels.length;
    const classWeights = rawWeights.map((weight) => weight / meanWeight);
    for (const learningRate of settings.learningRates) {
      restore(initialWeights);
      const random = createRandom(settings.seed);
      const optimizer = new AdamOptimizer({ weightDecay: settings.weightDecay, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      let lossSum = 0;
      for (let step = 1; step <= settings.steps; step++) {
        const rows = Int32Array.from({ length: settings.batchSize }, () => random.nextInt(training.labels.length));
        const labels = Int32Array.from(rows, (row) => training.labels[row]);
        const { value, grads } = tf.variableGrads(
          () => classCrossEntropy(classifyRows(model, training, rows), labels, { classWeights, focusing }),
          [...variables.values()],
        );
        const gradients = new Map(names.map((name) => [name, grads[variables.get(name)!.name]]));
        clipGradientsByGlobalNorm(gradients, 1).dispose();
        optimizer.applyGradients(variables, gradients, learningRate);
        lossSum += value.dataSync()[0];
        tf.dispose([value, ...Object.values(grads), ...gradients.values()]);
        if (step % settings.evaluateEvery === 0 || step === settings.steps) {
          const figures = scoreSelection(model, selection);
          const trial = `balance ${classBalance}${focusing > 0 ? `, focal γ ${focusing}` : ''}, rate ${learningRate}, step ${step}`;
          const better = selectionScore(figures) > selectionScore(best);
          settings.log(`  ${trial}: loss ${(lossSum / settings.evaluateEvery).toFixed(3)}, selection ${describe(figures)}${better ? ' (best)' : ''}`);
          lossSum = 0;
          if (better) {
            best = figures;
            bestTrial = trial;
            bestWeights = snapshot();
          }
        }
      }
      optimizer.dispose();
    }
  }
  restore(bestWeights);
  return { initial, best, bestTrial };
}
