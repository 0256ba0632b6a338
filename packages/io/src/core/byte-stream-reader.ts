import { PointCloudFormatError } from './point-cloud-format-error.js';
import { allocateArray } from './point-cloud-allocation.js';

/** How far a read has come; reported by readers through `onProgress`. */
export interface ReadProgress {
  /** Bytes taken from the input so far. Never decreases; equals `totalBytes` on the last report of a complete read. */
  bytesRead: number;
  /** Size of the whole input in bytes, as the caller declared it. */
  totalBytes: number;
}

/**
 * Bytes of a file arriving in chunks: a WHATWG `ReadableStream<Uint8Array>` (a browser `File.stream()`, a
 * `fetch` body) or any async iterable of byte chunks (a Node `fs.createReadStream`). Chunks may be of any size.
 */
export type PointCloudByteStream = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Where a {@link ByteStreamReader} reads from, for its errors. */
export interface StreamContext {
  /** Format being read, for errors; set once the format is known. */
  format: string;
  /** File name, for errors. */
  fileName?: string;
}

const EMPTY = new Uint8Array(0);
const LINE_FEED = 10;

/**
 * Pulls a byte stream chunk by chunk for the streaming readers: buffers only what one header or one record that
 * spans two chunks needs, hands whole chunks of records out in place (no copy), counts the bytes and reports
 * progress after every chunk. A stream that delivers more bytes than declared fails with a
 * {@link PointCloudFormatError}; one that delivers fewer is seen by the reader as a short read, which it turns
 * into its own truncation error.
 */
export class ByteStreamReader {
  /** Bytes the reader has consumed (handed out or skipped). */
  position = 0;
  /** Bytes pulled from the stream. */
  private received = 0;
  private buffer: Uint8Array = EMPTY;
  private bufferOffset = 0;
  private ended = false;
  private readonly next: () => Promise<IteratorResult<Uint8Array>>;
  private readonly release: () => void;

  /**
   * @param stream The bytes.
   * @param totalBytes Declared size of the whole input in bytes.
   * @param context Format and file name, for errors.
   * @param onProgress Called after every chunk with the bytes pulled so far.
   */
  constructor(
    stream: PointCloudByteStream,
    readonly totalBytes: number,
    readonly context: StreamContext,
    private readonly onProgress?: (progress: ReadProgress) => void,
  ) {
    if (!Number.isSafeInteger(totalBytes) || totalBytes < 0) {
      throw new PointCloudFormatError({ ...context, field: 'totalBytes', message: `totalBytes must be a whole number of bytes ≥ 0, got ${String(totalBytes)}` });
    }
    if (typeof (stream as ReadableStream<Uint8Array>).getReader === 'function') {
      const reader = (stream as ReadableStream<Uint8Array>).getReader();
      this.next = () => reader.read() as Promise<IteratorResult<Uint8Array>>;
      this.release = () => void reader.cancel().catch(() => undefined);
    } else {
      const iterator = (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      this.next = () => iterator.next();
      this.release = () => void iterator.return?.()?.catch?.(() => undefined);
    }
  }

  /** Bytes buffered and not yet consumed. */
  private get buffered(): number {
    return this.buffer.length - this.bufferOffset;
  }

  /** Pulls the next non-empty chunk into the buffer (appending to what is left); `false` at the end of the stream. */
  private async pull(keep: boolean): Promise<boolean> {
    while (!this.ended) {
      const result = await this.next();
      if (result.done) {
        this.ended = true;
        return false;
      }
      const chunk = result.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new PointCloudFormatError({ ...this.context, byteOffset: this.received, message: `the stream gave a ${Object.prototype.toString.call(chunk)}, expected Uint8Array chunks` });
      }
      if (chunk.length === 0) continue;
      this.received += chunk.length;
      if (this.received > this.totalBytes) {
        this.cancel();
        throw new PointCloudFormatError({
          ...this.context,
          byteOffset: this.totalBytes,
          field: 'totalBytes',
          message: `the stream holds more than the declared ${this.totalBytes} bytes (${this.received} so far)`,
        });
      }
      if (keep && this.buffered > 0) {
        const joined = new Uint8Array(this.buffered + chunk.length);
        joined.set(this.buffer.subarray(this.bufferOffset));
        joined.set(chunk, this.buffered);
        this.buffer = joined;
      } else {
        this.buffer = chunk;
      }
      this.bufferOffset = 0;
      this.onProgress?.({ bytesRead: this.received, totalBytes: this.totalBytes });
      return true;
    }
    return false;
  }

  /**
   * The next `byteCount` bytes without consuming them (fewer only at the end of the stream). Joins chunks when
   * needed; for headers and single records, not for bulk data.
   */
  async peek(byteCount: number): Promise<Uint8Array> {
    while (this.buffered < byteCount && (await this.pull(true)));
    return this.buffer.subarray(this.bufferOffset, this.bufferOffset + Math.min(byteCount, this.buffered));
  }

  /** Consumes `byteCount` bytes already returned by {@link peek}. */
  consume(byteCount: number): void {
    if (byteCount > this.buffered) throw new RangeError(`consume(${byteCount}) beyond the ${this.buffered} bytes peeked`);
    this.bufferOffset += byteCount;
    this.position += byteCount;
  }

  /**
   * Hands out `recordCount` records of `recordSize` bytes in order, as runs of whole records: in place inside a
   * chunk where they lie in one, joined where a record spans two chunks.
   * @param onRecords Called with the bytes of `count` whole records, the first being record `firstRecord`.
   * @returns Records handed out; fewer than `recordCount` when the stream ended first.
   */
  async readRecords(recordSize: number, recordCount: number, onRecords: (bytes: Uint8Array, firstRecord: number, count: number) => void): Promise<number> {
    let done = 0;
    while (done < recordCount) {
      if (this.buffered < recordSize) {
        if (this.buffered > 0) {
          // One record spans the chunk boundary: join just that record.
          const record = await this.peek(recordSize);
          if (record.length < recordSize) return done;
          onRecords(record, done, 1);
          this.consume(recordSize);
          done++;
          continue;
        }
        if (!(await this.pull(false))) return done;
        continue;
      }
      const count = Math.min(recordCount - done, Math.floor(this.buffered / recordSize));
      onRecords(this.buffer.subarray(this.bufferOffset, this.bufferOffset + count * recordSize), done, count);
      this.consume(count * recordSize);
      done += count;
    }
    return done;
  }

  /** Skips up to `byteCount` bytes; returns the bytes skipped (fewer only at the end of the stream). */
  async skip(byteCount: number): Promise<number> {
    let skipped = 0;
    while (skipped < byteCount) {
      if (this.buffered === 0 && !(await this.pull(false))) break;
      const step = Math.min(byteCount - skipped, this.buffered);
      this.consume(step);
      skipped += step;
    }
    return skipped;
  }

  /**
   * Reads the rest of the stream and calls `inspect` on every remaining run of bytes (each consumed after); returns
   * how many there were. Readers use it to check trailing bytes and to reach the end so progress ends at `totalBytes`.
   */
  async readRest(inspect?: (bytes: Uint8Array, offset: number) => void): Promise<number> {
    let count = 0;
    while (this.buffered > 0 || (await this.pull(false))) {
      inspect?.(this.buffer.subarray(this.bufferOffset), this.position);
      count += this.buffered;
      this.consume(this.buffered);
    }
    return count;
  }

  /**
   * Collects the rest of the stream into one array of `totalBytes − position` bytes, for formats that cannot be
   * decoded record by record. A stream that ends early gives the shorter array (the reader then reports the
   * truncation as it does for a short file).
   */
  async readAll(): Promise<Uint8Array> {
    const bytes = allocateArray(Uint8Array, this.totalBytes - this.position, { ...this.context, field: 'file bytes' });
    const filled = await this.readInto(bytes);
    return filled === bytes.length ? bytes : bytes.subarray(0, filled);
  }

  /**
   * Copies the next `target.length` bytes into `target`, consuming them, chunk by chunk (no joined buffers); returns
   * the bytes copied, fewer only at the end of the stream.
   */
  async readInto(target: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < target.length) {
      if (this.buffered === 0 && !(await this.pull(false))) break;
      const step = Math.min(target.length - filled, this.buffered);
      target.set(this.buffer.subarray(this.bufferOffset, this.bufferOffset + step), filled);
      this.consume(step);
      filled += step;
    }
    return filled;
  }

  /** Stops the stream (after an error), so a file reader does not keep reading. */
  cancel(): void {
    this.ended = true;
    this.release();
  }
}

/**
 * Peeks (without consuming) ever longer starts of the stream, doubling from `initialBytes`, until `parse` accepts its
 * whole lines (a line cut by the prefix would read as a different line) — for text headers of unknown length.
 * @param parse Parses the header from the lines; throws when they are not enough or wrong.
 * @param needsMore Whether an error of `parse` only says the header's end is not in view yet.
 * @param maximumBytes Past this many bytes (or at the end of the stream) `parse`'s error is final.
 */
export async function peekTextHeader<Header>(
  reader: ByteStreamReader,
  parse: (lines: Uint8Array) => Header,
  needsMore: (error: unknown) => boolean,
  initialBytes: number,
  maximumBytes: number,
): Promise<Header> {
  for (let size = initialBytes; ; size *= 2) {
    const prefix = await reader.peek(size);
    const complete = prefix.length < size || size >= maximumBytes;
    const lines = complete ? prefix : prefix.subarray(0, prefix.lastIndexOf(LINE_FEED) + 1);
    try {
      return parse(lines);
    } catch (error) {
      if (complete || !needsMore(error)) throw error;
    }
  }
}

/**
 * Runs a streaming read, cancelling the stream when it fails, and checks it came to the declared end: a stream
 * shorter than `totalBytes` where the format itself did not notice (trailing bytes it ignores) fails here.
 */
export async function runStreamRead<Result>(reader: ByteStreamReader, read: () => Promise<Result>): Promise<Result> {
  try {
    const result = await read();
    await reader.readRest();
    if (reader.position !== reader.totalBytes) {
      throw new PointCloudFormatError({
        ...reader.context,
        byteOffset: reader.position,
        field: 'totalBytes',
        message: `the stream ended after ${reader.position} bytes, ${reader.totalBytes} were declared`,
      });
    }
    return result;
  } catch (error) {
    reader.cancel();
    throw error;
  }
}
