import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { collectScenes, readDataset } from '@pointclick/datasets/node';
import { computeCalibration, computeClassAccuracy, estimateCalibrationNoise } from '@pointclick/metrics';
import { formatClassReport, type ClassEvaluationReport } from '../src/training/class-evaluation.js';
import { InteractiveSegmentationModel } from '@pointclick/segmenter';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { createSegmenterConfig } from '../src/config/model-presets.js';
import { runCalibration } from '../src/commands/calibrate-command.js';
import { runEvaluation, RELIABILITY_PLOT_FILE } from '../src/commands/evaluate-command.js';
import { renderReliabilityPlot } from '../src/output/reliability-plot.js';
import {
  classFeatureWidth,
  classHeadVariableNames,
  collectSelectionQueries,
  collectTrainingQueries,
  fineTuneClassHead,
  scoreSelection,
  selectFeatureLevels,
  selectionScore,
} from '../src/training/class-head-fine-tune.js';
import { withClassPooling } from '../src/commands/class-head-command.js';
import { readClassRows, writeClassRows } from '../src/training/class-row-cache.js';
import { writeTinyCheckpoint as writeTinyCheckpointIn } from './trainer-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'pointclick-trainer-classes-'));
const sharedData = process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const votenetDirectory = join(sharedData, 'scannet-votenet');
const hasVotenet = existsSync(join(votenetDirectory, 'scene0004_00_vert.npy')) && existsSync(join(votenetDirectory, 'scene0005_00_vert.npy'));
if (!hasVotenet) console.warn(`trainer class tests SKIPPED: ${votenetDirectory} lacks scene0004_00 / scene0005_00 (set POINTCLICK_SHARED_DATA)`);

const writeTinyCheckpoint = (name: string): Promise<string> => writeTinyCheckpointIn(scratch, name);

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

describe('calibration on generated rooms', () => {
  it('calibrate fits on generated rooms alone (--synthetic), reports their seeds, and rejects --scenes without --data', async () => {
    const checkpoint = await writeTinyCheckpoint('for-synthetic-calibration');
    const lines: string[] = [];
    const result = await runCalibration({ checkpoint, syntheticScenes: 1, syntheticSeed: 900_000, dryRun: true, log: (line) => lines.push(line) });
    expect(result.objectCount).toBeGreaterThan(0);
    expect(result.after.negativeLogLikelihood).toBeLessThanOrEqual(result.before.negativeLogLikelihood);
    expect(lines.some((line) => line.includes('synthetic-indoor-900000'))).toBe(true);
    const noise = lines.map((line) => /would score ECE ([\d.]+) \(5–95 %: ([\d.]+)–([\d.]+)\) on these (\d+) objects/.exec(line)).find(Boolean);
    expect(noise).toBeTruthy();
    const [median, lower, upper] = noise!.slice(1, 4).map(Number);
    expect(lower).toBeLessThanOrEqual(median);
    expect(median).toBeLessThanOrEqual(upper);
    expect(Number(noise![4])).toBe(result.objectCount);
    const segmenter = await loadSegmenter(checkpoint);
    expect(segmenter.model.config.calibration).toBeUndefined();
    segmenter.dispose();
    await expect(runCalibration({ checkpoint, scenes: ['scene0004_00'], syntheticScenes: 1, log: () => {} })).rejects.toThrow(/--scenes needs the dataset directory/);
    await expect(runCalibration({ checkpoint, log: () => {} })).rejects.toThrow(/give selection scenes/);
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

  it('with class pooling: stores pooled features, trains W and φc only (focal loss too), and keeps the masks\' weights', async () => {
    const plain = new InteractiveSegmentationModel(createSegmenterConfig('tiny', 5));
    const finestLevel = plain.decoder.config.levelChannels.length - 1;
    const model = withClassPooling(plain, { levels: [0, finestLevel], geometry: true });
    const [training, selection] = await Promise.all(
      [['scene0005_00'], ['scene0004_00']].map((sceneIds) => collectScenes(readDataset(votenetDirectory, { sceneIds }))),
    );
    model.setTraining(false);
    const settings = { steps: 60, learningRates: [0.01], weightDecay: 0, classBalances: [0.5], focusings: [2], batchSize: 16, minimumObjectPoints: 100, sceneCopies: 1, clickSets: 1, seed: 1, evaluateEvery: 20, log: () => {} };
    const trainingRows = collectTrainingQueries(model, training, settings);
    const selectionRows = collectSelectionQueries(model, selection, 300);
    const width = classFeatureWidth(model);
    expect(width).toBe(plain.decoder.config.levelChannels[0] + plain.decoder.config.levelChannels[finestLevel] + 4);
    expect(trainingRows.features.length).toBe(trainingRows.labels.length * width);
    // Averages of backbone features under a mask: finite, and not all zero (the masks are not empty).
    expect(trainingRows.features.every(Number.isFinite)).toBe(true);
    expect(trainingRows.features.some((value) => value !== 0)).toBe(true);
    // W at zero: the class head scores the stored rows exactly as the model without pooling scores its queries.
    expect(scoreSelection(model, selectionRows)).toEqual(scoreSelection(plain, { ...selectionRows, features: new Float32Array(0) }));
    // The geometry: mean height above the floor, its spread and the horizontal spread in metres, ln(1 + voxels).
    for (let row = 0; row < selectionRows.labels.length; row++) {
      const [height, heightSpread, horizontalSpread, logCount] = selectionRows.features.subarray(row * width + width - 4, (row + 1) * width);
      expect(height).toBeGreaterThanOrEqual(0);
      expect(height).toBeLessThan(5);
      expect(heightSpread).toBeLessThan(3);
      expect(horizontalSpread).toBeLessThan(10);
      expect(logCount).toBeGreaterThanOrEqual(0);
    }
    // One level's columns out of the two collected, and the geometry.
    const collected = { levels: [0, finestLevel], geometry: true };
    const finestOnly = selectFeatureLevels(selectionRows, model.decoder.config.levelChannels, collected, { levels: [finestLevel], geometry: true });
    const finestChannels = plain.decoder.config.levelChannels[finestLevel];
    expect([...finestOnly.features.subarray(0, finestChannels + 4)]).toEqual([...selectionRows.features.subarray(width - finestChannels - 4, width)]);
    expect(() => selectFeatureLevels(selectionRows, model.decoder.config.levelChannels, collected, { levels: [1], geometry: false })).toThrow(/level 1 was not collected/);

    const before = new Map([...model.namedVariables()].map(([name, variable]) => [name, variable.dataSync().slice()]));
    const tensorsBefore = tf.memory().numTensors;
    // Scored on its own training rows (as the test above), so the fitted weights are kept.
    const onTraining = fineTuneClassHead(model, trainingRows, trainingRows, settings);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(onTraining.bestTrial).toMatch(/focal γ 2/);
    const trained = new Set(classHeadVariableNames(model));
    const pooling = `click_decoder.stage_${model.decoder.config.stageCount - 1}.adaptor.class_pooling`;
    expect(trained.has(pooling)).toBe(true);
    expect(trained.size).toBe(5);
    expect([...model.namedVariables().get(pooling)!.dataSync()].some((value) => value !== 0)).toBe(true);
    for (const [name, variable] of model.namedVariables()) {
      if (!trained.has(name)) expect([...variable.dataSync()], name).toEqual([...before.get(name)!]);
    }

    // The row cache gives back what was written, and refuses rows of another collection.
    const cache = join(scratch, 'rows.bin');
    const key = { scenes: ['scene0005_00'], levels: [0, finestLevel], geometry: true };
    expect(await readClassRows(cache, key)).toBeUndefined();
    await writeClassRows(cache, key, { training: trainingRows, selection: selectionRows });
    const read = (await readClassRows(cache, key))!;
    for (const [actual, expected] of [[read.training, trainingRows], [read.selection, selectionRows]] as const) {
      expect([...actual.queries]).toEqual([...expected.queries]);
      expect([...actual.features]).toEqual([...expected.features]);
      expect([...actual.labels]).toEqual([...expected.labels]);
    }
    await expect(readClassRows(cache, { ...key, levels: [finestLevel] })).rejects.toThrow(/rows of another collection/);
    model.dispose();
    plain.dispose();
  });
});

describe('class report', () => {
  it('prints the ECE a calibrated head would score beside the measured ECE', () => {
    const records = [
      { scene: 'a', objectId: 1, clicksPerObject: 1, trueClass: 1, probabilities: [0.1, 0.7, 0.2] },
      { scene: 'a', objectId: 2, clicksPerObject: 1, trueClass: 2, probabilities: [0.1, 0.7, 0.2] },
      { scene: 'a', objectId: 3, clicksPerObject: 1, trueClass: 2, probabilities: [0.3, 0.3, 0.4] },
    ];
    const noise = estimateCalibrationNoise(records);
    const report: ClassEvaluationReport = {
      objectCounts: { a: 3 },
      figuresAt: { 1: { all: computeClassAccuracy(records), nonStructural: computeClassAccuracy(records), calibration: computeCalibration(records), calibrationNoise: noise } },
      perClass: [],
      records,
    };
    const text = formatClassReport(report);
    expect(text).toContain('ECE if calibrated');
    expect(text).toContain(`${noise.median.toFixed(3)} [${noise.lower.toFixed(3)}–${noise.upper.toFixed(3)}]`);
  });
});
