import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { WeightLoadError } from '@pointclick/nn';
import { NUMERIC_CHECK_CONFIG, useBackend } from './test-helpers.js';
import { BASE_CONFIG, createPointTransformerV3, exportPointceptStateDict, importPointceptStateDict, mapPointceptKeys, pointceptKeyOf, type PointTransformerV3 } from '../src/index.js';

describe('Pointcept PT-v3m1 key map', () => {
  beforeAll(async () => useBackend('cpu'));

  it('maps every variable of the base backbone to a distinct Pointcept key', () => {
    const base = createPointTransformerV3({ ...BASE_CONFIG, seed: 1 });
    try {
      const map = mapPointceptKeys(base);
      expect(map).toHaveLength(473);
      expect(new Set(map.map((entry) => entry.theirs)).size).toBe(473);
      const byKey = new Map(map.map((entry) => [entry.theirs, entry]));
      expect(byKey.get('embedding.stem.conv.weight')).toMatchObject({ ours: 'embedding.stem.conv.weight', layout: 'sparse-convolution' });
      expect(byKey.get('embedding.stem.norm.running_var')).toMatchObject({ ours: 'embedding.stem.norm.running_variance', layout: 'same' });
      expect(byKey.get('enc.enc0.block0.cpe.0.weight')?.layout).toBe('sparse-convolution');
      expect(byKey.get('enc.enc0.block0.cpe.1.weight')?.layout).toBe('linear');
      expect(byKey.get('enc.enc0.block0.cpe.2.weight')?.ours).toBe('enc.enc0.block0.cpe.2.gamma');
      expect(byKey.get('enc.enc3.block5.norm1.0.bias')?.ours).toBe('enc.enc3.block5.norm1.beta');
      expect(byKey.get('enc.enc4.block1.attn.qkv.weight')).toMatchObject({ ours: 'enc.enc4.block1.attn.qkv.weight', layout: 'linear' });
      expect(byKey.get('enc.enc2.block1.mlp.0.fc2.weight')?.ours).toBe('enc.enc2.block1.mlp.fc2.weight');
      expect(byKey.get('enc.enc1.down.norm.0.weight')?.ours).toBe('enc.enc1.down.norm.gamma');
      expect(byKey.get('dec.dec0.up.proj.0.weight')?.ours).toBe('dec.dec0.up.proj.weight');
      expect(byKey.get('dec.dec0.up.proj.1.running_mean')?.ours).toBe('dec.dec0.up.proj_norm.running_mean');
      expect(byKey.get('dec.dec3.up.proj_skip.1.weight')?.ours).toBe('dec.dec3.up.proj_skip_norm.gamma');
      // Every weight of a norm is renamed; nothing of ours leaks through.
      expect(map.filter((entry) => /gamma|beta|running_variance|proj_norm|skip_norm/.test(entry.theirs))).toEqual([]);
      // The 46,166,272 trainable parameters are Pointcept's backbone; its 46,167,572 add seg_head = Linear(64, 20).
      expect(base.countParams()).toBe(46_166_272);
      expect(base.countParams() + (64 * 20 + 20)).toBe(46_167_572);
    } finally {
      base.dispose();
    }
  });

  it('classifies layouts by module, not by shape alone', () => {
    expect(pointceptKeyOf('enc.enc0.block0.attn.proj.bias', [32]).layout).toBe('same');
    expect(pointceptKeyOf('enc.enc0.block0.norm2.gamma', [32])).toEqual({ ours: 'enc.enc0.block0.norm2.gamma', theirs: 'enc.enc0.block0.norm2.0.weight', layout: 'same' });
  });

  describe('export and import', () => {
    let source: PointTransformerV3;
    let target: PointTransformerV3;
    beforeAll(() => {
      source = createPointTransformerV3({ ...NUMERIC_CHECK_CONFIG, seed: 3 });
      target = createPointTransformerV3({ ...NUMERIC_CHECK_CONFIG, seed: 4 });
    });
    afterAll(() => {
      source.dispose();
      target.dispose();
    });

    it('writes Pointcept shapes and batch counters, and reads them back into equal weights', () => {
      const tensors = exportPointceptStateDict(source);
      // One int64 num_batches_tracked per BatchNorm (stem, poolings, both norms of every unpooling).
      const batchNorms = [...source.namedVariables().keys()].filter((name) => name.endsWith('running_variance')).length;
      expect(tensors.size).toBe(source.namedVariables().size + batchNorms);
      expect(tensors.get('backbone.embedding.stem.conv.weight')?.shape).toEqual([8, 3, 3, 3, 6]);
      expect(tensors.get('backbone.enc.enc1.block0.attn.qkv.weight')?.shape).toEqual([48, 16]);
      expect(tensors.get('backbone.enc.enc1.down.norm.0.num_batches_tracked')).toMatchObject({ dtype: 'I64', shape: [] });
      const unused = importPointceptStateDict(target, new Map([...tensors, ['seg_head.weight', tensors.get('backbone.enc.enc1.block0.attn.qkv.weight')!]]));
      expect(unused).toEqual(['seg_head.weight']);
      const before = tf.memory().numTensors;
      for (const [name, variable] of source.namedVariables()) {
        expect(target.namedVariables().get(name)!.dataSync(), name).toEqual(variable.dataSync());
      }
      expect(tf.memory().numTensors).toBe(before);
    });

    it('checks every key and shape before assigning anything', () => {
      const tensors = exportPointceptStateDict(source);
      const fresh = createPointTransformerV3({ ...NUMERIC_CHECK_CONFIG, seed: 5 });
      try {
        const initial = fresh.namedVariables().get('embedding.stem.conv.weight')!.dataSync().slice();
        const missing = new Map(tensors);
        missing.delete('backbone.dec.dec0.block0.mlp.0.fc1.bias');
        expect(() => importPointceptStateDict(fresh, missing, { source: 'w.safetensors' })).toThrow(WeightLoadError);
        expect(() => importPointceptStateDict(fresh, missing, { source: 'w.safetensors' })).toThrow("w.safetensors: no tensor 'backbone.dec.dec0.block0.mlp.0.fc1.bias' (for our 'dec.dec0.block0.mlp.fc1.bias')");
        const reshaped = new Map(tensors);
        const qkv = tensors.get('backbone.enc.enc1.block0.attn.qkv.weight')!;
        reshaped.set('backbone.enc.enc1.block0.attn.qkv.weight', { ...qkv, shape: [16, 48] });
        expect(() => importPointceptStateDict(fresh, reshaped, { source: 'w.safetensors' })).toThrow("'backbone.enc.enc1.block0.attn.qkv.weight' has shape [16,48] but this backbone needs [48,16]");
        expect(fresh.namedVariables().get('embedding.stem.conv.weight')!.dataSync()).toEqual(initial);
      } finally {
        fresh.dispose();
      }
    });
  });
});
