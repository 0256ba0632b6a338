import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { createModelFromCheckpoint, parseCheckpointDocument, serializeCheckpoint } from '@pointclick/segmenter';
import { writeFileAtomic } from '@pointclick/io/node';
import { resolveCheckpointSource } from '../training/checkpoint-source.js';
import { applyInferenceSettings, type InferenceSettings } from './inference-settings.js';

/**
 * Writes a run's latest checkpoint (or a given checkpoint directory) to `outputDirectory` as a model for
 * inference: model.json + weights.bin, without optimizer state, with weights stored as `dtype`. The model
 * is rebuilt and reserialised, so a corrupt source fails here rather than in a user's browser.
 */
export async function exportCheckpoint(
  checkpoint: string,
  outputDirectory: string,
  dtype: 'float32' | 'float16',
  overrides: InferenceSettings = {},
): Promise<{ source: string; output: string; byteLength: number }> {
  const source = await resolveCheckpointSource(checkpoint);
  const documentPath = join(source, 'model.json');
  const document = parseCheckpointDocument(await readFile(documentPath, 'utf8'), documentPath);
  applyInferenceSettings(document.config, overrides);
  const model = createModelFromCheckpoint(document, new Uint8Array(await readFile(join(source, document.weights.file))), documentPath);
  const exported = serializeCheckpoint(model, {
    metadata: { ...document.metadata, exportedFrom: relative(process.cwd(), source) },
    weightsDtype: dtype,
  });
  model.dispose();
  const output = resolve(outputDirectory);
  await mkdir(output, { recursive: true });
  // Weights first, JSON last: a reader never sees a JSON whose weights are missing.
  await writeFileAtomic(join(output, exported.document.weights.file), exported.weights);
  await writeFileAtomic(join(output, 'model.json'), `${JSON.stringify(exported.document, null, 1)}\n`);
  return { source, output, byteLength: exported.weights.byteLength };
}
