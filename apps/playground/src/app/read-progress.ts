import { formatBytes } from '../scan/error-messages.js';
import { element } from './page-elements.js';

/** A read in progress, as the worker reports it. */
export interface ReadProgressReport {
  /** File being read. */
  fileName: string;
  /** Bytes read so far. */
  bytesRead: number;
  /** Size of the file in bytes. */
  totalBytes: number;
  /** Milliseconds since the read started. */
  elapsedMilliseconds: number;
}

/** What the progress bar shows: the fraction done, the throughput and the time left. */
export interface ReadProgressSummary {
  /** Fraction of the file read, 0..1. */
  fraction: number;
  /** Read speed so far in megabytes (10⁶ bytes) per second; undefined before any time has passed. */
  megabytesPerSecond?: number;
  /** Seconds left at the speed so far; undefined until the speed is known. */
  secondsLeft?: number;
  /** One line for the page: `Reading scan.ply: 120.0 MB of 480.0 MB (25 %), 85.3 MB/s, about 4 s left`. */
  text: string;
}

/** Sums up a progress report for the page. */
export function summarizeReadProgress(report: ReadProgressReport): ReadProgressSummary {
  const { bytesRead, totalBytes, elapsedMilliseconds, fileName } = report;
  const fraction = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 1;
  const seconds = elapsedMilliseconds / 1000;
  const megabytesPerSecond = seconds > 0 && bytesRead > 0 ? bytesRead / 1e6 / seconds : undefined;
  const secondsLeft = megabytesPerSecond !== undefined ? (totalBytes - bytesRead) / 1e6 / megabytesPerSecond : undefined;
  const parts = [`Reading ${fileName}: ${formatBytes(bytesRead)} of ${formatBytes(totalBytes)} (${Math.floor(fraction * 100)} %)`];
  if (megabytesPerSecond !== undefined) parts.push(`${megabytesPerSecond.toFixed(1)} MB/s`);
  if (secondsLeft !== undefined) parts.push(secondsLeft < 1 ? 'almost done' : `about ${Math.ceil(secondsLeft)} s left`);
  return { fraction, megabytesPerSecond, secondsLeft, text: parts.join(', ') };
}

/**
 * Shows the read progress in the busy overlay: a `<progress data-testid="read-progress">` bar and a line with
 * MB/s and the time left (`data-testid="read-progress-text"`). The overlay's next text (or its hiding) replaces it.
 */
export function showReadProgress(report: ReadProgressReport): void {
  const busy = element('busy');
  const summary = summarizeReadProgress(report);
  let bar = busy.querySelector<HTMLProgressElement>('progress[data-testid="read-progress"]');
  let label = busy.querySelector<HTMLElement>('[data-testid="read-progress-text"]');
  if (!bar || !label) {
    busy.innerHTML = '';
    const box = document.createElement('span');
    box.className = 'read-progress';
    bar = document.createElement('progress');
    bar.dataset.testid = 'read-progress';
    bar.max = 1;
    label = document.createElement('span');
    label.dataset.testid = 'read-progress-text';
    box.append(bar, label);
    busy.append(box);
  }
  bar.value = summary.fraction;
  bar.dataset.bytesRead = String(report.bytesRead);
  bar.dataset.totalBytes = String(report.totalBytes);
  label.textContent = summary.text;
  busy.hidden = false;
  document.body.dataset.busy = 'true';
}
