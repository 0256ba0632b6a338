import { drawTrainingClicks, type SeededRandom } from '@pointclick/sampling';
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
