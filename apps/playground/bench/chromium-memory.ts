import { readdirSync, readFileSync } from 'node:fs';

/*
 * Memory of the Chromium processes a benchmark launched (Linux /proc), shared by the browser benchmarks.
 */

/** Peak resident set (VmHWM) in MiB of every process descending from this one, by Chromium process type. */
export function chromiumPeaks(): { renderer: number; all: number } {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while listing.
    }
  }
  const descends = (pid: number): boolean => {
    for (let parent = parents.get(pid); parent !== undefined && parent > 1; parent = parents.get(parent)) if (parent === process.pid) return true;
    return false;
  };
  let renderer = 0;
  let all = 0;
  for (const pid of parents.keys()) {
    if (!descends(pid)) continue;
    try {
      const peak = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      all += peak;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) renderer = Math.max(renderer, peak);
    } catch {
      // The process ended while reading.
    }
  }
  return { renderer, all };
}
