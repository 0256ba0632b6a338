/** Turns anything thrown into one sentence for the page, recognising out-of-memory failures. */
export function describeError(error: unknown): string {
  if (error instanceof RangeError && /allocat|memory|array buffer|invalid array length|invalid typed array length/i.test(error.message)) {
    return `the scan is too large for this browser's memory (${error.message})`;
  }
  if (error instanceof Error) {
    if (/out of memory|allocation failed/i.test(error.message)) return `the scan is too large for this browser's memory (${error.message})`;
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Largest file the page tries to read, in bytes: larger files are refused before reading (2 GiB). */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;

/** Formats a byte count as B / KB / MB / GB. */
export function formatBytes(byteLength: number): string {
  if (byteLength < 1024) return `${byteLength} B`;
  if (byteLength < 1024 ** 2) return `${(byteLength / 1024).toFixed(1)} KB`;
  if (byteLength < 1024 ** 3) return `${(byteLength / 1024 ** 2).toFixed(1)} MB`;
  return `${(byteLength / 1024 ** 3).toFixed(2)} GB`;
}
