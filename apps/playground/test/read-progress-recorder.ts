import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** One state of the page's read-progress bar, as a browser test saw it. */
export interface SeenProgress {
  /** `data-bytes-read` of the bar. */
  bytesRead: number;
  /** `data-total-bytes` of the bar. */
  totalBytes: number;
  /** The line beside the bar (MB/s, time left). */
  text: string;
}

/** Starts recording every state of the read-progress bar `page` shows, from the next one on (call after `goto`). */
export async function recordReadProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { bytesRead: number; totalBytes: number; text: string }[] = [];
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector<HTMLProgressElement>('[data-testid=read-progress]');
      const text = document.querySelector('[data-testid=read-progress-text]')?.textContent ?? '';
      if (bar) seen.push({ bytesRead: Number(bar.dataset.bytesRead), totalBytes: Number(bar.dataset.totalBytes), text });
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

/**
 * Checks what {@link recordReadProgress} saw: at least one state, every one of `totalBytes`, bytes read never going
 * back, and the last at `totalBytes` with a line that starts `Reading <fileName>: … (100 %)`. Returns the states.
 */
export async function expectCompleteReadProgress(page: Page, fileName: string, totalBytes: number): Promise<SeenProgress[]> {
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: { bytesRead: number; totalBytes: number; text: string }[] }).progressSeen);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every((report) => report.totalBytes === totalBytes)).toBe(true);
  for (let index = 1; index < seen.length; index++) expect(seen[index].bytesRead).toBeGreaterThanOrEqual(seen[index - 1].bytesRead);
  expect(seen.at(-1)!.bytesRead).toBe(totalBytes);
  const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expect(seen.at(-1)!.text).toMatch(new RegExp(`^Reading ${escaped}: .* \\(100 %\\)`));
  return seen;
}
