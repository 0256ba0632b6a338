/**
 * The adaptive arithmetic (range) coder of LASzip, encoder side: 32-bit base and length, byte-wise renormalisation
 * with carry propagation, adaptive multi-symbol and bit models with LASzip's update schedule. LASzip's decoders
 * (laz-perf, LASzip, laz-rs) read what this writes only if every product, shift and model update is the same, so the
 * arithmetic here is unsigned 32-bit throughout (`>>> 0`) exactly as LASzip's `ArithmeticEncoder` defines it.
 */

/** Smallest interval length before renormalisation: 2^24. */
const MINIMUM_LENGTH = 0x01000000;
/** Interval length at the start: 2^32 − 1. */
const MAXIMUM_LENGTH = 0xffffffff;
/** Bits of a symbol model's distribution (its total is 2^15). */
const SYMBOL_LENGTH_SHIFT = 15;
/** Counts of a symbol model are halved past this total. */
const SYMBOL_MAXIMUM_COUNT = 1 << SYMBOL_LENGTH_SHIFT;
/** Bits of a bit model's probability of 0 (out of 2^13). */
const BIT_LENGTH_SHIFT = 13;
/** Counts of a bit model are halved past this total. */
const BIT_MAXIMUM_COUNT = 1 << BIT_LENGTH_SHIFT;

/** An adaptive model of `symbolCount` symbols (LASzip's `ArithmeticModel`, compressor side). */
export class ArithmeticSymbolModel {
  /** Cumulative distribution, scaled to 2^15: `distribution[s]` is the start of symbol `s`'s share. */
  readonly distribution: Uint32Array;
  /** Occurrences counted since the last halving (each starts at 1). */
  readonly symbolCounts: Uint32Array;
  /** Largest symbol. */
  readonly lastSymbol: number;
  private totalCount = 0;
  private updateCycle: number;
  /** Symbols left to code before the distribution is recomputed. */
  symbolsUntilUpdate: number;

  constructor(readonly symbolCount: number) {
    if (symbolCount < 2 || symbolCount > 2048) throw new RangeError(`an arithmetic model has 2..2048 symbols, not ${symbolCount}`);
    this.distribution = new Uint32Array(symbolCount);
    this.symbolCounts = new Uint32Array(symbolCount).fill(1);
    this.lastSymbol = symbolCount - 1;
    this.updateCycle = symbolCount;
    this.symbolsUntilUpdate = 0;
    this.update();
    this.updateCycle = (symbolCount + 6) >>> 1;
    this.symbolsUntilUpdate = this.updateCycle;
  }

  /** Recomputes the distribution from the counts (halving them past 2^15) and schedules the next update. */
  update(): void {
    this.totalCount += this.updateCycle;
    if (this.totalCount > SYMBOL_MAXIMUM_COUNT) {
      this.totalCount = 0;
      for (let symbol = 0; symbol < this.symbolCount; symbol++) {
        this.symbolCounts[symbol] = (this.symbolCounts[symbol] + 1) >>> 1;
        this.totalCount += this.symbolCounts[symbol];
      }
    }
    const scale = Math.floor(0x80000000 / this.totalCount);
    let sum = 0;
    for (let symbol = 0; symbol < this.symbolCount; symbol++) {
      // scale × sum ≤ 2^31: exact in a double, then LASzip's 31 − 15 bit shift.
      this.distribution[symbol] = Math.floor((scale * sum) / 0x10000);
      sum += this.symbolCounts[symbol];
    }
    this.updateCycle = (5 * this.updateCycle) >>> 2;
    const maximumCycle = (this.symbolCount + 6) << 3;
    if (this.updateCycle > maximumCycle) this.updateCycle = maximumCycle;
    this.symbolsUntilUpdate = this.updateCycle;
  }
}

/** An adaptive binary model (LASzip's `ArithmeticBitModel`). */
export class ArithmeticBitModel {
  /** Probability of a 0, scaled to 2^13. */
  probabilityOfZero = 1 << (BIT_LENGTH_SHIFT - 1);
  /** Zeros counted. */
  zeroCount = 1;
  private bitCount = 2;
  private updateCycle = 4;
  /** Bits left to code before the probability is recomputed. */
  bitsUntilUpdate = 4;

  /** Recomputes the probability of 0 (halving the counts past 2^13) and schedules the next update. */
  update(): void {
    this.bitCount += this.updateCycle;
    if (this.bitCount > BIT_MAXIMUM_COUNT) {
      this.bitCount = (this.bitCount + 1) >>> 1;
      this.zeroCount = (this.zeroCount + 1) >>> 1;
      if (this.zeroCount === this.bitCount) this.bitCount++;
    }
    const scale = Math.floor(0x80000000 / this.bitCount);
    this.probabilityOfZero = Math.floor((this.zeroCount * scale) / 0x40000);
    this.updateCycle = (5 * this.updateCycle) >>> 2;
    if (this.updateCycle > 64) this.updateCycle = 64;
    this.bitsUntilUpdate = this.updateCycle;
  }
}

/** LASzip's arithmetic encoder writing into a growing byte buffer. */
export class ArithmeticEncoder {
  private bytes = new Uint8Array(1024);
  private length = MAXIMUM_LENGTH;
  private base = 0;
  /** Bytes written so far. */
  private position = 0;

  /** Codes `symbol` (0 … `model.lastSymbol`) with `model` and adapts the model. */
  encodeSymbol(model: ArithmeticSymbolModel, symbol: number): void {
    const initialBase = this.base;
    if (symbol === model.lastSymbol) {
      const start = model.distribution[symbol] * (this.length >>> SYMBOL_LENGTH_SHIFT);
      this.base = (this.base + start) >>> 0;
      this.length -= start;
    } else {
      this.length >>>= SYMBOL_LENGTH_SHIFT;
      const start = model.distribution[symbol] * this.length;
      this.base = (this.base + start) >>> 0;
      this.length = model.distribution[symbol + 1] * this.length - start;
    }
    if (initialBase > this.base) this.propagateCarry();
    if (this.length < MINIMUM_LENGTH) this.renormalise();
    model.symbolCounts[symbol]++;
    if (--model.symbolsUntilUpdate === 0) model.update();
  }

  /** Codes one bit (0 or 1) with `model` and adapts the model. */
  encodeBit(model: ArithmeticBitModel, bit: number): void {
    const split = model.probabilityOfZero * (this.length >>> BIT_LENGTH_SHIFT);
    if (bit === 0) {
      this.length = split;
      model.zeroCount++;
    } else {
      const initialBase = this.base;
      this.base = (this.base + split) >>> 0;
      this.length -= split;
      if (initialBase > this.base) this.propagateCarry();
    }
    if (this.length < MINIMUM_LENGTH) this.renormalise();
    if (--model.bitsUntilUpdate === 0) model.update();
  }

  /** Writes the low `bitCount` bits (0 … 32) of `value` without a model. */
  writeBits(bitCount: number, value: number): void {
    if (bitCount > 19) {
      this.writeShort(value & 0xffff);
      value = Math.floor(value / 0x10000);
      bitCount -= 16;
    }
    this.writeScaled(bitCount, value);
  }

  /** Writes a 16-bit value without a model. */
  writeShort(value: number): void {
    this.writeScaled(16, value);
  }

  /** Writes a 32-bit value (low 16 bits first) without a model. */
  writeInt(value: number): void {
    this.writeShort(value & 0xffff);
    this.writeShort((value >>> 16) & 0xffff);
  }

  /** Ends the code: settles the interval and appends LASzip's closing bytes. Returns the coded bytes. */
  finish(): Uint8Array {
    const initialBase = this.base;
    let anotherByte = true;
    if (this.length > 2 * MINIMUM_LENGTH) {
      this.base = (this.base + MINIMUM_LENGTH) >>> 0;
      this.length = MINIMUM_LENGTH >>> 1;
    } else {
      this.base = (this.base + (MINIMUM_LENGTH >>> 1)) >>> 0;
      this.length = MINIMUM_LENGTH >>> 9;
      anotherByte = false;
    }
    if (initialBase > this.base) this.propagateCarry();
    this.renormalise();
    this.putByte(0);
    this.putByte(0);
    if (anotherByte) this.putByte(0);
    return this.bytes.subarray(0, this.position);
  }

  private writeScaled(bitCount: number, value: number): void {
    const initialBase = this.base;
    this.length = Math.floor(this.length / 2 ** bitCount);
    this.base = (this.base + value * this.length) >>> 0;
    if (initialBase > this.base) this.propagateCarry();
    if (this.length < MINIMUM_LENGTH) this.renormalise();
  }

  /** Adds the carry out of `base` to the bytes already written (a run of 0xff bytes becomes zeros). */
  private propagateCarry(): void {
    let index = this.position - 1;
    while (this.bytes[index] === 0xff) this.bytes[index--] = 0;
    this.bytes[index]++;
  }

  private renormalise(): void {
    do {
      this.putByte(this.base >>> 24);
      this.base = (this.base << 8) >>> 0;
      this.length = (this.length << 8) >>> 0;
    } while (this.length < MINIMUM_LENGTH);
  }

  private putByte(value: number): void {
    if (this.position === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.position++] = value;
  }
}
