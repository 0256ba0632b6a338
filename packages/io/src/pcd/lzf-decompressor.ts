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
  const output = allocateArray(Uint8Array, outputLength, { format: context.format, fileName: context.fileName, field: 'decompressed data' });
  const inputLength = input.length;
  let inputIndex = 0;
  let outputIndex = 0;
  const fail = (message: string): never => {
    throw new PointCloudFormatError({
      format: context.format,
      fileName: context.fileName,
      byteOffset: context.byteOffset + inputIndex,
      message: `corrupt LZF data: ${message}`,
    });
  };
  while (inputIndex < inputLength) {
    const control = input[inputIndex++];
    if (control < 32) {
      // Literal run of control + 1 bytes.
      const runLength = control + 1;
      if (inputIndex + runLength > inputLength) fail(`literal run of ${runLength} bytes passes the end of the input`);
      if (outputIndex + runLength > outputLength) fail(`output would exceed the declared ${outputLength} bytes`);
      output.set(input.subarray(inputIndex, inputIndex + runLength), outputIndex);
      inputIndex += runLength;
      outputIndex += runLength;
    } else {
      // Back reference: length in the top 3 bits (7 = extended), distance in the low 5 bits plus the next byte.
      let length = control >> 5;
      if (length === 7) {
        if (inputIndex >= inputLength) fail('back reference length byte missing');
        length += input[inputIndex++];
      }
      if (inputIndex >= inputLength) fail('back reference distance byte missing');
      let reference = outputIndex - ((control & 0x1f) << 8) - 1 - input[inputIndex++];
      length += 2;
      if (reference < 0) fail('back reference points before the start of the output');
      if (outputIndex + length > outputLength) fail(`output would exceed the declared ${outputLength} bytes`);
      // Byte by byte: source and destination may overlap (run-length style references).
      for (let copied = 0; copied < length; copied++) output[outputIndex++] = output[reference++]!;
    }
  }
  if (outputIndex !== outputLength) {
    fail(`decompressed to ${outputIndex} bytes, header declares ${outputLength}`);
  }
  return output;
}
