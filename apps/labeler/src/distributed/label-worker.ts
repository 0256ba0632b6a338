import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { connectionOf, type QueueLocation } from './label-queue.js';
import type { LabelJobData, LabelJobResult } from './label-job.js';

/** Options of {@link startLabelWorker}. */
export interface LabelWorkerOptions extends QueueLocation {
  /** Jobs run at once, each in its own sandboxed child process. */
  concurrency: number;
  /**
   * How long a job's lock lasts without renewal, in milliseconds (BullMQ renews it every half of this while the job
   * runs). A worker that dies holds its jobs this long before another worker takes them over.
   */
  lockDuration: number;
  /** How often this worker looks for stalled jobs (locks that expired), in milliseconds. */
  stalledInterval: number;
}

/**
 * `pointclick-label worker`: takes label jobs from the queue and runs each in a sandboxed child process
 * (`dist/label-processor.js`). A job whose worker died is moved back to waiting by BullMQ's stalled-job check once its
 * lock expires and taken over by a live worker; outputs are written through a rename, so a scan labelled twice is
 * written whole twice, never torn. Logs one line per job event.
 */
export function startLabelWorker(options: LabelWorkerOptions, log: (line: string) => void): Worker<LabelJobData, LabelJobResult> {
  // Beside this file in dist/ (tsup builds the processor as its own entry).
  const processor = fileURLToPath(new URL('./label-processor.js', import.meta.url));
  const worker = new Worker<LabelJobData, LabelJobResult>(options.queue, processor, {
    connection: connectionOf(options.redis),
    concurrency: options.concurrency,
    lockDuration: options.lockDuration,
    stalledInterval: options.stalledInterval,
    useWorkerThreads: false,
  });
  worker.on('active', (job) => log(`started ${job.data.scanPath}`));
  worker.on('completed', (job, result) => log(`${result.status === 'existing' ? 'already complete' : 'labelled'} ${job.data.scanPath} → ${result.outputPath}`));
  worker.on('failed', (job, error) => log(`failed ${job?.data.scanPath ?? '(unknown job)'} (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`));
  worker.on('error', (error) => log(`worker error: ${error.message}`));
  return worker;
}
