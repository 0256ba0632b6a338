import { expect } from 'vitest';
import type { ReadProgress } from '../src/core/byte-stream-reader.js';
import { readPointCloudStream } from '../src/read-point-cloud-stream.js';

/** Helpers of the stream tests: chunkings, stream wrappers and a bit-exact cloud comparison. */

/** Cuts `bytes` into chunks of random sizes from 1 to `largest` bytes (copies, as a file stream hands out). */
export function chunkRandomly(bytes: Uint8Array, largest: number, seed: number): Uint8Array[] {
  // A linear congruential generator is plenty for chunk sizes; seeded so every chunking is reproducible.
  let state = seed >>> 0;
  const random = (): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const size = 1 + Math.floor(random() * largest);
    chunks.push(bytes.slice(offset, offset + size));
    offset += size;
  }
  return chunks;
}

export async function* iterate(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

export function toReadableStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index < chunks.length) controller.enqueue(chunks[index++]);
      else controller.close();
    },
  });
}

/** Reads `bytes` streamed in random chunks; returns the cloud and every progress report. */
export async function readStreamed(bytes: Uint8Array, options: { fileName?: string; largest: number; seed: number; readable?: boolean; totalBytes?: number }) {
  const reports: ReadProgress[] = [];
  const chunks = chunkRandomly(bytes, options.largest, options.seed);
  const cloud = await readPointCloudStream(options.readable ? toReadableStream(chunks) : iterate(chunks), {
    fileName: options.fileName,
    totalBytes: options.totalBytes ?? bytes.length,
    onProgress: (progress) => reports.push(progress),
  });
  return { cloud, reports };
}

export function expectMonotoneToEnd(reports: ReadProgress[], totalBytes: number): void {
  expect(reports.length).toBeGreaterThan(0);
  for (let index = 1; index < reports.length; index++) expect(reports[index].bytesRead).toBeGreaterThanOrEqual(reports[index - 1].bytesRead);
  expect(reports.every((report) => report.totalBytes === totalBytes && report.bytesRead <= totalBytes)).toBe(true);
  expect(reports[reports.length - 1].bytesRead).toBe(totalBytes);
}

/**
 * The clouds are equal: the same fields, typed arrays of the same type and bytes (bit-exact, so NaN payloads and
 * -0 count), everything else deeply equal. Much faster than `toEqual` on arrays of millions of values.
 */
export function expectSameCloud(actual: object, expected: object, path = 'cloud'): void {
  expect(Object.keys(actual).sort(), path).toEqual(Object.keys(expected).sort());
  for (const key of Object.keys(expected)) {
    const value = (actual as Record<string, unknown>)[key];
    const reference = (expected as Record<string, unknown>)[key];
    if (ArrayBuffer.isView(reference)) {
      expect(value?.constructor, `${path}.${key}`).toBe(reference.constructor);
      const bytes = Buffer.from(reference.buffer, reference.byteOffset, reference.byteLength);
      const view = value as ArrayBufferView;
      expect(Buffer.from(view.buffer, view.byteOffset, view.byteLength).equals(bytes), `${path}.${key}`).toBe(true);
    } else if (key === 'attributes') {
      expectSameCloud(value as object, reference as object, `${path}.${key}`);
    } else {
      expect(value, `${path}.${key}`).toEqual(reference);
    }
  }
}

export async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}
