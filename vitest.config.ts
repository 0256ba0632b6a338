import { defineConfig } from 'vitest/config';

/**
 * Test tiers, told apart by file name: `*.browser.test.ts` drive headless Chromium, `*.slow.test.ts` pack and
 * install packages or train for long. `pnpm test` runs every tier; `pnpm test:fast` (POINTCLICK_TEST_TIERS=fast)
 * leaves those two out for the edit-test loop and says so.
 */
const fast = process.env.POINTCLICK_TEST_TIERS === 'fast';
const SLOW_TIERS = ['**/*.browser.test.ts', '**/*.slow.test.ts'];
if (fast) {
  console.warn(
    'pnpm test:fast: SKIPPED the browser tier (*.browser.test.ts, headless Chromium) and the slow tier (*.slow.test.ts: pack-and-install, long runs); `pnpm test` runs every tier.',
  );
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', ...(fast ? SLOW_TIERS : [])],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
