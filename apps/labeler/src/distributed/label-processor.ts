/**
 * The sandboxed BullMQ processor (its own build entry, `dist/label-processor.js`): BullMQ runs it in child processes,
 * so inference never blocks the worker's lock renewals. Each child loads its model and backend once and keeps them
 * for every job it is given.
 */
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { PointCloudFormatError } from '@pointclick/io';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { loadSegmenter } from '@pointclick/segmenter/node';
import { SegmenterInputError, type Segmenter } from '@pointclick/segmenter';
import { outputFormatNamed } from '../labelling/output-formats.js';
import { labelScanFile } from '../labelling/scan-labelling.js';
import type { LabelJobData, LabelJobResult } from './label-job.js';

let loaded: { model: string; backend: string; segmenter: Segmenter } | undefined;

async function segmenterFor(model: string, backend: string): Promise<Segmenter> {
  if (loaded && loaded.model === model && loaded.backend === backend) return loaded.segmenter;
  if (loaded?.backend !== backend) {
    const preferred = backend === 'auto' ? undefined : (backend as 'webgpu' | 'wasm' | 'cpu');
    await initializeBackend({ preferred, strict: preferred !== undefined });
  }
  loaded?.segmenter.model.dispose();
  loaded = { model, backend, segmenter: await loadSegmenter(model) };
  return loaded.segmenter;
}

/**
 * Labels the job's scan; the output is written through a temporary file and a rename (at-least-once safe). A scan
 * that cannot be read or a click that does not fit it fails the job at once (`UnrecoverableError`: retrying gives the
 * same answer); anything else (a file system hiccup, a lost GPU) is retried with backoff.
 */
export default async function processLabelJob(job: SandboxedJob<LabelJobData, LabelJobResult>): Promise<LabelJobResult> {
  const data = job.data;
  const segmenter = await segmenterFor(data.model, data.backend);
  let outcome;
  try {
    outcome = await labelScanFile(segmenter, data, outputFormatNamed(data.format), data.force);
  } catch (error) {
    if (error instanceof PointCloudFormatError || error instanceof SegmenterInputError) throw new UnrecoverableError(error.message);
    throw error;
  }
  return {
    status: outcome.status,
    pointCount: outcome.pointCount,
    objectCount: outcome.status === 'labelled' ? outcome.objectCount : undefined,
    outputPath: data.outputPath,
  };
}
