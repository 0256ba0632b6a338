/**
 * Parity with PyTorch: random torch layers (test/pointcept/pointcept_reference.py) exported to safetensors and loaded
 * through the Pointcept key map give the same outputs here; a backbone exported here, loaded strictly into the
 * torch skeleton of Pointcept's PT-v3m1 state_dict and written back, re-exports byte for byte.
 * Needs python3 with torch (Debian python3-torch); skips visibly without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, Initializer, LayerNorm, Linear, parseSafetensors, safetensorsToFloat32, serializeSafetensors, type SafetensorsTensor } from '@pointclick/nn';
import { NUMERIC_CHECK_CONFIG, useBackend } from './test-helpers.js';
import { BASE_CONFIG, createPointTransformerV3, exportPointceptStateDict, fromPointceptLayout, importPointceptStateDict, pointceptKeyOf } from '../src/index.js';
import { SerializedAttention } from '../src/layers/serialized-attention.js';
import { SubmanifoldConvolution } from '../src/layers/submanifold-convolution.js';
import { TransformerBlock } from '../src/layers/transformer-block.js';
import { PointLevel } from '../src/levels/point-level.js';
import type { PointTransformerV3Config } from '../src/index.js';

const SCRIPT = fileURLToPath(new URL('./pointcept/pointcept_reference.py', import.meta.url));

/** The first Python with torch: Debian's /usr/bin/python3 (python3-torch) before whatever `python3` is on PATH. */
function findTorchPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}
const python = findTorchPython();
if (!python) console.warn('SKIPPED Pointcept/PyTorch parity tests: no python3 with torch (apt-get install python3-torch)');

function runPython(...args: string[]): string {
  const result = spawnSync(python!, [SCRIPT, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pointcept_reference.py ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

/** Largest |ours − theirs| over max |theirs|: the relative error of a whole output. */
function relativeError(ours: Float32Array, theirs: Float32Array): number {
  expect(ours.length).toBe(theirs.length);
  let difference = 0;
  let scale = 0;
  for (let index = 0; index < theirs.length; index++) {
    difference = Math.max(difference, Math.abs(ours[index] - theirs[index]));
    scale = Math.max(scale, Math.abs(theirs[index]));
  }
  return difference / scale;
}

/** The skeleton's configuration for one of ours. */
function skeletonConfig(config: PointTransformerV3Config): Record<string, unknown> {
  return { ...config, inChannels: 6 };
}

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-pointcept-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(!python)('Pointcept PT-v3m1 interchange with PyTorch', () => {
  let layers: Map<string, SafetensorsTensor>;
  const floats = (name: string) => safetensorsToFloat32(layers.get(name)!, name);
  const tensor2d = (name: string) => tf.tensor2d(floats(name), layers.get(name)!.shape as [number, number]);

  beforeAll(async () => {
    await useBackend('cpu');
    const path = join(scratch, 'layers.safetensors');
    runPython('layers', path);
    layers = parseSafetensors(new Uint8Array(readFileSync(path)), path).tensors;
  });

  it('Linear: torch [out, in] weights, transposed, give torch\'s output', () => {
    const linear = new Linear('linear', 24, 40, new Initializer(1), 'linear');
    linear.weight.assign(tf.tensor2d(fromPointceptLayout(layers.get('linear.weight')!, 'linear', 'linear.weight'), [24, 40]));
    linear.bias!.assign(tf.tensor1d(floats('linear.bias')));
    const output = tf.tidy(() => linear.apply(tensor2d('linear.input')).dataSync() as Float32Array);
    expect(relativeError(output, floats('linear.output'))).toBeLessThanOrEqual(1e-5);
    linear.dispose();
  });

  it('LayerNorm: weight and bias as gamma and beta, eps 1e-5 as torch\'s default', () => {
    const norm = new LayerNorm('norm', 40);
    norm.gamma.assign(tf.tensor1d(floats('layer_norm.weight')));
    norm.beta.assign(tf.tensor1d(floats('layer_norm.bias')));
    const output = tf.tidy(() => norm.apply(tensor2d('layer_norm.input')).dataSync() as Float32Array);
    expect(relativeError(output, floats('layer_norm.output'))).toBeLessThanOrEqual(1e-5);
    norm.dispose();
  });

  it('BatchNorm (inference): running statistics and eps 1e-3 as Pointcept\'s BatchNorm1d', () => {
    const norm = new BatchNorm('norm', 40, 1e-3, 0.01);
    norm.gamma.assign(tf.tensor1d(floats('batch_norm.weight')));
    norm.beta.assign(tf.tensor1d(floats('batch_norm.bias')));
    norm.runningMean.assign(tf.tensor1d(floats('batch_norm.running_mean')));
    norm.runningVariance.assign(tf.tensor1d(floats('batch_norm.running_var')));
    const output = tf.tidy(() => norm.apply(tensor2d('batch_norm.input')).dataSync() as Float32Array);
    expect(relativeError(output, floats('batch_norm.output'))).toBeLessThanOrEqual(1e-5);
    norm.dispose();
  });

  /** An int64 `[n, 3]` voxel grid of the reference file as grid coordinates. */
  const gridOf = (name: string) => {
    const grid = layers.get(name)!;
    const view = new DataView(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength);
    return Int32Array.from({ length: grid.data.byteLength / 8 }, (_, index) => Number(view.getBigInt64(index * 8, true)));
  };

  it.each([3, 5])('submanifold convolution (%i³): spconv [out, k, k, k, in] kernels in our offset order', (kernelSize) => {
    const gridCoordinates = gridOf(`conv${kernelSize}.grid`);
    const level = PointLevel.serialize(gridCoordinates, Float32Array.from(gridCoordinates), 1, ['z']);
    const convolution = new SubmanifoldConvolution('conv', 8, 12, kernelSize, new Initializer(2), 'conv');
    convolution.weight.assign(tf.tensor2d(fromPointceptLayout(layers.get(`conv${kernelSize}.weight`)!, 'sparse-convolution', 'weight'), [kernelSize ** 3 * 8, 12]));
    convolution.bias!.assign(tf.tensor1d(floats(`conv${kernelSize}.bias`)));
    const output = tf.tidy(() => convolution.apply(tensor2d(`conv${kernelSize}.input`), level).dataSync() as Float32Array);
    expect(relativeError(output, floats(`conv${kernelSize}.output`))).toBeLessThanOrEqual(1e-5);
    convolution.dispose();
  });

  it('serialized attention: qkv split as Pointcept\'s (3, heads, channels per head), one patch over every point', () => {
    const pointCount = 40;
    const gridCoordinates = Int32Array.from({ length: pointCount * 3 }, (_, index) => (index % 3 === 0 ? Math.floor(index / 3) : 0));
    const level = PointLevel.serialize(gridCoordinates, Float32Array.from(gridCoordinates), 1, ['z']);
    const attention = new SerializedAttention('attn', 32, 4, 64, 0, new Initializer(3), 'attn');
    attention.qkv.weight.assign(tf.tensor2d(fromPointceptLayout(layers.get('attention.qkv.weight')!, 'linear', 'qkv'), [32, 96]));
    attention.qkv.bias!.assign(tf.tensor1d(floats('attention.qkv.bias')));
    attention.proj.weight.assign(tf.tensor2d(fromPointceptLayout(layers.get('attention.proj.weight')!, 'linear', 'proj'), [32, 32]));
    attention.proj.bias!.assign(tf.tensor1d(floats('attention.proj.bias')));
    const output = tf.tidy(() => attention.apply(tensor2d('attention.input'), level).dataSync() as Float32Array);
    expect(relativeError(output, floats('attention.output'))).toBeLessThanOrEqual(1e-5);
    attention.dispose();
  });

  it('a whole PT-v3m1 block (xCPE, attention, MLP) loaded through the key map gives torch\'s output', () => {
    const level = PointLevel.serialize(gridOf('block.grid'), Float32Array.from(gridOf('block.grid')), 1, ['z']);
    const block = new TransformerBlock('block', { channels: 16, headCount: 2, patchSize: 64, orderIndex: 0, mlpRatio: 4, dropPathRate: 0 }, new Initializer(4), 'block');
    for (const [path, variable] of block.namedVariables()) {
      const mapping = pointceptKeyOf(`block.${path}`, variable.shape);
      variable.assign(tf.tensor(fromPointceptLayout(layers.get(mapping.theirs)!, mapping.layout, mapping.theirs), variable.shape));
    }
    const output = tf.tidy(() => block.apply(tensor2d('block.input'), level).dataSync() as Float32Array);
    expect(relativeError(output, floats('block.output'))).toBeLessThanOrEqual(1e-5);
    block.dispose();
  });

  it('export → PyTorch (strict load into the PT-v3m1 skeleton, state_dict written back) → export is byte-identical', () => {
    const config = { ...NUMERIC_CHECK_CONFIG, seed: 11 } as PointTransformerV3Config;
    const source = createPointTransformerV3(config);
    const target = createPointTransformerV3({ ...config, seed: 12 });
    try {
      const exported = serializeSafetensors(exportPointceptStateDict(source), { format: 'pt' });
      const configPath = join(scratch, 'tiny.json');
      writeFileSync(configPath, JSON.stringify(skeletonConfig(source.config)));
      const fromTorch = join(scratch, 'from-torch.safetensors');
      writeFileSync(join(scratch, 'ours.safetensors'), exported);
      runPython('roundtrip', configPath, join(scratch, 'ours.safetensors'), fromTorch);
      const torchBytes = new Uint8Array(readFileSync(fromTorch));
      // torch's state_dict has our keys in our order: the file it writes is ours.
      expect(torchBytes).toEqual(exported);
      const unused = importPointceptStateDict(target, parseSafetensors(torchBytes, fromTorch).tensors);
      expect(unused).toEqual([]);
      expect(serializeSafetensors(exportPointceptStateDict(target), { format: 'pt' })).toEqual(exported);
    } finally {
      source.dispose();
      target.dispose();
    }
  });

  it('the base skeleton counts 46,167,572 parameters: our 46,166,272 plus seg_head Linear(64, 20)', () => {
    const configPath = join(scratch, 'base.json');
    writeFileSync(configPath, JSON.stringify({ ...skeletonConfig(BASE_CONFIG), classCount: 20 }));
    const counts = JSON.parse(runPython('count', configPath)) as { parameters: number; backbone: number; segHead: number; stateDictTensors: number; backboneTensors: number };
    const base = createPointTransformerV3({ ...BASE_CONFIG, seed: 1 });
    try {
      expect(counts.parameters).toBe(46_167_572);
      expect(counts.backbone).toBe(base.countParams());
      expect(counts.segHead).toBe(1_300);
      expect(counts.stateDictTensors).toBe(488);
      expect(counts.backboneTensors).toBe(exportPointceptStateDict(base).size);
    } finally {
      base.dispose();
    }
  });
});
