import { PointCloudFormatError } from './point-cloud-format-error.js';

/**
 * A file written in pieces, for writing into a stream or a download without one buffer of its whole size. Every
 * input check has run before the value is returned, so iterating `chunks()` does not throw on bad input: a file
 * whose first byte was written is a file that can be finished.
 */
export interface ChunkedFile {
  /** Bytes of the whole file (the sum of the chunks' lengths). */
  byteLength: number;
  /**
   * The file's bytes in order, each chunk a fresh buffer the caller may keep or transfer. Each call starts again
   * from the first byte.
   */
  chunks(): Generator<Uint8Array, void, undefined>;
}

/** Options of the chunked writers (`writeLasChunks`, `writePlyChunks`, `writeSemanticKittiLabelChunks`). */
export interface ChunkedWriteOptions {
  /**
   * Bytes per chunk, in bytes (default 4 MiB). Chunks end on whole point records, so one chunk holds
   * `max(1, floor(chunkBytes / recordBytes))` points; the header is a chunk of its own.
   */
  chunkBytes?: number;
}

/** Default bytes per chunk: 4 MiB. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * `options.chunkBytes`, or {@link DEFAULT_CHUNK_BYTES}.
 *
 * @throws {PointCloudFormatError} (field `chunkBytes`) when `chunkBytes` is not a positive whole number.
 */
export function resolveChunkBytes(format: string, options: ChunkedWriteOptions): number {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
    throw new PointCloudFormatError({ format, field: 'chunkBytes', message: `cannot write: chunkBytes ${chunkBytes} is not a positive whole number of bytes` });
  }
  return chunkBytes;
}

/**
 * Chunks of a file made of a `prefix` (header) and `recordCount` fixed-size records that `writeRecords` fills.
 *
 * @param writeRecords - Writes records `first` (inclusive) to `end` (exclusive) into `target`, starting at byte 0.
 * @throws {PointCloudFormatError} (field `chunkBytes`) when `chunkBytes` is not a positive whole number.
 */
export function chunkRecords(
  format: string,
  prefix: Uint8Array,
  recordCount: number,
  recordBytes: number,
  options: ChunkedWriteOptions,
  writeRecords: (first: number, end: number, target: Uint8Array) => void,
): ChunkedFile {
  const chunkBytes = resolveChunkBytes(format, options);
  const recordsPerChunk = Math.max(1, Math.floor(chunkBytes / Math.max(1, recordBytes)));
  return {
    byteLength: prefix.length + recordCount * recordBytes,
    *chunks() {
      if (prefix.length > 0) yield prefix.slice();
      for (let first = 0; first < recordCount; first += recordsPerChunk) {
        const end = Math.min(recordCount, first + recordsPerChunk);
        const chunk = new Uint8Array((end - first) * recordBytes);
        writeRecords(first, end, chunk);
        yield chunk;
      }
    },
  };
}
