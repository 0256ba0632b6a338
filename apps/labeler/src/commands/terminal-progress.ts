import cliProgress from 'cli-progress';
import type { LabellingProgress } from './run-command.js';

/**
 * Progress on the terminal: a bar with ETA on stderr when it is a terminal, one line per scan otherwise (logs,
 * CI), so a redirected run still shows which scan failed and why.
 */
export function createTerminalProgress(stream: NodeJS.WriteStream = process.stderr): LabellingProgress {
  if (!stream.isTTY) {
    let done = 0;
    let total = 0;
    return {
      start: (scanCount) => (total = scanCount),
      finishScan: (task, result) => {
        done++;
        const what = 'error' in result
          ? `FAILED: ${result.error instanceof Error ? result.error.message : String(result.error)}`
          : result.outcome.status === 'existing'
            ? 'complete output already there, skipped'
            : `${result.outcome.objectCount} objects, ${result.outcome.pointCount} points, ${(result.outcome.milliseconds / 1000).toFixed(1)} s${result.outcome.replacedIncomplete ? ' (replaced an incomplete output)' : ''}`;
        stream.write(`[${done}/${total}] ${task.scanName}: ${what}\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: 'scan {value}/{total} [{bar}] {scan} | failed {failed} | ETA {eta_formatted}', hideCursor: true, stream, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  let failed = 0;
  return {
    start: (scanCount) => bar.start(scanCount, 0, { scan: '', failed }),
    finishScan: (task, result) => {
      if ('error' in result) failed++;
      bar.increment(1, { scan: task.scanName, failed });
    },
    stop: () => bar.stop(),
  };
}
