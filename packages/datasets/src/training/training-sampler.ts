import { createRandom, drawTrainingClicks, type SeededRandom } from '@pointclick/sampling';
import { augmentScene, type AugmentationOptions, type AugmentedScene } from './scene-augmentation.js';
import type { PreprocessedScene } from './scene-preprocessing.js';

/** One simulated click of a training step. */
export interface TrainingStepClick {
  /** Target instance id, or 0 for a background click. */
  instanceId: number;
  /** Index of the clicked point in the step's scene. */
  pointIndex: number;
}

/** Options of {@link drawTrainingStep}. */
export interface TrainingStepOptions {
  /** Fewest object clicks per scene. Default 30. */
  minClicks?: number;
  /** Most object clicks per scene. Default 50. */
  maxClicks?: number;
  /** Most clicks per instance. Default 15 (at least 1 per chosen instance). */
  maxClicksPerInstance?: number;
  /** Share of steps that also get background clicks, 0..1. Default 0.5. */
  backgroundStepShare?: number;
  /** Background clicks on such a step, [minimum, maximum]. Default [1, 5]. */
  backgroundClickRange?: [number, number];
}

/** The clicks of one training step on one scene. */
export interface TrainingStep {
  /** Object clicks then background clicks. */
  clicks: TrainingStepClick[];
  /** Instance ids that received clicks (the targets of this step), ascending. */
  targetInstanceIds: number[];
}

/**
 * Draws one step's clicks (paper §3.1): a random subset of instances and 1–15 of each one's FPS candidates,
 * 30–50 clicks in all by default (`drawTrainingClicks` from `@pointclick/sampling`), plus, on a share of steps,
 * background clicks on random points that belong to none of the targets.
 */
export function drawTrainingStep(scene: PreprocessedScene, random: SeededRandom, options: TrainingStepOptions = {}): TrainingStep {
  const objectClicks = drawTrainingClicks(scene.clickCandidates, {
    minClicks: options.minClicks ?? 30,
    maxClicks: options.maxClicks ?? 50,
    maxPerInstance: options.maxClicksPerInstance ?? 15,
    seed: random.nextUint32(),
  });
  const targetInstanceIds = [...new Set(objectClicks.map((click) => click.instanceId))].sort((first, second) => first - second);
  const clicks: TrainingStepClick[] = objectClicks.map((click) => ({ instanceId: click.instanceId, pointIndex: click.pointIndex }));
  if (random.next() < (options.backgroundStepShare ?? 0.5)) {
    const [minimum, maximum] = options.backgroundClickRange ?? [1, 5];
    const wanted = minimum + random.nextInt(maximum - minimum + 1);
    const targets = new Set(targetInstanceIds);
    const background: number[] = [];
    for (let point = 0; point < scene.pointCount; point++) if (!targets.has(scene.instance[point])) background.push(point);
    for (let click = 0; click < wanted && background.length > 0; click++) {
      const pick = random.nextInt(background.length);
      clicks.push({ instanceId: 0, pointIndex: background[pick] });
      background[pick] = background[background.length - 1];
      background.pop();
    }
  }
  return { clicks, targetInstanceIds };
}

/** Options of {@link TrainingSampler}. */
export interface TrainingSamplerOptions extends TrainingStepOptions {
  /** Seed of the whole stream (scene order, augmentation, clicks). Default 0. */
  seed?: number;
  /** Augmentation; `false` turns it off. Default: the {@link augmentScene} defaults. */
  augmentation?: AugmentationOptions | false;
}

/** One training sample: an augmented scene and its step clicks. */
export interface TrainingSample {
  /** The (augmented, possibly cropped) scene. */
  scene: AugmentedScene;
  /** Clicks into `scene`. */
  step: TrainingStep;
  /** Pass over the scene list this sample belongs to (0-based). */
  epoch: number;
}

/**
 * An endless, seeded stream of training samples over preprocessed scenes: each epoch visits every scene once
 * in a shuffled order; each visit augments the scene and draws the step's clicks. Scenes come from a list
 * or a loader (for instance `SceneCache.load`), so only the current scene need be in memory.
 */
export class TrainingSampler {
  private readonly random: SeededRandom;
  private order: number[] = [];
  private position = 0;
  private epoch = -1;

  constructor(
    private readonly sceneCount: number,
    private readonly loadScene: (index: number) => PreprocessedScene | Promise<PreprocessedScene>,
    private readonly options: TrainingSamplerOptions = {},
  ) {
    this.random = createRandom(options.seed ?? 0);
  }

  /** Creates a sampler over scenes already in memory. */
  static fromScenes(scenes: PreprocessedScene[], options: TrainingSamplerOptions = {}): TrainingSampler {
    return new TrainingSampler(scenes.length, (index) => scenes[index], options);
  }

  /** The next sample. */
  async next(): Promise<TrainingSample> {
    if (this.sceneCount === 0) throw new RangeError('TrainingSampler has no scenes');
    if (this.position >= this.order.length) {
      this.order = Array.from({ length: this.sceneCount }, (_, index) => index);
      this.random.shuffle(this.order);
      this.position = 0;
      this.epoch++;
    }
    const source = await this.loadScene(this.order[this.position++]);
    const augmentation = this.options.augmentation;
    const scene: AugmentedScene =
      augmentation === false
        ? { ...source, sourceIndices: Int32Array.from({ length: source.pointCount }, (_, index) => index) }
        : augmentScene(source, this.random, augmentation);
    return { scene, step: drawTrainingStep(scene, this.random, this.options), epoch: this.epoch };
  }
}
