import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { formatBenchResult, runBench } from '../src/commands/bench-command.js';

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-bench-'));

beforeAll(async () => {
  await initializeBackend({ preferred: 'wasm', strict: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('pointclick-train bench on wasm', () => {
  it('times every phase of tiny steps on 1,500-point crops, reports wasm memory and the matMul ratio, leaks nothing', async () => {
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const result = await runBench({
      preset: 'tiny',
      points: 1500,
      steps: 2,
      warmupSteps: 1,
      cacheDirectory: join(scratch, 'cache'),
      matMulSize: 128,
      log: (line) => lines.push(line),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.backend).toBe('wasm');
    expect(result.steps).toBe(2);
    expect(result.meanPoints).toBeGreaterThan(0);
    expect(result.meanPoints).toBeLessThanOrEqual(1500);
    expect(result.meanVoxels).toBeGreaterThan(0);
    expect(result.meanVoxels).toBeLessThanOrEqual(result.meanPoints);
    const { data, forward, backward, optimizer } = result.phases;
    for (const milliseconds of [data, forward, optimizer]) expect(milliseconds).toBeGreaterThan(0);
    expect(Number.isFinite(backward)).toBe(true);
    const stepMilliseconds = data + forward + backward + optimizer;
    expect(result.stepsPerSecond).toBeCloseTo(1000 / stepMilliseconds, 6);
    expect(result.stepToMatMulRatio).toBeCloseTo(stepMilliseconds / result.matMul.milliseconds, 6);
    expect(result.matMul.gigaflops).toBeCloseTo((2 * 128 ** 3) / (result.matMul.milliseconds * 1e6), 6);
    // The wasm heap holds the model, its moments and a step's activations: more than the tensors alone.
    expect(result.memory.backendBytes).toBeGreaterThan(result.memory.tensorBytes);
    expect(result.memory.tensorBytes).toBeGreaterThan(0);
    // One line per step (warm-up included) after the header.
    expect(lines.filter((line) => /^\s+(warm-up|step) \d+:/.test(line))).toHaveLength(3);
    const printed = formatBenchResult(result).join('\n');
    expect(printed).toMatch(/tiny on wasm: [\d.]+ steps\/s over 2 steps/);
    expect(printed).toMatch(/data [\d.]+, forward [\d.]+, backward -?[\d.]+, optimizer [\d.]+/);
    expect(printed).toMatch(/128×128 float32 matMul .* one step = [\d.]+ matMuls/);
  });
});
