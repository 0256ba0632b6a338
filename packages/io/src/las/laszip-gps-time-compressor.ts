import { ArithmeticSymbolModel, type ArithmeticEncoder } from './laszip-arithmetic-encoder.js';
import { IntegerCompressor } from './laszip-integer-compressor.js';

/** Largest multiple of the last GPS time difference coded as such (LASzip's `LASZIP_GPS_TIME_MULTI`). */
const MULTI = 500;
/** Smallest negative multiple coded as such (`LASZIP_GPS_TIME_MULTI_MINUS`). */
const MULTI_MINUS = -10;
/** Symbol of a new sequence, a time whose difference does not fit 32 bits (`LASZIP_GPS_TIME_MULTI_CODE_FULL`). */
const MULTI_CODE_FULL = MULTI - MULTI_MINUS + 1;
/** Symbols of the multiplier model: the code-full symbol and three to switch to another sequence. */
const MULTI_TOTAL = MULTI - MULTI_MINUS + 5;

/**
 * State of LASzip's GPS-time coder of one scanner channel: up to four interleaved sequences of times (their last
 * time and last difference), the models of the multiplier and the integer compressor of the residuals.
 */
export interface GpsTimeSequences {
  /** Sequence of the last time. */
  last: number;
  /** Sequence slot a new sequence goes into next. */
  next: number;
  /** Last time of each sequence, its 64 bits as a signed integer (times are compared and differenced as integers). */
  times: BigInt64Array;
  /** Last difference of each sequence (int32; 0 = none yet). */
  differences: Int32Array;
  /** Times coded in a row with an extreme multiplier, per sequence; past 3 the difference is taken as the new one. */
  extremeCounts: Int32Array;
  multiplierModel: ArithmeticSymbolModel;
  noDifferenceModel: ArithmeticSymbolModel;
  compressor: IntegerCompressor;
}

/** Fresh GPS-time state whose first sequence starts at the time with bits `high:low`. */
export function createGpsTimeSequences(low: number, high: number): GpsTimeSequences {
  const times = new BigInt64Array(4);
  times[0] = toInt64(low, high);
  return {
    last: 0,
    next: 0,
    times,
    differences: new Int32Array(4),
    extremeCounts: new Int32Array(4),
    multiplierModel: new ArithmeticSymbolModel(MULTI_TOTAL),
    noDifferenceModel: new ArithmeticSymbolModel(5),
    compressor: new IntegerCompressor(32, 9),
  };
}

const toInt64 = (low: number, high: number): bigint => BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0));
const INT32_MINIMUM = -(2n ** 31n);
const INT32_MAXIMUM = 2n ** 31n - 1n;
/** `time − times[index]` as an int32, or undefined when the difference needs more than 32 bits. */
function differenceFrom(time: bigint, times: BigInt64Array, index: number): number | undefined {
  const difference = time - times[index];
  return difference >= INT32_MINIMUM && difference <= INT32_MAXIMUM ? Number(difference) : undefined;
}
/** The high 32 bits of a time, as LASzip's `(I32)(u64 >> 32)`. */
const highWord = (time: bigint): number => Number(BigInt.asIntN(32, time >> 32n));

/** LASzip's `I32_QUANTIZE` of a float32 ratio: rounds half away from zero in float32, then truncates. */
function quantizeRatio(ratio: number): number {
  return Math.trunc(ratio >= 0 ? Math.fround(ratio + 0.5) : Math.fround(ratio - 0.5));
}

/**
 * Codes a changed GPS time (bits `high:low`) into `encoder` (LASzip POINT14 v3 `write_gps_time`): as a multiple of
 * its sequence's last difference plus a residual, a switch to another of four sequences, or a new sequence.
 */
export function compressGpsTime(encoder: ArithmeticEncoder, sequences: GpsTimeSequences, low: number, high: number): void {
  const time = toInt64(low, high);
  for (;;) {
    const { last, times, differences, extremeCounts, compressor } = sequences;
    const difference = differenceFrom(time, times, last);
    if (differences[last] === 0) {
      if (difference !== undefined) {
        encoder.encodeSymbol(sequences.noDifferenceModel, 0);
        compressor.compress(encoder, 0, difference, 0);
        differences[last] = difference;
        extremeCounts[last] = 0;
        times[last] = time;
        return;
      }
      const other = findSequence(time, sequences);
      if (other > 0) {
        encoder.encodeSymbol(sequences.noDifferenceModel, other + 1);
        sequences.last = (last + other) & 3;
        continue;
      }
      encoder.encodeSymbol(sequences.noDifferenceModel, 1);
      startSequence(encoder, sequences, time);
      return;
    }
    if (difference === undefined) {
      const other = findSequence(time, sequences);
      if (other > 0) {
        encoder.encodeSymbol(sequences.multiplierModel, MULTI_CODE_FULL + other);
        sequences.last = (last + other) & 3;
        continue;
      }
      encoder.encodeSymbol(sequences.multiplierModel, MULTI_CODE_FULL);
      startSequence(encoder, sequences, time);
      return;
    }
    const lastDifference = differences[last];
    const multiplier = quantizeRatio(Math.fround(Math.fround(difference) / Math.fround(lastDifference)));
    if (multiplier === 1) {
      codeResidual(encoder, sequences, 1, lastDifference, difference, 1, false);
      extremeCounts[last] = 0;
    } else if (multiplier > 0) {
      if (multiplier < MULTI) codeResidual(encoder, sequences, multiplier, Math.imul(multiplier, lastDifference), difference, multiplier < 10 ? 2 : 3, false);
      else codeResidual(encoder, sequences, MULTI, Math.imul(MULTI, lastDifference), difference, 4, true);
    } else if (multiplier < 0) {
      if (multiplier > MULTI_MINUS) codeResidual(encoder, sequences, MULTI - multiplier, Math.imul(multiplier, lastDifference), difference, 5, false);
      else codeResidual(encoder, sequences, MULTI - MULTI_MINUS, Math.imul(MULTI_MINUS, lastDifference), difference, 6, true);
    } else codeResidual(encoder, sequences, 0, 0, difference, 7, true);
    times[last] = time;
    return;
  }
}

/**
 * Codes the multiplier `symbol` and the residual of `difference` against `predicted`; an `extreme` multiplier counts
 * towards taking this difference as the sequence's new one (after more than 3 in a row).
 */
function codeResidual(encoder: ArithmeticEncoder, sequences: GpsTimeSequences, symbol: number, predicted: number, difference: number, context: number, extreme: boolean): void {
  encoder.encodeSymbol(sequences.multiplierModel, symbol);
  sequences.compressor.compress(encoder, predicted, difference, context);
  if (extreme && ++sequences.extremeCounts[sequences.last] > 3) {
    sequences.differences[sequences.last] = difference;
    sequences.extremeCounts[sequences.last] = 0;
  }
}

/** The first other sequence (1–3 after the last) whose time differs from `time` by an int32, or 0 for none. */
function findSequence(time: bigint, sequences: GpsTimeSequences): number {
  for (let step = 1; step < 4; step++) {
    if (differenceFrom(time, sequences.times, (sequences.last + step) & 3) !== undefined) return step;
  }
  return 0;
}

/** Opens a new sequence at `time`: its high word against the last time's, its low word raw. */
function startSequence(encoder: ArithmeticEncoder, sequences: GpsTimeSequences, time: bigint): void {
  sequences.compressor.compress(encoder, highWord(sequences.times[sequences.last]), highWord(time), 8);
  encoder.writeInt(Number(BigInt.asUintN(32, time)));
  sequences.next = (sequences.next + 1) & 3;
  sequences.last = sequences.next;
  sequences.differences[sequences.last] = 0;
  sequences.extremeCounts[sequences.last] = 0;
  sequences.times[sequences.last] = time;
}
