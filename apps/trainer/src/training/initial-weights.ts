import { join } from 'node:path';
import type { InteractiveSegmentationModel } from '@pointclick/segmenter';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { ConfigError } from '../config/training-config.js';
import { resolveCheckpointSource } from './checkpoint-source.js';

/**
 * Copies every weight of the checkpoint behind `source` into `model` (fine-tuning). Every checkpoint variable
 * must exist in the model with the same shape (the first mismatch is named); model variables the checkpoint
 * lacks (a component added for the fine-tune, such as the geodesic click prior) keep their initial values
 * and are listed. Returns the checkpoint directory used and those names.
 */
export async function copyInitialWeights(model: InteractiveSegmentationModel, source: string): Promise<{ directory: string; initialised: string[] }> {
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
