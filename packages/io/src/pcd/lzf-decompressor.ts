import { allocateArray } from '../core/point-cloud-allocation.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';

/** Where compressed bytes came from, for error messages. */
export interface LzfErrorContext {
  /** Format being read, e.g. `'pcd'`. */
  format: string;
  /** File the bytes came from. */
  fileName?: string;
  /** Byte offset of `input[0]` in the file, so errors point into the file. */
  byteOffset: number;
}

/**
 * Most output bytes one input byte of an LZF stream can produce: a 3-byte back reference copies at most
 * 7 + 255 + 2 = 264 bytes, 88 per input byte (literal runs copy fewer). A claimed size beyond
 * `compressed bytes × 88` cannot be produced and is refused before the output is allocated.
 */
export const LZF_MAXIMUM_EXPANSION = 88;

/**
 * Decompresses an LZF stream (liblzf, as PCL writes `binary_compressed` PCD data) into exactly
 * `outputLength` bytes.
 *
 * Hand-written rather than taken from a library so that every corrupt stream ends in a
 * {@link PointCloudFormatError} naming the byte offset in the file.
 *
 * @param input - Compressed bytes.
 * @param outputLength - Expected decompressed length in bytes.
 * @param context - Format, file name and file offset of `input`, for errors.
 * @returns The decompressed bytes, length `outputLength`.
 */
export function decompressLzf(input: Uint8Array, outputLength: number, context: LzfErrorContext): Uint8Array {
  const decompressor = new LzfDecompressor(outputLength, context);
  decompressor.push(input);
  return decompressor.finish();
}

/**
 * Decompresses an LZF stream given in pieces of any size (a stream's chunks), so the compressed bytes never have to
 * be one array: only a token cut by a piece boundary (at most 34 bytes) is kept between pieces. The output, of the
 * declared length, is allocated up front (LZF back references reach into everything decompressed so far).
 */
export class LzfDecompressor {
  private readonly output: Uint8Array;
  private outputIndex = 0;
  /** Bytes of a token cut by the end of the last piece. */
  private pending: Uint8Array = new Uint8Array(0);
  /** File offset of the next byte to be pushed (or of `pending[0]`). */
  private inputOffset: number;

  /**
   * @param outputLength - Expected decompressed length in bytes.
   * @param context - Format, file name and file offset of the first compressed byte, for errors.
   */
  constructor(
    private readonly outputLength: number,
    private readonly context: LzfErrorContext,
  ) {
    this.output = allocateArray(Uint8Array, outputLength, { format: context.format, fileName: context.fileName, field: 'decompressed data' });
    this.inputOffset = context.byteOffset;
  }

  /** Decompresses the next piece of compressed bytes (`piece` is not kept). */
  push(piece: Uint8Array): void {
    let input = piece;
    if (this.pending.length > 0) {
      input = new Uint8Array(this.pending.length + piece.length);
      input.set(this.pending);
      input.set(piece, this.pending.length);
    }
    const consumed = this.decompress(input, false);
    this.pending = input.slice(consumed);
    this.inputOffset += consumed;
  }

  /**
   * Checks the stream ended on a whole token and filled the declared length; returns the output.
   * @throws {PointCloudFormatError} naming the file offset when it did not.
   */
  finish(): Uint8Array {
    this.decompress(this.pending, true);
    if (this.outputIndex !== this.outputLength) {
      this.fail(this.pending.length, `decompressed to ${this.outputIndex} bytes, header declares ${this.outputLength}`);
    }
    return this.output;
  }

  private fail(inputIndex: number, message: string): never {
    throw new PointCloudFormatError({
      format: this.context.format,
      fileName: this.context.fileName,
      byteOffset: this.inputOffset + inputIndex,
      message: `corrupt LZF data: ${message}`,
    });
  }

  /**
   * Decompresses the whole tokens of `input`; returns the bytes consumed. A token cut by the end of `input` is left
   * for the next piece, or, when `last`, is an error.
   */
  private decompress(input: Uint8Array, last: boolean): number {
    const { output, outputLength } = this;
    const inputLength = input.length;
    let inputIndex = 0;
    let outputIndex = this.outputIndex;
    try {
      while (inputIndex < inputLength) {
        const tokenStart = inputIndex;
        const control = input[inputIndex++];
        if (control < 32) {
          // Literal run of control + 1 bytes.
          const runLength = control + 1;
          if (inputIndex + runLength > inputLength) {
            if (!last) return tokenStart;
            this.fail(inputIndex, `literal run of ${runLength} bytes passes the end of the input`);
          }
          if (outputIndex + runLength > outputLength) this.fail(inputIndex, `output would exceed the declared ${outputLength} bytes`);
          output.set(input.subarray(inputIndex, inputIndex + runLength), outputIndex);
          inputIndex += runLength;
          outputIndex += runLength;
        } else {
          // Back reference: length in the top 3 bits (7 = extended), distance in the low 5 bits plus the next byte.
          let length = control >> 5;
          const tokenBytes = length === 7 ? 3 : 2;
          if (tokenStart + tokenBytes > inputLength && !last) return tokenStart;
          if (length === 7) {
            if (inputIndex >= inputLength) this.fail(inputIndex, 'back reference length byte missing');
            length += input[inputIndex++];
          }
          if (inputIndex >= inputLength) this.fail(inputIndex, 'back reference distance byte missing');
          let reference = outputIndex - ((control & 0x1f) << 8) - 1 - input[inputIndex++];
          length += 2;
          if (reference < 0) this.fail(inputIndex, 'back reference points before the start of the output');
          if (outputIndex + length > outputLength) this.fail(inputIndex, `output would exceed the declared ${outputLength} bytes`);
          // Byte by byte: source and destination may overlap (run-length style references).
          for (let copied = 0; copied < length; copied++) output[outputIndex++] = output[reference++]!;
        }
      }
      return inputIndex;
    } finally {
      this.outputIndex = outputIndex;
    }
  }
}
