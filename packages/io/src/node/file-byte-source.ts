import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { RandomAccessByteSource } from '../core/random-access-source.js';

/** A {@link RandomAccessByteSource} over a file handle, closed (with any stream it made) by `close`. */
export interface FileByteSource extends RandomAccessByteSource {
  /** Closes the file handle and destroys the streams made by `stream()`. */
  close(): Promise<void>;
}

/**
 * Opens `path` for reads at any offset (`FileHandle.read`) and for streamed reads (`createReadStream` in chunks of
 * `chunkBytes`).
 */
export async function openFileByteSource(path: string, chunkBytes: number): Promise<FileByteSource> {
  const handle = await open(path, 'r');
  const streams: ReadStream[] = [];
  try {
    const { size } = await handle.stat();
    return {
      byteLength: size,
      async read(offset, byteCount) {
        const bytes = new Uint8Array(Math.max(0, Math.min(byteCount, size - offset)));
        let filled = 0;
        while (filled < bytes.length) {
          const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return filled === bytes.length ? bytes : bytes.subarray(0, filled);
      },
      stream() {
        const stream = createReadStream(path, { highWaterMark: chunkBytes });
        streams.push(stream);
        return stream;
      },
      async close() {
        for (const stream of streams) stream.destroy();
        await handle.close();
      },
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
