import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { ArithmeticBitModel, ArithmeticSymbolModel } from './laszip-arithmetic-encoder.js';

/** Smallest interval length before renormalisation: 2^24 (as the encoder). */
const MINIMUM_LENGTH = 0x01000000;
const SYMBOL_LENGTH_SHIFT = 15;
const BIT_LENGTH_SHIFT = 13;

/**
 * LASzip's arithmetic decoder, the counterpart of `ArithmeticEncoder`, over a byte array (bytes past its end read as
 * 0, as a decoder reading the last symbols of a table at the end of a file may look ahead). Only what the chunk table
 * needs: symbols, bits and raw bits.
 */
class ArithmeticDecoder {
  private length = 0xffffffff;
  private value: number;
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.value = ((this.nextByte() << 24) | (this.nextByte() << 16) | (this.nextByte() << 8) | this.nextByte()) >>> 0;
  }

  private nextByte(): number {
    return this.position < this.bytes.length ? this.bytes[this.position++] : (this.position++, 0);
  }

  decodeSymbol(model: ArithmeticSymbolModel): number {
    let low = 0;
    let high = this.length;
    let symbol = 0;
    this.length >>>= SYMBOL_LENGTH_SHIFT;
    // Bisection over the cumulative distribution (LASzip's table lookup only speeds this up).
    let end = model.symbolCount;
    for (let middle = end >>> 1; middle !== symbol; middle = (symbol + end) >>> 1) {
      const split = model.distribution[middle] * this.length;
      if (split > this.value) {
        end = middle;
        high = split;
      } else {
        symbol = middle;
        low = split;
      }
    }
    this.value -= low;
    this.length = high - low;
    if (this.length < MINIMUM_LENGTH) this.renormalise();
    model.symbolCounts[symbol]++;
    if (--model.symbolsUntilUpdate === 0) model.update();
    return symbol;
  }

  decodeBit(model: ArithmeticBitModel): number {
    const split = model.probabilityOfZero * (this.length >>> BIT_LENGTH_SHIFT);
    const bit = this.value >= split ? 1 : 0;
    if (bit === 0) {
      this.length = split;
      model.zeroCount++;
    } else {
      this.value -= split;
      this.length -= split;
    }
    if (this.length < MINIMUM_LENGTH) this.renormalise();
    if (--model.bitsUntilUpdate === 0) model.update();
    return bit;
  }

  readBits(bitCount: number): number {
    if (bitCount > 19) {
      const low = this.readScaled(16);
      return this.readScaled(bitCount - 16) * 0x10000 + low;
    }
    return this.readScaled(bitCount);
  }

  private readScaled(bitCount: number): number {
    this.length = Math.floor(this.length / 2 ** bitCount);
    const symbol = Math.floor(this.value / this.length);
    this.value -= this.length * symbol;
    if (this.length < MINIMUM_LENGTH) this.renormalise();
    return symbol;
  }

  private renormalise(): void {
    do {
      this.value = ((this.value << 8) | this.nextByte()) >>> 0;
      this.length = (this.length << 8) >>> 0;
    } while (this.length < MINIMUM_LENGTH);
  }
}

/** LASzip's 32-bit integer decompressor with two contexts (the counterpart of `IntegerCompressor(32, 2)`). */
class IntegerDecompressor {
  private readonly bitModels = [new ArithmeticSymbolModel(33), new ArithmeticSymbolModel(33)];
  private readonly correctorZeroModel = new ArithmeticBitModel();
  private readonly correctorModels: (ArithmeticSymbolModel | undefined)[] = new Array<ArithmeticSymbolModel | undefined>(32).fill(undefined);

  constructor(private readonly decoder: ArithmeticDecoder) {}

  decompress(predicted: number, context: number): number {
    const k = this.decoder.decodeSymbol(this.bitModels[context]);
    let corrector: number;
    if (k === 0) {
      corrector = this.decoder.decodeBit(this.correctorZeroModel);
    } else if (k < 32) {
      const model = (this.correctorModels[k - 1] ??= new ArithmeticSymbolModel(2 ** Math.min(k, 8)));
      let position = this.decoder.decodeSymbol(model);
      if (k > 8) position = position * 2 ** (k - 8) + this.decoder.readBits(k - 8);
      // Out of [0, 2^k − 1]: the upper half were positives (less 1), the lower half negatives (plus 2^k − 1).
      corrector = position >= 2 ** (k - 1) ? position + 1 : position - (2 ** k - 1);
    } else {
      corrector = -0x80000000;
    }
    return (predicted + corrector) | 0;
  }
}

/** Where the chunks of a LAZ file are, from its chunk table. */
export interface LaszipChunkTable {
  /** File offset of every chunk's first byte, then of the byte after the last chunk (length `chunkCount + 1`). */
  chunkStarts: number[];
  /** Points of every chunk, from the table (variable chunks) or the chunk size. */
  chunkPointCounts: number[];
}

/**
 * Reads LASzip's chunk table (version 0, chunk count, then per chunk its point count — variable chunks only — and
 * byte size, arithmetic-coded against the previous chunk's) and checks it against the file: every chunk lies between
 * the first chunk at `firstChunkOffset` and the table, is at least one raw record long, and the counts add up to the
 * header's point count.
 *
 * @param table - The table's bytes from its start (what follows it may be included; it is not read).
 * @param where - Table offset, first chunk offset, chunk size (`undefined` = variable), point count and record length.
 * @throws {PointCloudFormatError} (format `'laz'`) naming the field that does not fit.
 */
export function readLaszipChunkTable(
  table: Uint8Array,
  where: { tableOffset: number; firstChunkOffset: number; chunkSize: number | undefined; pointCount: number; recordLength: number; fileName?: string },
): LaszipChunkTable {
  const { tableOffset, firstChunkOffset, chunkSize, pointCount, recordLength, fileName } = where;
  const fail = (message: string, field: string, byteOffset = tableOffset): never => {
    throw new PointCloudFormatError({ format: 'laz', fileName, byteOffset, field, message });
  };
  if (table.length < 8) fail(`the chunk table's 8-byte head is cut: ${table.length} bytes present`, 'chunkTable');
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const version = view.getUint32(0, true);
  if (version !== 0) fail(`chunk table version ${version}, expected 0`, 'chunkTable');
  const chunkCount = view.getUint32(4, true);
  // Every chunk begins with its first record stored raw.
  if (chunkCount * recordLength > tableOffset - firstChunkOffset) {
    fail(`${chunkCount} chunks claimed, each starting with a raw ${recordLength}-byte record, but only ${tableOffset - firstChunkOffset} compressed bytes are present`, 'chunkCount', tableOffset + 4);
  }
  const chunkStarts = [firstChunkOffset];
  const chunkPointCounts: number[] = [];
  const decompressor = chunkCount > 0 ? new IntegerDecompressor(new ArithmeticDecoder(table.subarray(8))) : undefined;
  let points = 0;
  for (let chunk = 0, previousCount = 0, previousBytes = 0; chunk < chunkCount; chunk++) {
    const count = chunkSize === undefined ? (previousCount = decompressor!.decompress(previousCount, 0)) : Math.min(chunkSize, pointCount - points);
    const bytes = (previousBytes = decompressor!.decompress(previousBytes, 1));
    const start = chunkStarts[chunk];
    if (bytes < recordLength || start + bytes > tableOffset) {
      fail(`chunk ${chunk} of ${bytes} bytes from byte ${start} does not fit between its raw ${recordLength}-byte record and the chunk table at ${tableOffset}`, 'chunk byte count');
    }
    if (count < 1) fail(`chunk ${chunk} holds ${count} points: the header's ${pointCount} points end before the chunk table's ${chunkCount} chunks`, 'pointCount');
    chunkStarts.push(start + bytes);
    chunkPointCounts.push(count);
    points += count;
  }
  if (points !== pointCount) fail(`header claims ${pointCount} points, but the chunk table's ${chunkCount} chunks hold ${points}`, 'pointCount');
  return { chunkStarts, chunkPointCounts };
}
