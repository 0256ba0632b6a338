import type { LabeledScene } from '@pointclick/datasets';
import { findLabeledObjects } from './class-evaluation.js';

/** Instances per class of a set of training scenes. */
export interface ClassPrior {
  /** Instances by class index (length: the class count). */
  counts: number[];
  /** Instances counted in all (Σ counts). */
  total: number;
  /** Scenes counted. */
  sceneIds: string[];
}

/**
 * Counts the instances of each class as the class evaluation sees its targets: every instance of at least
 * `minimumObjectPoints` points whose majority semantic class (the checkpoint's class index, e.g. the NYU40 id)
 * is in 1…classCount − 1 (0 is unlabelled).
 *
 * @param scenes - Training scenes (an async iterable, so a dataset folder is read one scene at a time).
 * @param classCount - Classes of the checkpoint (`classNames.length`).
 * @param minimumObjectPoints - Smallest instance counted, in points (the class evaluation's 300 by default).
 */
export async function countClassInstances(scenes: AsyncIterable<LabeledScene> | Iterable<LabeledScene>, classCount: number, minimumObjectPoints = 300): Promise<ClassPrior> {
  const counts = new Array<number>(classCount).fill(0);
  const sceneIds: string[] = [];
  for await (const scene of scenes) {
    sceneIds.push(scene.id);
    for (const object of findLabeledObjects(scene.cloud).values()) {
      if (object.pointCount >= minimumObjectPoints && object.trueClass > 0 && object.trueClass < classCount) counts[object.trueClass]++;
    }
  }
  return { counts, total: counts.reduce((sum, count) => sum + count, 0), sceneIds };
}

/**
 * Post-hoc logit adjustment (Menon et al., ICLR 2021, "Long-tail learning via logit adjustment"): the class bias
 * b_c = −strength · ln p_c, with the Laplace-smoothed prior p_c = (n_c + 1) / (N + C), shifted to mean 0 over the
 * classes (the softmax ignores a common shift; mean 0 keeps the stored numbers readable).
 *
 * @param counts - Training instances by class index (n_c); its length is the class count C.
 * @param strength - τ ≥ 0; 0 gives a bias of 0 for every class, 1 the adjustment of the paper.
 * @returns The bias in logits, one per class.
 */
export function computeLogitAdjustment(counts: readonly number[], strength: number): number[] {
  if (!(strength >= 0 && Number.isFinite(strength))) throw new RangeError(`logit adjustment: strength τ must be a finite number ≥ 0, got ${strength}`);
  if (counts.length === 0 || counts.some((count) => !(Number.isInteger(count) && count >= 0))) {
    throw new RangeError(`logit adjustment: counts must be non-negative integers, one per class, got [${counts.join(', ')}]`);
  }
  const total = counts.reduce((sum, count) => sum + count, 0);
  const bias = counts.map((count) => -strength * Math.log((count + 1) / (total + counts.length)));
  const mean = bias.reduce((sum, value) => sum + value, 0) / bias.length;
  // + 0 turns the −0 of τ = 0 into 0, so a zero bias prints and compares as 0.
  return bias.map((value) => value - mean + 0);
}
