import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { collectScenes, readDataset } from '@pointclick/datasets/node';
import { computeCalibration } from '@pointclick/metrics';
import { InteractiveSegmentationModel } from '@pointclick/segmenter';
import { loadSegmenter, saveCheckpoint } from '@pointclick/segmenter/node';
import { createSegmenterConfig } from '../src/config/model-presets.js';
import { runCalibration } from '../src/commands/calibrate-command.js';
import { runEvaluation, RELIABILITY_PLOT_FILE } from '../src/commands/evaluate-command.js';
import { renderReliabilityPlot } from '../src/output/reliability-plot.js';
import { classHeadVariableNames, collectSelectionQueries, collectTrainingQueries, fineTuneClassHead, scoreSelection, selectionScore } from '../src/training/class-head-fine-tune.js';

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-trainer-classes-'));
const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenetDirectory = join(sharedData, 'scannet-votenet');
const hasVotenet = existsSync(join(votenetDirectory, 'scene0004_00_vert.npy')) && existsSync(join(votenetDirectory, 'scene0005_00_vert.npy'));
if (!hasVotenet) console.warn(`trainer class tests SKIPPED: ${votenetDirectory} lacks scene0004_00 / scene0005_00 (set POINTCLICK_SHARED_DATA)`);

/** An untrained tiny checkpoint with the NYU40 class names, written to `name`. */
async function writeTinyCheckpoint(name: string): Promise<string> {
  const model = new InteractiveSegmentationModel(createSegmenterConfig('tiny', 5));
  const directory = join(scratch, name);
  await saveCheckpoint(model, directory);
  model.dispose();
  return directory;
}

beforeAll(async () => {
  await initializeBackend({ preferred: 'cpu', strict: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('reliability plot', () => {
  it('draws one bar per non-empty bin and names the calibration error', () => {
    const calibration = computeCalibration(
      [
        { trueClass: 0, probabilities: [0.9, 0.1] },
        { trueClass: 1, probabilities: [0.9, 0.1] },
        { trueClass: 1, probabilities: [0.4, 0.6] },
      ],
      10,
    );
    const svg = renderReliabilityPlot(calibration, 'test');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain(`ECE ${calibration.expectedCalibrationError.toFixed(3)}`);
    expect(svg.match(/<rect [^>]*fill="#1f77b4"/g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(2);
  });
});

describe.skipIf(!hasVotenet)('class evaluation, calibration and class-head fine-tune on ScanNet rooms', () => {
  it('eval --classes only scores every object of ≥ 300 points at each click count and writes the reliability plot', async () => {
    const checkpoint = await writeTinyCheckpoint('for-classes');
    const jsonPath = join(scratch, 'classes', 'eval.json');
    const lines: string[] = [];
    const result = await runEvaluation({
      checkpoint,
      data: votenetDirectory,
      scenes: ['scene0004_00'],
      targetObjects: 1,
      clickBudget: 1,
      seed: 1,
      classes: 'only',
      classClicks: [1, 2],
      json: jsonPath,
      log: (line) => lines.push(line),
    });
    expect(result.model).toBeUndefined();
    const written = JSON.parse(readFileSync(jsonPath, 'utf8')) as { classes: { objectCounts: Record<string, number>; figuresAt: Record<string, { all: { count: number; accuracyAt: Record<string, number> }; nonStructural: { count: number }; calibration: { expectedCalibrationError: number; bins: unknown[] } }>; records: Array<{ clicksPerObject: number; probabilities: number[] }> } };
    const objectCount = written.classes.objectCounts.scene0004_00;
    expect(objectCount).toBeGreaterThan(5);
    expect(Object.keys(written.classes.figuresAt)).toEqual(['1', '2']);
    for (const figures of Object.values(written.classes.figuresAt)) {
      expect(figures.all.count).toBe(objectCount);
      expect(figures.nonStructural.count).toBeLessThan(objectCount);
      expect(figures.all.accuracyAt['3']).toBeGreaterThanOrEqual(figures.all.accuracyAt['1']);
      expect(figures.calibration.bins).toHaveLength(15);
    }
    expect(written.classes.records).toHaveLength(2 * objectCount);
    for (const record of written.classes.records) expect(record.probabilities.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 4);
    expect(readFileSync(join(scratch, 'classes', RELIABILITY_PLOT_FILE), 'utf8')).toContain('<svg');
    expect(lines.join('\n')).toMatch(/per class at 1 click/);
  });

  it('calibrate writes the temperature that lowers the likelihood into the checkpoint, and the segmenter applies it', async () => {
    const checkpoint = await writeTinyCheckpoint('for-calibration');
    const result = await runCalibration({ checkpoint, data: votenetDirectory, scenes: ['scene0004_00'], log: () => {} });
    expect(result.temperature).toBeGreaterThan(0);
    expect(result.temperature).not.toBe(1);
    expect(result.after.negativeLogLikelihood).toBeLessThan(result.before.negativeLogLikelihood);
    const segmenter = await loadSegmenter(checkpoint);
    expect(segmenter.model.config.calibration).toEqual({ temperature: result.temperature });
    segmenter.dispose();
    await expect(runCalibration({ checkpoint, data: votenetDirectory, scenes: ['scene9999_00'], log: () => {} })).rejects.toThrow(/scene9999_00 not found/);
  });

  it('fine-tuning the head changes only the last stage’s φc and keeps weights at least as good on selection', async () => {
    const model = new InteractiveSegmentationModel(createSegmenterConfig('tiny', 5));
    model.setTraining(false);
    const [training, selection] = await Promise.all(
      [['scene0005_00'], ['scene0004_00']].map((sceneIds) => collectScenes(readDataset(votenetDirectory, { sceneIds }))),
    );
    const settings = { steps: 30, learningRates: [0.003], weightDecay: 0, classBalances: [0.5], batchSize: 16, minimumObjectPoints: 100, sceneCopies: 1, clickSets: 2, seed: 1, evaluateEvery: 10, log: () => {} };
    const trainingQueries = collectTrainingQueries(model, training, settings);
    const selectionQueries = collectSelectionQueries(model, selection, 300);
    expect(trainingQueries.labels.length).toBeGreaterThan(0);
    const before = new Map([...model.namedVariables()].map(([name, variable]) => [name, variable.dataSync().slice()]));
    const tensorsBefore = tf.memory().numTensors;
    const result = fineTuneClassHead(model, trainingQueries, selectionQueries, settings);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(selectionScore(result.best)).toBeGreaterThanOrEqual(selectionScore(result.initial));
    expect(selectionScore(scoreSelection(model, selectionQueries))).toBeCloseTo(selectionScore(result.best), 6);
    const trained = new Set(classHeadVariableNames(model));
    const lastStage = model.decoder.config.stageCount - 1;
    expect(trained.size).toBe(4);
    expect([...trained].every((name) => name.startsWith(`click_decoder.stage_${lastStage}.adaptor.class_embedding.`))).toBe(true);
    for (const [name, variable] of model.namedVariables()) {
      if (!trained.has(name)) expect([...variable.dataSync()], name).toEqual([...before.get(name)!]);
    }
    // Scored on its own training queries, the head fits them, so new weights are kept.
    const onTraining = fineTuneClassHead(model, trainingQueries, trainingQueries, { ...settings, steps: 60, learningRates: [0.01] });
    expect(onTraining.bestTrial).not.toBe('starting weights');
    expect(selectionScore(onTraining.best)).toBeGreaterThan(selectionScore(onTraining.initial));
    model.dispose();
  });
});
