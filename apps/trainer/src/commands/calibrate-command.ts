import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { collectScenes, readDataset } from '@pointclick/datasets/node';
import { computeCalibration, computeNegativeLogLikelihood, fitTemperature, scaleProbabilities } from '@pointclick/metrics';
import { parseCheckpointDocument } from '@pointclick/segmenter';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { writeFileAtomic } from '@pointclick/io/node';
import { resolveCheckpointSource } from '../training/checkpoint-source.js';
import { evaluateClasses } from '../training/class-evaluation.js';

/** Options of {@link runCalibration}. */
export interface CalibrationOptions {
  /** Checkpoint directory (or its model.json), or a run directory (its latest checkpoint); its model.json is rewritten. */
  checkpoint: string;
  /** Dataset directory of the selection scenes. */
  data: string;
  /** Selection scene ids (never the evaluation scenes). */
  scenes: string[];
  /** Objects with fewer points are not fitted on. Default 300. */
  minimumObjectPoints?: number;
  /** Fit and report, but leave the checkpoint as it is. */
  dryRun?: boolean;
  /** Progress output. */
  log: (line: string) => void;
}

/** What {@link runCalibration} found. */
export interface CalibrationResult {
  /** The fitted temperature (rounded to 4 significant digits, as written). */
  temperature: number;
  /** Objects fitted on. */
  objectCount: number;
  /** Negative log-likelihood and expected calibration error (15 bins) of the shown class at temperature 1 and after. */
  before: { negativeLogLikelihood: number; expectedCalibrationError: number };
  after: { negativeLogLikelihood: number; expectedCalibrationError: number };
  /** The model.json written (absent on a dry run). */
  written?: string;
}

/**
 * Temperature scaling fitted on selection scenes: every object of at least `minimumObjectPoints` points is
 * clicked once near its middle (as `eval`'s class protocol), the class probabilities are recorded at
 * temperature 1, the temperature minimising their negative log-likelihood is found, and it is written
 * into the checkpoint's config as `calibration: { temperature }` (weights untouched).
 */
export async function runCalibration(options: CalibrationOptions): Promise<CalibrationResult> {
  if (options.scenes.length === 0) throw new Error('calibrate: give the selection scenes with --scenes');
  const scenes = await collectScenes(readDataset(resolve(options.data), { sceneIds: options.scenes }));
  const missing = options.scenes.filter((id) => !scenes.some((scene) => scene.id === id));
  if (missing.length > 0) throw new Error(`calibrate: scene(s) ${missing.join(', ')} not found in ${options.data}`);
  const source = await resolveCheckpointSource(options.checkpoint);
  const segmenter = await loadSegmenter(source);
  // Fitted on the raw logits: any temperature already stored is set aside while measuring.
  delete segmenter.model.config.calibration;
  options.log(`fitting the class temperature on ${scenes.map((scene) => scene.id).join(', ')}`);
  const report = await evaluateClasses(segmenter.model, scenes, {
    clickCounts: [1],
    minimumObjectPoints: options.minimumObjectPoints,
    onProgress: (scene, objectCount) => options.log(`  ${scene}: ${objectCount} objects`),
  });
  segmenter.dispose();
  const records = report.records;
  const temperature = Number(fitTemperature(records).toPrecision(4));
  const figures = (value: number) => ({
    negativeLogLikelihood: computeNegativeLogLikelihood(records, value),
    expectedCalibrationError: computeCalibration(records.map((record) => ({ ...record, probabilities: scaleProbabilities(record.probabilities, value) }))).expectedCalibrationError,
  });
  const result: CalibrationResult = { temperature, objectCount: records.length, before: figures(1), after: figures(temperature) };
  options.log(
    `temperature ${temperature} on ${records.length} objects: NLL ${result.before.negativeLogLikelihood.toFixed(3)} → ${result.after.negativeLogLikelihood.toFixed(3)}, ` +
      `ECE ${result.before.expectedCalibrationError.toFixed(3)} → ${result.after.expectedCalibrationError.toFixed(3)}`,
  );
  if (options.dryRun) return result;
  const documentPath = join(source, 'model.json');
  // Checked as a checkpoint, but written back field for field as read, with only the calibration changed.
  const text = await readFile(documentPath, 'utf8');
  parseCheckpointDocument(text, documentPath);
  const document = JSON.parse(text) as { config: Record<string, unknown> };
  document.config.calibration = { temperature };
  await writeFileAtomic(documentPath, `${JSON.stringify(document, null, 1)}\n`);
  options.log(`wrote calibration { temperature: ${temperature} } into ${documentPath}`);
  return { ...result, written: documentPath };
}
