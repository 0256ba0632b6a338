import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  describeSeenScene,
  findSeenScene,
  mergeTrainingProvenance,
  parseCheckpointDocument,
  type SeenSceneReport,
  type TrainingDataRecord,
  type TrainingProvenance,
} from '@pointclick/segmenter';
import type { LabeledScene } from '@pointclick/datasets';
import type { DataSourceConfig } from '../config/training-config.js';
import { resolveCheckpointSource } from './checkpoint-source.js';
import { loadLabeledScenes } from './training-data.js';

/**
 * Raised by `--require-unseen` when a scene read for evaluation or selection was trained on (or cannot be
 * checked: unknown provenance). Names the scene and the training scene that matched.
 */
export class SeenSceneError extends Error {
  override readonly name = 'SeenSceneError';
  /** The scene read (`scene0001_00`). */
  readonly scene: string;
  /** The training scene it matched (`scene0001_01`); undefined when the provenance is unknown. */
  readonly trainingScene: string | undefined;

  constructor(report: SeenSceneReport, checkpoint: string) {
    super(
      report.seen === true
        ? `--require-unseen: scene ${report.scene} (${report.dataset}) was seen in training by ${checkpoint}: training scene ${report.trainingScene} of ${report.trainingDataset}${report.room ? ` (same room ${report.room})` : ''}`
        : `--require-unseen: cannot tell whether scene ${report.scene} (${report.dataset}) was seen in training: ${checkpoint} does not record all of its training data (config.provenance absent or with unknownSources)`,
    );
    this.scene = report.scene;
    this.trainingScene = report.trainingScene;
  }
}

/** The dataset name a data source's scenes are recorded under: the folder's basename, or the generator's name. */
export function datasetNameOf(source: DataSourceConfig): string {
  return source.kind === 'folder' ? basename(resolve(source.directory)) : source.kind;
}

/**
 * Appends `sceneCount` generated indoor rooms (seeds `seed`, `seed + 1`, …) to `scenes`, and their dataset name to
 * `datasets`, the parallel list the seen-scene check reads (`eval --synthetic`, `calibrate --synthetic`).
 */
export async function appendSyntheticScenes(scenes: LabeledScene[], datasets: string[], sceneCount: number, seed: number): Promise<void> {
  const synthetic = { kind: 'synthetic-indoor', sceneCount, seed } as const;
  scenes.push(...(await loadLabeledScenes([synthetic])));
  datasets.push(...Array.from({ length: sceneCount }, () => datasetNameOf(synthetic)));
}

/** The provenance record of one data source whose scenes (after `exclude`) were `sceneIds`. */
export function recordOfSource(source: DataSourceConfig, sceneIds: readonly string[]): TrainingDataRecord {
  if (source.kind === 'folder') return { dataset: datasetNameOf(source), scenes: [...sceneIds].sort() };
  return { dataset: source.kind, seeds: { first: source.seed, last: source.seed + source.sceneCount - 1 } };
}

/**
 * The provenance of the checkpoint behind `initialWeights` (a model or run directory): its record, or, when it
 * has none or is a `.safetensors` file, `{ trainedOn: [], unknownSources: [initialWeights] }`, so a child never
 * reads as trained on less than it was.
 */
export async function readParentProvenance(initialWeights: string): Promise<TrainingProvenance> {
  const unknown = { trainedOn: [], unknownSources: [initialWeights] };
  if (initialWeights.toLowerCase().endsWith('.safetensors')) return unknown;
  const documentPath = join(await resolveCheckpointSource(initialWeights), 'model.json');
  const document = parseCheckpointDocument(await readFile(documentPath, 'utf8'), documentPath);
  return document.config.provenance ?? unknown;
}

/** The provenance of a run: its own records, united with its parent's when it fine-tunes one. */
export function lineageProvenance(records: TrainingDataRecord[], parent: TrainingProvenance | undefined): TrainingProvenance {
  const own = mergeTrainingProvenance({ trainedOn: records });
  return parent ? mergeTrainingProvenance(parent, own) : own;
}

/** One line summing up a provenance: `scannet-votenet 17 scenes, synthetic-indoor seeds 1000–1047`. */
export function summarizeProvenance(provenance: TrainingProvenance | undefined): string {
  if (!provenance) return 'unknown (the checkpoint records no training data)';
  const parts = provenance.trainedOn.map((record) => ('scenes' in record ? `${record.dataset} ${record.scenes.length} scene${record.scenes.length === 1 ? '' : 's'}` : `${record.dataset} seeds ${record.seeds.first}–${record.seeds.last}`));
  const unknown = provenance.unknownSources?.length ? `; plus unknown data of ${provenance.unknownSources.join(', ')}` : '';
  return `${parts.join(', ') || 'nothing recorded'}${unknown}`;
}

/**
 * Compares the scenes a command reads with the checkpoint's training data and logs one line per scene (and one
 * for the provenance). With `requireUnseen`, the first scene that was seen, or cannot be checked, throws a
 * {@link SeenSceneError}; otherwise nothing fails.
 */
export function checkSeenScenes(
  provenance: TrainingProvenance | undefined,
  scenes: ReadonlyArray<{ dataset: string; id: string }>,
  options: { checkpoint: string; requireUnseen?: boolean; log: (line: string) => void },
): SeenSceneReport[] {
  const reports = scenes.map((scene) => findSeenScene(provenance, scene));
  options.log(`training data of ${options.checkpoint}: ${summarizeProvenance(provenance)}`);
  for (const report of reports) options.log(`  ${describeSeenScene(report)}`);
  const offending = reports.find((report) => report.seen !== false);
  if (options.requireUnseen && offending) throw new SeenSceneError(offending, options.checkpoint);
  return reports;
}
