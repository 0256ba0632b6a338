import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensors, serializeSafetensors } from '@pointclick/nn';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { InteractiveSegmentationModel, type Segmenter } from '@pointclick/segmenter';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { exportCheckpoint } from '../src/commands/export-command.js';
import { ConfigError } from '../src/config/training-config.js';
import { copyInitialWeights } from '../src/training/initial-weights.js';

const MODEL = fileURLToPath(new URL('../../../models/default', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'pointclick-trainer-safetensors-'));
let reference: Segmenter;
let exported: string;

beforeAll(async () => {
  await initializeBackend({ preferred: 'cpu', strict: true });
  reference = await loadSegmenter(MODEL);
  exported = join(scratch, 'default.safetensors');
  await exportCheckpoint(MODEL, exported, 'float32', {}, 'safetensors');
});
afterAll(() => {
  reference.model.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/** Paths of `variables` whose values are not bit-identical to those of the same path in `expected`. */
function differingVariables(variables: Map<string, tf.Variable>, expected: Map<string, tf.Variable>): string[] {
  const bytes = (variable: tf.Variable) => {
    const values = variable.dataSync() as Float32Array;
    return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  };
  return [...variables].filter(([path, variable]) => !bytes(variable).equals(bytes(expected.get(path)!))).map(([path]) => path);
}

/** A model of the reference's architecture with other initial weights. */
function freshModel(): InteractiveSegmentationModel {
  const config = structuredClone(reference.model.config);
  config.backbone = { ...config.backbone, seed: (config.backbone?.seed ?? 0) + 1 };
  return new InteractiveSegmentationModel(config);
}

describe('export --format safetensors and --init-from FILE.safetensors', () => {
  it('writes the backbone in Pointcept PT-v3m1 names and layouts and the decoder in ours', () => {
    const file = parseSafetensors(new Uint8Array(readFileSync(exported)), exported);
    expect(file.metadata.format).toBe('pt');
    expect(JSON.parse(file.metadata['pointclick.config'])).toEqual(reference.model.config);
    const stem = reference.model.backbone.config.stemKernelSize;
    expect(file.tensors.get('backbone.embedding.stem.conv.weight')?.shape).toEqual([16, stem, stem, stem, 6]);
    expect(file.tensors.get('backbone.enc.enc0.block0.attn.qkv.weight')?.shape).toEqual([48, 16]);
    const decoderKeys = [...file.tensors.keys()].filter((key) => key.startsWith('click_decoder.'));
    expect(decoderKeys.length).toBe(reference.model.decoder.namedVariables().size);
  });

  it('fine-tunes from the exported file with every weight equal to the model\'s', async () => {
    const model = freshModel();
    try {
      const result = await copyInitialWeights(model, exported);
      expect(result.initialised).toEqual([]);
      const before = tf.memory().numTensors;
      expect(differingVariables(model.namedVariables(), reference.model.namedVariables())).toEqual([]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      model.dispose();
    }
  });

  it('takes a Pointcept backbone alone (DDP prefix, a seg_head) and leaves the decoder to be trained', async () => {
    const file = parseSafetensors(new Uint8Array(readFileSync(exported)), exported);
    const pointcept = new Map([...file.tensors].filter(([key]) => key.startsWith('backbone.')).map(([key, tensor]) => [`module.${key}`, tensor]));
    pointcept.set('module.seg_head.bias', file.tensors.get('backbone.embedding.stem.norm.bias')!);
    const path = join(scratch, 'pointcept.safetensors');
    writeFileSync(path, serializeSafetensors(pointcept));
    const model = freshModel();
    try {
      const decoderBefore = model.decoder.namedVariables().values().next().value!.dataSync().slice();
      const result = await copyInitialWeights(model, path);
      expect(result.initialised).toEqual([`click_decoder.* (all ${model.decoder.namedVariables().size} variables: the file has no decoder)`]);
      expect(differingVariables(model.backbone.namedVariables(), reference.model.backbone.namedVariables())).toEqual([]);
      expect(model.decoder.namedVariables().values().next().value!.dataSync()).toEqual(decoderBefore);
    } finally {
      model.dispose();
    }
  });

  it('names the file and the first missing key of an incomplete backbone', async () => {
    const file = parseSafetensors(new Uint8Array(readFileSync(exported)), exported);
    file.tensors.delete('backbone.enc.enc1.down.proj.bias');
    const path = join(scratch, 'incomplete.safetensors');
    writeFileSync(path, serializeSafetensors(file.tensors));
    const model = freshModel();
    try {
      await expect(copyInitialWeights(model, path)).rejects.toThrow(ConfigError);
      await expect(copyInitialWeights(model, path)).rejects.toThrow(`initialWeights: ${path}: no tensor 'backbone.enc.enc1.down.proj.bias' (for our 'enc.enc1.down.proj.bias')`);
    } finally {
      model.dispose();
    }
  });
});
