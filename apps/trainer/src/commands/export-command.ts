import { mkdir } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { serializeSegmenterSafetensors } from '@pointclick/segmenter';
import { saveCheckpoint } from '@pointclick/segmenter/node';
import { writeFileAtomic } from '@pointclick/io/node';
import { readCheckpoint } from '../training/checkpoint-source.js';
import { applyInferenceSettings, type InferenceSettings } from './inference-settings.js';

/** What `pointclick-train export` writes: a model directory, or one safetensors file for PyTorch. */
export type ExportFormat = 'model' | 'safetensors';

/**
 * Writes a run's latest checkpoint (or a given checkpoint directory) for inference, without optimizer state, with
 * weights stored as `dtype`: format `model` writes `output` as a directory (model.json + weights.bin); format
 * `safetensors` writes `output` as one file, the backbone in Pointcept PT-v3m1 names and layouts and the decoder in
 * ours (see `serializeSegmenterSafetensors`). The model is rebuilt and reserialised, so a corrupt source fails here
 * rather than in a user's browser.
 */
export async function exportCheckpoint(
  checkpoint: string,
  outputDirectory: string,
  dtype: 'float32' | 'float16',
  overrides: InferenceSettings = {},
  format: ExportFormat = 'model',
): Promise<{ source: string; output: string; byteLength: number }> {
  const { source, document, model } = await readCheckpoint(checkpoint, (config) => applyInferenceSettings(config, overrides));
  if (format === 'safetensors') {
    const bytes = serializeSegmenterSafetensors(model, { dtype });
    model.dispose();
    const output = resolve(outputDirectory);
    await mkdir(dirname(output), { recursive: true });
    await writeFileAtomic(output, bytes);
    return { source, output, byteLength: bytes.byteLength };
  }
  const output = resolve(outputDirectory);
  try {
    // Weights first, JSON last: a reader never sees a JSON whose weights are missing.
    const { byteLength } = await saveCheckpoint(model, output, {
      metadata: { ...document.metadata, exportedFrom: relative(process.cwd(), source) },
      weightsDtype: dtype,
    });
    return { source, output, byteLength };
  } finally {
    model.dispose();
  }
}
