/**
 * Stands in for `node:fs/promises` in the browser bundle. `@pointclick/segmenter` imports it lazily only on
 * Node paths (never taken in a browser, where checkpoints are fetched), so these functions are never called.
 */
function unavailable(name: string): never {
  throw new Error(`node:fs/promises.${name} is not available in the browser`);
}

/** Never called in the browser; throws. */
export async function readFile(): Promise<never> {
  return unavailable('readFile');
}

/** Never called in the browser; throws. */
export async function stat(): Promise<never> {
  return unavailable('stat');
}
