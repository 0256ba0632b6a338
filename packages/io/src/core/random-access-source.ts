import type { PointCloudByteStream } from './byte-stream-reader.js';

/**
 * A file that can be read at any offset: a browser `Blob`/`File` (through `slice`) or a Node file handle (through
 * `@pointclick/io/node`). Readers that need a part at the end of the file first (LAZ's chunk table) use it to read
 * the header, then the table, then each part in turn, holding only one part at a time.
 */
export interface RandomAccessByteSource {
  /** Size of the whole file in bytes. */
  readonly byteLength: number;
  /** Bytes `offset … offset + byteCount − 1` (fewer only past the end of the file). */
  read(offset: number, byteCount: number): Promise<Uint8Array>;
  /** The whole file as a stream of chunks, for formats read front to back. */
  stream(): PointCloudByteStream;
}

/** A {@link RandomAccessByteSource} over a `Blob` (a browser `File`, or Node's `fs.openAsBlob`). */
export function createBlobByteSource(blob: Blob): RandomAccessByteSource {
  return {
    byteLength: blob.size,
    async read(offset, byteCount) {
      return new Uint8Array(await blob.slice(offset, offset + byteCount).arrayBuffer());
    },
    stream: () => blob.stream(),
  };
}
