import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@pointclick/io/node';
import type { InteractiveSegmentationModel } from '../interactive-segmentation-model.js';
import { serializeCheckpoint } from '../checkpoint.js';

/**
 * Writes `<directory>/model.json` and its weight blob. The blob goes first and the JSON last, each through a
 * temporary file and a rename, so a reader never sees a JSON whose weights are missing or partial.
 */
export async function saveCheckpoint(
  model: InteractiveSegmentationModel,
  directory: string,
  options: {
    /** Free-form provenance stored in the JSON (training command, step, data). */
    metadata?: Record<string, unknown>;
    /** Storage type of the weights: float32 (exact) or float16 (half the size). Default float32. */
    weightsDtype?: 'float32' | 'float16';
  } = {},
): Promise<{ documentPath: string; weightsPath: string; byteLength: number }> {
  await mkdir(directory, { recursive: true });
  const { document, weights } = serializeCheckpoint(model, { metadata: options.metadata, weightsDtype: options.weightsDtype });
  const weightsPath = join(directory, document.weights.file);
  const documentPath = join(directory, 'model.json');
  await writeFileAtomic(weightsPath, weights);
  await writeFileAtomic(documentPath, new TextEncoder().encode(`${JSON.stringify(document, null, 1)}\n`));
  return { documentPath, weightsPath, byteLength: weights.byteLength };
}
