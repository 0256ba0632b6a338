import * as tf from '@tensorflow/tfjs-core';
import type { LabeledScene } from '@pointclick/datasets';
import { classCrossEntropy } from '@pointclick/losses';
import { createRandom } from '@pointclick/sampling';
import { ClickGeodesicDistances, type InteractiveSegmentationModel } from '@pointclick/segmenter';
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

/** Names of the variables the fine-tune changes: the last stage's φc (Eq. 6). Everything else stays frozen. */
export function classHeadVariableNames(model: InteractiveSegmentationModel): string[] {
  const lastStage = model.decoder.config.stageCount - 1;
  const prefix = `click_decoder.stage_${lastStage}.adaptor.class_embedding.`;
  return [...model.namedVariables().keys()].filter((name) => name.startsWith(prefix));
}

/** Queries Q_t of the last stage and the true class of each, `rows × width`. */
interface QuerySet {
  queries: Float32Array;
  labels: Int32Array;
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
 * stage's queries Q_t (row-major `[clickCount, width]`).
 */
function lastStageQueries(model: InteractiveSegmentationModel, positions: Float32Array, colors: Uint8Array | undefined, clickSets: Int32Array[]): Float32Array[] {
  const backbone = model.backbone.apply({ positions, colors });
  const finest = backbone.levels[backbone.levels.length - 1];
  const decoderScene = model.decoder.prepareScene(backbone.levels);
  const geodesic = ClickGeodesicDistances.forModel(model, finest.coordinates, colors, backbone.inputToFinest);
  try {
    return clickSets.map((points) => {
      const clickVoxelIndices = Int32Array.from(points, (point) => backbone.inputToFinest[point]);
      const clickPositions = new Float32Array(points.length * 3);
      points.forEach((point, slot) => clickPositions.set(positions.subarray(point * 3, point * 3 + 3), slot * 3));
      const queries = tf.tidy(() => {
        const output = model.decoder.apply({ levels: backbone.levels, clickVoxelIndices, clickPositions, clickGeodesicDistances: geodesic?.distances(clickVoxelIndices), scene: decoderScene, keepQueries: true });
        return output.stages[output.stages.length - 1].queries!;
      });
      const values = queries.dataSync() as Float32Array;
      queries.dispose();
      return values;
    });
  } finally {
    decoderScene.dispose();
    backbone.dispose();
  }
}

/** Concatenates query sets. */
function joinQuerySets(sets: readonly QuerySet[]): QuerySet {
  const rows = sets.reduce((sum, set) => sum + set.labels.length, 0);
  const width = sets.length > 0 && sets[0].labels.length > 0 ? sets[0].queries.length / sets[0].labels.length : 0;
  const queries = new Float32Array(rows * width);
  const labels = new Int32Array(rows);
  let row = 0;
  for (const set of sets) {
    queries.set(set.queries, row * width);
    labels.set(set.labels, row);
    row += set.labels.length;
  }
  return { queries, labels };
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
      lastStageQueries(model, positions, scene.cloud.colors, clickSets).forEach((queries, set) => {
        sets.push({ queries, labels: Int32Array.from(chosenSets[set], (index) => objects[index].trueClass) });
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
    const [queries] = lastStageQueries(model, scene.cloud.positions, scene.cloud.colors, [Int32Array.from(clicks, (click) => click.pointIndex)]);
    sets.push({ queries, labels: Int32Array.from(clicks, (click) => classOf.get(click.trueLabel)!) });
  }
  return joinQuerySets(sets);
}

/** Class probabilities of stored queries under the current class head (temperature 1). */
function classifyStored(model: InteractiveSegmentationModel, set: QuerySet): ClassPrediction[] {
  const width = model.decoder.config.width;
  const probabilities = tf.tidy(() => tf.softmax(model.decoder.classifyQueries(model.decoder.config.stageCount - 1, tf.tensor2d(set.queries, [set.labels.length, width]))));
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
 * Fine-tunes only the class head of the last decoder stage (φc of Eq. 6; the semantic prototypes stay its
 * kernel and stay as they are, since earlier stages feed them into the queries): the backbone, the mask
 * path and every earlier stage are frozen, so masks cannot change. The last stage's queries Q_t are
 * collected once (they do not depend on φc), so training runs on stored queries: mini-batches of objects,
 * class-balanced cross-entropy of `classifyQueries`. Every learning rate × class balance is tried from the
 * starting weights; the selection scenes are scored every `evaluateEvery` steps and the best weights of all
 * trials are left in the model.
 */
export function fineTuneClassHead(
  model: InteractiveSegmentationModel,
  training: QuerySet,
  selection: QuerySet,
  settings: ClassHeadFineTuneSettings,
): { initial: SelectionFigures; best: SelectionFigures; bestTrial: string } {
  const classCount = model.config.classNames.length;
  const width = model.decoder.config.width;
  const lastStage = model.decoder.config.stageCount - 1;
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
  for (const classBalance of settings.classBalances) {
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
        const batch = new Float32Array(rows.length * width);
        rows.forEach((row, slot) => batch.set(training.queries.subarray(row * width, (row + 1) * width), slot * width));
        const labels = Int32Array.from(rows, (row) => training.labels[row]);
        const { value, grads } = tf.variableGrads(
          () => classCrossEntropy(model.decoder.classifyQueries(lastStage, tf.tensor2d(batch, [rows.length, width])), labels, { classWeights }),
          [...variables.values()],
        );
        const gradients = new Map(names.map((name) => [name, grads[variables.get(name)!.name]]));
        clipGradientsByGlobalNorm(gradients, 1).dispose();
        optimizer.applyGradients(variables, gradients, learningRate);
        lossSum += value.dataSync()[0];
        tf.dispose([value, ...Object.values(grads), ...gradients.values()]);
        if (step % settings.evaluateEvery === 0 || step === settings.steps) {
          const figures = scoreSelection(model, selection);
          const trial = `balance ${classBalance}, rate ${learningRate}, step ${step}`;
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
