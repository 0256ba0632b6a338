import { ArithmeticBitModel, ArithmeticSymbolModel, type ArithmeticEncoder } from './laszip-arithmetic-encoder.js';

/**
 * LASzip's integer compressor: codes `real − predicted` (folded into the value range) as the number `k` of bits of
 * the tightest interval holding it, then the position inside that interval — up to 8 bits with an adaptive model per
 * `k`, the low `k − 8` bits of wider corrections raw. `contexts` selects one of several `k` models per call.
 */
export class IntegerCompressor {
  /** Bits `k` of the last correction coded (LASzip's `getK`), used as a context by the next field. */
  k = 0;
  private readonly correctorBits: number;
  private readonly correctorRange: number;
  private readonly correctorMinimum: number;
  private readonly correctorMaximum: number;
  private readonly bitModels: ArithmeticSymbolModel[];
  private readonly correctorZeroModel = new ArithmeticBitModel();
  /** Lazily made models of the corrector within a `k`-bit interval, index `k − 1`. */
  private readonly correctorModels: (ArithmeticSymbolModel | undefined)[];

  /**
   * @param bits - Bits of the values (16 for uint16 fields, 32 for int32).
   * @param contexts - Number of contexts (`k` models).
   * @param highBits - Bits of the interval position coded with a model; the rest are raw (LASzip: 8).
   */
  constructor(
    bits: number,
    contexts = 1,
    private readonly highBits = 8,
  ) {
    if (bits >= 1 && bits < 32) {
      this.correctorBits = bits;
      this.correctorRange = 2 ** bits;
      this.correctorMinimum = -(this.correctorRange / 2);
      this.correctorMaximum = this.correctorMinimum + this.correctorRange - 1;
    } else {
      this.correctorBits = 32;
      this.correctorRange = 0;
      this.correctorMinimum = -0x80000000;
      this.correctorMaximum = 0x7fffffff;
    }
    this.bitModels = Array.from({ length: contexts }, () => new ArithmeticSymbolModel(this.correctorBits + 1));
    this.correctorModels = new Array<ArithmeticSymbolModel | undefined>(this.correctorBits).fill(undefined);
  }

  /** Codes `real` (an int32) given `predicted`, with the `k` model of `context`. */
  compress(encoder: ArithmeticEncoder, predicted: number, real: number, context: number): void {
    // Wraps like LASzip's int32 subtraction, then folds into [minimum, maximum].
    let corrector = (real - predicted) | 0;
    if (corrector < this.correctorMinimum) corrector += this.correctorRange;
    else if (corrector > this.correctorMaximum) corrector -= this.correctorRange;

    // The tightest interval [−(2^k − 1), 2^k] holding the corrector.
    const magnitude = corrector <= 0 ? -corrector : corrector - 1;
    const k = magnitude === 0 ? 0 : 32 - Math.clz32(magnitude);
    this.k = k;
    encoder.encodeSymbol(this.bitModels[context], k);
    if (k === 0) {
      // The corrector is 0 or 1.
      encoder.encodeBit(this.correctorZeroModel, corrector);
      return;
    }
    if (k >= 32) return; // only −2^31, whose interval says it all
    // Into [0, 2^k − 1]: positives lose 1, negatives gain 2^k − 1.
    const position = corrector >= 0 ? corrector - 1 : corrector + 2 ** k - 1;
    const model = (this.correctorModels[k - 1] ??= new ArithmeticSymbolModel(2 ** Math.min(k, this.highBits)));
    if (k <= this.highBits) {
      encoder.encodeSymbol(model, position);
      return;
    }
    const lowBitCount = k - this.highBits;
    encoder.encodeSymbol(model, Math.floor(position / 2 ** lowBitCount));
    encoder.writeBits(lowBitCount, position % 2 ** lowBitCount);
  }
}
