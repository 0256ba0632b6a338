import { resolve } from 'node:path';
import { Queue, type ConnectionOptions } from 'bullmq';
import { readLabellingPlan, type LabellingOptions } from '../commands/run-command.js';
import { jobIdOfScan, type LabelJobData, type LabelJobResult } from './label-job.js';

/** Where the queue lives. */
export interface QueueLocation {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  redis: string;
  /** Queue name (no `:`). */
  queue: string;
}

/** BullMQ's connection options for a Redis URL; `maxRetriesPerRequest: null` as BullMQ wants for workers. */
export function connectionOf(redis: string): ConnectionOptions {
  return { url: redis, maxRetriesPerRequest: null };
}

/** Tries a job gets (the first run and retries with exponential backoff from this many milliseconds). */
const JOB_ATTEMPTS = 3;
const RETRY_DELAY_MILLISECONDS = 5_000;

/** What {@link enqueueScans} did. */
export interface EnqueueReport {
  /** Jobs added now. */
  added: number;
  /** Scans whose job was already in the queue (any state): not added again. */
  alreadyQueued: number;
  /** Scans skipped because the clicks file has no entry for them. */
  withoutClicks: string[];
}

/**
 * `pointclick-label enqueue`: one job per scan with clicks, `jobId` = the scan's path, so a scan already queued (waiting,
 * running, done or failed) is not queued again. Jobs retry up to 3 times with exponential backoff.
 */
export async function enqueueScans(
  location: QueueLocation,
  options: LabellingOptions & { model: string; backend: string },
  scanPaths: readonly string[],
): Promise<EnqueueReport> {
  const plan = await readLabellingPlan(options, scanPaths);
  const queue = new Queue<LabelJobData, LabelJobResult>(location.queue, { connection: connectionOf(location.redis) });
  try {
    let alreadyQueued = 0;
    for (const task of plan.tasks) {
      const jobId = jobIdOfScan(task.scanPath);
      if (await queue.getJob(jobId)) {
        alreadyQueued++;
        continue;
      }
      const data: LabelJobData = { ...task, format: options.format, force: options.force ?? false, model: resolve(options.model), backend: options.backend };
      await queue.add('label', data, { jobId, attempts: JOB_ATTEMPTS, backoff: { type: 'exponential', delay: RETRY_DELAY_MILLISECONDS } });
    }
    return { added: plan.tasks.length - alreadyQueued, alreadyQueued, withoutClicks: plan.scansWithoutClicks };
  } finally {
    await queue.close();
  }
}

/** A queue's job counts and its failed jobs. */
export interface QueueStatus {
  /** Jobs by state. */
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number };
  /** Failed jobs (after their last attempt): scan and reason. */
  failures: { scanPath: string; reason: string; attempts: number }[];
}

/** `pointclick-label status`: job counts by state and the failures. */
export async function readQueueStatus(location: QueueLocation): Promise<QueueStatus> {
  const queue = new Queue<LabelJobData, LabelJobResult>(location.queue, { connection: connectionOf(location.redis) });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    const failed = await queue.getFailed();
    return {
      counts: { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0 },
      failures: failed.map((job) => ({ scanPath: (job.data).scanPath, reason: job.failedReason ?? '', attempts: job.attemptsMade })),
    };
  } finally {
    await queue.close();
  }
}

/** The lines `status` prints. */
export function formatQueueStatus(status: QueueStatus): string[] {
  const { counts } = status;
  const lines = [`waiting ${counts.waiting}, active ${counts.active}, delayed (retrying) ${counts.delayed}, completed ${counts.completed}, failed ${counts.failed}`];
  for (const failure of status.failures) lines.push(`  failed ${failure.scanPath} after ${failure.attempts} attempt(s): ${failure.reason}`);
  return lines;
}
