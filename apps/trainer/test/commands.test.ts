import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { InteractiveSegmentationModel } from '@pointclick/segmenter';
import { describePreset, formatPresetInfo } from '../src/commands/info-command.js';
import { resolveTrainCommandConfig } from '../src/commands/train-command.js';
import { createSegmenterConfig } from '../src/config/model-presets.js';
import { ConfigError } from '../src/config/training-config.js';

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-trainer-commands-'));

beforeAll(async () => {
  await initializeBackend({ preferred: 'cpu', strict: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('info command', () => {
  it('measures a preset as the model built from it, and frees it', () => {
    const before = tf.memory().numTensors;
    const info = describePreset('tiny');
    expect(tf.memory().numTensors).toBe(before);
    const model = new InteractiveSegmentationModel(createSegmenterConfig('tiny', 0));
    expect(info.parameters).toBe(model.countParams());
    expect(info.backboneParameters + info.decoderParameters).toBeLessThanOrEqual(info.parameters);
    expect(info.backboneParameters).toBe(model.backbone.countParams());
    model.dispose();
    expect(info.sizeBytes).toBeGreaterThanOrEqual(info.parameters * 4);
    const lines = formatPresetInfo(info);
    expect(lines[0]).toBe(
      `preset tiny: ${info.parameters.toLocaleString('en-US')} parameters (backbone ${info.backboneParameters.toLocaleString('en-US')}, decoder ${info.decoderParameters.toLocaleString('en-US')})`,
    );
    expect(lines[1]).toMatch(/^checkpoint size \d+\.\d\d MB/);
  });

  it('rejects an unknown preset with a ConfigError naming the flag', () => {
    expect(() => describePreset('huge')).toThrow(ConfigError);
    expect(() => describePreset('huge')).toThrow("--preset: expected lite, base or tiny, got 'huge'");
  });
});

describe('train command', () => {
  it('applies the file, then --set overrides, then the dedicated flags', async () => {
    const file = join(scratch, 'config.json');
    writeFileSync(file, JSON.stringify({ preset: 'lite', outputDirectory: join(scratch, 'from-file'), schedule: { steps: 40, warmupSteps: 5 } }));
    const config = await resolveTrainCommandConfig({ config: file, set: ['schedule.steps=50', 'preset="base"'], preset: 'tiny', output: join(scratch, 'flag') });
    expect(config.preset).toBe('tiny');
    expect(config.outputDirectory).toBe(join(scratch, 'flag'));
    expect(config.schedule.steps).toBe(50);
    const withSteps = await resolveTrainCommandConfig({ config: file, set: ['schedule.steps=50'], steps: 7 });
    expect(withSteps.schedule.steps).toBe(7);
    expect(withSteps.preset).toBe('lite');
  });

  it('names the file when its configuration is invalid', async () => {
    const file = join(scratch, 'bad.json');
    writeFileSync(file, JSON.stringify({ preset: 'huge' }));
    await expect(resolveTrainCommandConfig({ config: file, set: [] })).rejects.toThrow(ConfigError);
    await expect(resolveTrainCommandConfig({ config: file, set: [] })).rejects.toThrow(/bad\.json/);
  });
});
