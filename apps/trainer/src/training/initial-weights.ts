import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, loadSegmenterSafetensors, type InteractiveSegmentationModel } from '@pointclick/segmenter';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { ConfigError } from '../config/training-config.js';
import { resolveCheckpointSource } from './checkpoint-source.js';

/**
 * Loads a `.safetensors` file into `model`: the backbone from Pointcept PT-v3m1 keys, the decoder when the file has
 * ours (else it keeps its initial weights and is listed as initialised, to be trained here).
 */
async function copySafetensorsWeights(model: InteractiveSegmentationModel, path: string): Promise<{ directory: string; initialised: string[] }> {
  const bytes = await readFile(path).catch((error: unknown) => {
    throw new ConfigError(`initialWeights: cannot read ${path}: ${(error as Error).message}`);
  });
  try {
    const result = loadSegmenterSafetensors(model, new Uint8Array(bytes), path);
    const decoderVariables = model.decoder.namedVariables().size;
    return { directory: path, initialised: result.decoderLoaded ? [] : [`${model.decoder.name}.* (all ${decoderVariables} variables: the file has no decoder)`] };
  } catch (error) {
    if (error instanceof CheckpointError) throw new ConfigError(`initialWeights: ${error.message}`);
    throw error;
  }
}

/**
 * Copies every weight of the checkpoint behind `source` into `model` (fine-tuning); a `.safetensors` file is read as
 * PyTorch weights (see `loadSegmenterSafetensors`). Every checkpoint variable
 * must exist in the model with the same shape (the first mismatch is named); model variables the checkpoint
 * lacks (a component added for the fine-tune, such as the geodesic click prior) keep their initial values
 * and are listed. Returns the checkpoint directory used and those names.
 */
export async function copyInitialWeights(model: InteractiveSegmentationModel, source: string): Promise<{ directory: string; initialised: string[] }> {
  if (source.toLowerCase().endsWith('.safetensors')) return copySafetensorsWeights(model, source);
  const directory = await resolveCheckpointSource(source);
  const documentPath = join(directory, 'model.json');
  const loaded = (await loadSegmenter(directory)).model;
  try {
    const sourceVariables = loaded.namedVariables();
    const targetVariables = model.namedVariables();
    const initialised: string[] = [];
    for (const [path, variable] of targetVariables) {
      const value = sourceVariables.get(path);
      if (!value) {
        initialised.push(path);
        continue;
      }
      if (value.shape.join(',') !== variable.shape.join(',')) {
        throw new ConfigError(`initialWeights: variable '${path}' of ${documentPath} has shape [${value.shape}], the model needs [${variable.shape}]`);
      }
    }
    const extra = [...sourceVariables.keys()].filter((path) => !targetVariables.has(path));
    if (extra.length > 0) throw new ConfigError(`initialWeights: ${documentPath} has variables the model lacks: ${extra.slice(0, 3).join(', ')}`);
    if (initialised.length === targetVariables.size) {
      throw new ConfigError(`initialWeights: ${documentPath} shares no variable with the model (a checkpoint of another architecture?)`);
    }
    for (const [path, variable] of targetVariables) {
      const value = sourceVariables.get(path);
      if (value) variable.assign(value);
    }
    return { directory, initialised };
  } finally {
    loaded.dispose();
  }
}
