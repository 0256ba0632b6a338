import { relative, resolve } from 'node:path';
import { mergeTrainingProvenance, type TrainingProvenance } from '@pointclick/segmenter';
import { saveCheckpoint } from '@pointclick/segmenter/node';
import * as tf from '@tensorflow/tfjs-core';
import { readCheckpoint } from '../training/checkpoint-source.js';

/** Options of {@link interpolateCheckpoints}. */
export interface InterpolationOptions {
  /** The starting weights θ₀ (a model directory, its model.json, or a run directory: its latest checkpoint). */
  from: string;
  /** The fine-tuned weights θ₁, same architecture; its config (inference settings, calibration) is kept. */
  to: string;
  /** α in [0, 1]: the written weights are (1 − α)·θ₀ + α·θ₁ (0 = `from`, 1 = `to`). */
  weight: number;
  /** Model directory written (model.json + weights). */
  output: string;
  /** Storage type of the written weights. Default float32. */
  dtype?: 'float32' | 'float16';
}

/** Thrown when two checkpoints cannot be interpolated: a variable missing from one or of another shape. */
export class InterpolationError extends Error {
  constructor(
    /** The checkpoint (as given) whose variables do not match. */
    readonly checkpoint: string,
    message: string,
  ) {
    super(`${checkpoint}: ${message}`);
    this.name = 'InterpolationError';
  }
}

/** A lineage's provenance for merging; an unknown one is named as an unknown source, never taken as empty. */
function provenanceOf(provenance: TrainingProvenance | undefined, name: string): TrainingProvenance {
  return provenance ?? { trainedOn: [], unknownSources: [name] };
}

/**
 * Weight-space interpolation of a fine-tune with the weights it started from (WiSE-FT, Wortsman et al., CVPR 2022):
 * every variable becomes (1 − α)·θ₀ + α·θ₁. On a small fine-tuning set this trades the fine-tune's gain on its own
 * data against what the starting weights knew, without training. The written checkpoint keeps `to`'s config, with
 * the provenance of both lineages merged, and names both sources and α in its metadata.
 *
 * @throws InterpolationError when a variable of one checkpoint is missing from the other or has another shape.
 */
export async function interpolateCheckpoints(options: InterpolationOptions): Promise<{ output: string; byteLength: number; variableCount: number }> {
  if (!(options.weight >= 0 && options.weight <= 1)) throw new RangeError(`interpolate: --weight must lie in [0, 1], got ${options.weight}`);
  const start = await readCheckpoint(options.from);
  const end = await readCheckpoint(options.to).catch((error: unknown) => {
    start.model.dispose();
    throw error;
  });
  try {
    const startVariables = new Map(start.model.namedVariables());
    const endVariables = new Map(end.model.namedVariables());
    for (const name of startVariables.keys()) if (!endVariables.has(name)) throw new InterpolationError(options.to, `has no variable ${name} (present in ${options.from})`);
    for (const [name, variable] of endVariables) {
      const other = startVariables.get(name);
      if (!other) throw new InterpolationError(options.from, `has no variable ${name} (present in ${options.to})`);
      if (other.shape.join(',') !== variable.shape.join(',')) {
        throw new InterpolationError(options.from, `variable ${name} has shape [${other.shape.join(', ')}], ${options.to} has [${variable.shape.join(', ')}]`);
      }
      const blended = new Float32Array(variable.size);
      const startValues = other.dataSync();
      const endValues = variable.dataSync();
      for (let index = 0; index < blended.length; index += 1) {
        blended[index] = (1 - options.weight) * startValues[index] + options.weight * endValues[index];
      }
      const values = tf.tensor(blended, variable.shape, 'float32');
      variable.assign(values);
      values.dispose();
    }
    end.model.config.provenance = mergeTrainingProvenance(
      provenanceOf(start.document.config.provenance, options.from),
      provenanceOf(end.document.config.provenance, options.to),
    );
    const output = resolve(options.output);
    const { byteLength } = await saveCheckpoint(end.model, output, {
      metadata: {
        ...end.document.metadata,
        interpolatedFrom: { from: relative(process.cwd(), start.source), to: relative(process.cwd(), end.source), weight: options.weight },
      },
      weightsDtype: options.dtype ?? 'float32',
    });
    return { output, byteLength, variableCount: endVariables.size };
  } finally {
    start.model.dispose();
    end.model.dispose();
  }
}
