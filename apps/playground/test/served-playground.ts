import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { buildAndServe, launchChromium } from './playground-fixtures.js';

/** The playground served for one browser test file (see {@link servePlayground}). */
export interface ServedPlayground {
  /**
   * A new 1280 × 800 page in headless Chromium (launched on the first call, closed after the file's tests) at
   * `?scene=none&backend=cpu` plus `query`: no default scene; the page's errors are collected in `errors`.
   */
  openPage(query?: string): Promise<{ page: Page; errors: string[] }>;
}

/**
 * Registers the hooks of a browser test file that opens scans without a model run: `beforeAll` builds the app into
 * `buildFolder` (relative to the app: test files built at the same time each need their own) and serves it,
 * `afterAll` closes the browser and the server.
 */
export function servePlayground(buildFolder: string): ServedPlayground {
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  let baseUrl = '';
  beforeAll(async () => {
    ({ server, baseUrl } = await buildAndServe(buildFolder));
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    async openPage(query = '') {
      browser ??= await launchChromium(false);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${baseUrl}?scene=none&backend=cpu${query}`);
      return { page, errors };
    },
  };
}
