import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  NYU40_CLASS_MAP,
  SEMANTIC_KITTI_CLASS_MAP,
  augmentScene,
  drawTrainingStep,
  generateIndoorScene,
  generateOutdoorScene,
  mixScenes,
  preprocessScene,
  toLabeledScene,
  type LabeledScene,
  type PreprocessedScene,
} from '@pointclick/datasets';
import { SceneCache, readDataset } from '@pointclick/datasets/node';
import { createRandom, type SeededRandom } from '@pointclick/sampling';
import type { DataSourceConfig, SceneScope, TrainingConfig } from '../config/training-config.js';

/** One scene source resolved to an id and a builder, before preprocessing. */
interface SceneEntry {
  id: string;
  sourceKey: string;
  load: () => Promise<LabeledScene>;
}

/** The id a generated room gets: its generator's name and its seed. */
function generatedSceneId(kind: 'synthetic-indoor' | 'synthetic-outdoor', seed: number): string {
  return `${kind}-${seed}`;
}

/** Whether a training scene id is one {@link generatedSceneId} makes (a generated room, not a dataset folder's scan). */
export function isGeneratedSceneId(id: string): boolean {
  return /^synthetic-(indoor|outdoor)-\d+$/.test(id);
}

/** Whether a scene is in a `data.mixScope` or `data.augmentationScope`: any scene for `all`, a dataset folder's scan for `folders`. */
function isInScope(scope: SceneScope, scene: PreprocessedScene): boolean {
  return scope === 'all' || !isGeneratedSceneId(scene.id);
}

async function entriesOf(source: DataSourceConfig): Promise<SceneEntry[]> {
  if (source.kind === 'synthetic-indoor' || source.kind === 'synthetic-outdoor') {
    const outdoor = source.kind === 'synthetic-outdoor';
    return Array.from({ length: source.sceneCount }, (_, index) => {
      const seed = source.seed + index;
      const id = generatedSceneId(source.kind, seed);
      return {
        id,
        sourceKey: `${id}:v1`,
        load: async () =>
          outdoor
            ? toLabeledScene(id, generateOutdoorScene({ seed }), SEMANTIC_KITTI_CLASS_MAP)
            : toLabeledScene(id, generateIndoorScene({ seed }), NYU40_CLASS_MAP),
      };
    });
  }
  const directory = resolve(source.directory);
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`data source '${source.directory}': no such directory`);
  const scenes: SceneEntry[] = [];
  const excluded = new Set(source.exclude);
  const scale = source.scale ?? 1;
  for await (const scene of readDataset(directory)) {
    if (excluded.has(scene.id)) continue;
    const scaled = scale === 1 ? scene : { ...scene, cloud: { ...scene.cloud, positions: Float32Array.from(scene.cloud.positions, (value) => value * scale) } };
    scenes.push({ id: scene.id, sourceKey: `${directory}/${scene.id}:${scene.cloud.pointCount}${scale === 1 ? '' : `:scale=${scale}`}`, load: async () => scaled });
  }
  if (scenes.length === 0) throw new Error(`data source '${source.directory}': no scenes found (or all excluded)`);
  return scenes;
}

/** Crops tried per step before the whole scene is used. */
const CROP_ATTEMPTS = 6;

/** Loads (through the scene cache) every scene of the given sources, preprocessed at `voxelSize` metres. */
export async function loadPreprocessedScenes(
  sources: DataSourceConfig[],
  options: {
    cacheDirectory: string;
    voxelSize: number;
    seed: number;
    onScene?: (id: string, rebuilt: boolean) => void;
    /** Called once per source with the ids of its scenes after `exclude` (the run's training-data provenance). */
    onSourceScenes?: (source: DataSourceConfig, sceneIds: string[]) => void;
  },
): Promise<PreprocessedScene[]> {
  const rebuilt = new Set<string>();
  const cache = new SceneCache(options.cacheDirectory, { onRebuild: (id) => rebuilt.add(id) });
  const scenes: PreprocessedScene[] = [];
  for (const source of sources) {
    const entries = await entriesOf(source);
    options.onSourceScenes?.(source, entries.map((entry) => entry.id));
    for (const entry of entries) {
      const scene = await cache.load(entry.id, `${entry.sourceKey}:voxel=${options.voxelSize}:seed=${options.seed}`, async () =>
        preprocessScene(await entry.load(), { voxelSize: options.voxelSize, seed: options.seed }),
      );
      options.onScene?.(entry.id, rebuilt.has(entry.id));
      scenes.push(scene);
    }
  }
  return scenes;
}

/** Loads labelled scenes at full resolution (validation and evaluation). */
export async function loadLabeledScenes(sources: DataSourceConfig[]): Promise<LabeledScene[]> {
  const scenes: LabeledScene[] = [];
  for (const source of sources) for (const entry of await entriesOf(source)) scenes.push(await entry.load());
  return scenes;
}

/**
 * Mixes a seed and a step counter into a new 32-bit seed (splitmix32-style finaliser). Not sampling's
 * `deriveSeed`: a different mix, kept so that training runs reproduce the samples of earlier runs.
 */
export function stepSeed(seed: number, counter: number): number {
  let value = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(counter + 1, 0xc2b2ae35)) >>> 0;
  value = Math.imul(value ^ (value >>> 16), 0x7feb352d) >>> 0;
  value = Math.imul(value ^ (value >>> 15), 0x846ca68b) >>> 0;
  return (value ^ (value >>> 16)) >>> 0;
}

/**
 * The scene a step overlays on its own (Mix3D), with the random stream that augments it, or undefined for an unmixed
 * step: on a share `data.mixShare` of the steps whose scene may be mixed (any scene with `data.mixScope` 'all', a
 * dataset folder's scan with 'folders'), a different scene of the same scope. Drawn from a stream of its own, so a run
 * without mixing (share 0) sees exactly the samples it always did.
 */
function drawMixPartner(scenes: PreprocessedScene[], sourceIndex: number, config: TrainingConfig, stepIndex: number): { scene: PreprocessedScene; random: SeededRandom } | undefined {
  if (!(config.data.mixShare > 0)) return undefined;
  const inScope = (scene: PreprocessedScene) => isInScope(config.data.mixScope, scene);
  if (!inScope(scenes[sourceIndex])) return undefined;
  // The other scenes in scope, in the order that follows the step's own.
  const others = Array.from({ length: scenes.length - 1 }, (_, offset) => scenes[(sourceIndex + 1 + offset) % scenes.length]).filter(inScope);
  if (others.length === 0) return undefined;
  const random = createRandom(stepSeed(config.seed, 2_000_000 + stepIndex));
  if (random.next() >= config.data.mixShare) return undefined;
  return { scene: others[random.nextInt(others.length)], random };
}

/**
 * The sample of a given step, a pure function of (seed, step): the scene is the step's position in its epoch's
 * seeded permutation, and augmentation, clicks and the number of correction rounds use a random stream seeded
 * by the step. A resumed run therefore sees exactly the samples an uninterrupted one would.
 */
export function sampleTrainingStep(scenes: PreprocessedScene[], config: TrainingConfig, stepIndex: number) {
  const epoch = Math.floor(stepIndex / scenes.length);
  const order = Array.from({ length: scenes.length }, (_, index) => index);
  createRandom(stepSeed(config.seed, 1_000_000 + epoch)).shuffle(order);
  const random: SeededRandom = createRandom(stepSeed(config.seed, stepIndex));
  const source = scenes[order[stepIndex % scenes.length]];
  const stepOptions = {
    minClicks: config.data.minClicks,
    maxClicks: config.data.maxClicks,
    backgroundStepShare: config.data.backgroundClickShare,
  };
  const budget = config.data.pointBudget === 'all' ? undefined : config.data.pointBudget;
  const partner = drawMixPartner(scenes, order[stepIndex % scenes.length], config, stepIndex);
  const partBudget = partner && budget !== undefined ? Math.max(1, Math.floor(budget / 2)) : budget;
  // data.augmentation for the scenes in its scope; the others get augmentScene's defaults alone, exactly the samples
  // a run without data.augmentation draws for them.
  const augmentationOf = (scene: PreprocessedScene) => (isInScope(config.data.augmentationScope, scene) ? config.data.augmentation : {});
  // A crop can miss every click candidate; draw another crop, and after a few misses train on the whole scene.
  for (let attempt = 0; attempt < CROP_ATTEMPTS; attempt++) {
    const last = attempt === CROP_ATTEMPTS - 1; // the whole scene, alone
    const cropped = augmentScene(source, random, { ...augmentationOf(source), pointBudget: last ? undefined : partBudget });
    const scene = partner && !last ? mixScenes(cropped, augmentScene(partner.scene, partner.random, { ...augmentationOf(partner.scene), pointBudget: partBudget })) : cropped;
    const step = drawTrainingStep(scene, random, stepOptions);
    if (step.targetInstanceIds.length === 0) continue;
    // Drawn after the clicks, so a run without correction steps sees the samples it always did.
    const correctionRounds = random.next() < config.data.correctionStepShare ? 1 + random.nextInt(config.data.correctionRounds) : 0;
    return { scene, step, correctionRounds };
  }
  throw new Error(`scene ${source.id} has no instance with click candidates; it cannot be trained on`);
}
