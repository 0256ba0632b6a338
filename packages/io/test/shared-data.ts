import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Directory of the shared real data (`<repo>/../shared/data`), overridable by `POINTCLICK_SHARED_DATA`. */
export const SHARED_DATA_DIRECTORY =
  process.env.POINTCLICK_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));

/** Whether the shared data is present; tests that need it skip visibly when it is not. */
export const SHARED_DATA_AVAILABLE = existsSync(`${SHARED_DATA_DIRECTORY}/fixtures`);

if (!SHARED_DATA_AVAILABLE) {
  console.warn(`@pointclick/io tests: shared data not found at ${SHARED_DATA_DIRECTORY}; fixture tests are skipped (set POINTCLICK_SHARED_DATA).`);
}
