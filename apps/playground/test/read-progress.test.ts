import { describe, expect, it } from 'vitest';
import { summarizeReadProgress } from '../src/app/read-progress.js';

describe('summarizeReadProgress (the progress bar while a scan is read)', () => {
  it('gives the fraction read, MB/s so far and the seconds left at that speed', () => {
    const summary = summarizeReadProgress({ fileName: 'tile.las', bytesRead: 100e6, totalBytes: 400e6, elapsedMilliseconds: 2000 });
    expect(summary.fraction).toBeCloseTo(0.25, 10);
    expect(summary.megabytesPerSecond).toBeCloseTo(50, 10);
    expect(summary.secondsLeft).toBeCloseTo(6, 10);
    expect(summary.text).toBe('Reading tile.las: 95.4 MB of 381.5 MB (25 %), 50.0 MB/s, about 6 s left');
  });

  it('shows no speed or time left before any time has passed, and finishes at 100 %', () => {
    const start = summarizeReadProgress({ fileName: 'a.ply', bytesRead: 0, totalBytes: 1000, elapsedMilliseconds: 0 });
    expect(start.megabytesPerSecond).toBeUndefined();
    expect(start.secondsLeft).toBeUndefined();
    expect(start.text).toBe('Reading a.ply: 0 B of 1000 B (0 %)');
    const end = summarizeReadProgress({ fileName: 'a.ply', bytesRead: 1000, totalBytes: 1000, elapsedMilliseconds: 10 });
    expect(end.fraction).toBe(1);
    expect(end.secondsLeft).toBe(0);
    expect(end.text).toMatch(/\(100 %\), 0\.1 MB\/s, almost done$/);
  });
});
