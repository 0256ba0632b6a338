import { ArithmeticEncoder, ArithmeticSymbolModel } from './laszip-arithmetic-encoder.js';

/** Bytes of the RGB14 item: red, green, blue as uint16. */
export const RGB14_BYTES = 6;

/** Models of LASzip's RGB v2 coder (one set per scanner channel in RGB14 v3). */
class ColorModels {
  readonly changedBytes = new ArithmeticSymbolModel(128);
  readonly red = [new ArithmeticSymbolModel(256), new ArithmeticSymbolModel(256)];
  readonly green = [new ArithmeticSymbolModel(256), new ArithmeticSymbolModel(256)];
  readonly blue = [new ArithmeticSymbolModel(256), new ArithmeticSymbolModel(256)];
}

const clampByte = (value: number): number => (value < 0 ? 0 : value > 255 ? 255 : value);

/**
 * LASzip's RGB14 v3 compressor for one chunk: each changed byte of red is coded as a difference to the last colour,
 * green and blue as corrections to that difference (clamped predictions), per low and high byte; a colour whose
 * channels are all equal codes red only. The layer is left out when the colour never changes in the chunk.
 */
export class Rgb14Compressor {
  private readonly encoder = new ArithmeticEncoder();
  private changed = false;
  private readonly models: (ColorModels | undefined)[] = [undefined, undefined, undefined, undefined];
  /** Last colour per channel context, [red, green, blue]. */
  private readonly lastColors: (Uint16Array | undefined)[] = [undefined, undefined, undefined, undefined];
  private lastContext: number;

  /** Takes the chunk's first colour (at `offset`, written raw by the caller) in `context`. */
  constructor(view: DataView, offset: number, context: number) {
    this.models[context] = new ColorModels();
    this.lastColors[context] = Uint16Array.of(view.getUint16(offset, true), view.getUint16(offset + 2, true), view.getUint16(offset + 4, true));
    this.lastContext = context;
  }

  /** Codes the colour at `offset` of a point in scanner-channel `context`. */
  compress(view: DataView, offset: number, context: number): void {
    let last = this.lastColors[this.lastContext]!;
    if (this.lastContext !== context) {
      // As LASzip: a channel seen before keeps predicting from the last colour of the previous channel.
      if (!this.models[context]) {
        this.models[context] = new ColorModels();
        this.lastColors[context] = last.slice();
        last = this.lastColors[context]!;
      }
      this.lastContext = context;
    }
    const red = view.getUint16(offset, true);
    const green = view.getUint16(offset + 2, true);
    const blue = view.getUint16(offset + 4, true);
    if (red !== last[0] || green !== last[1] || blue !== last[2]) this.changed = true;
    const models = this.models[this.lastContext]!;
    // Bits 0–5: which bytes (low, high of red, green, blue) changed; bit 6: green and blue are coded (not all equal).
    const symbol =
      ((red ^ last[0]) & 0x00ff ? 1 : 0) |
      ((red ^ last[0]) & 0xff00 ? 2 : 0) |
      ((green ^ last[1]) & 0x00ff ? 4 : 0) |
      ((green ^ last[1]) & 0xff00 ? 8 : 0) |
      ((blue ^ last[2]) & 0x00ff ? 16 : 0) |
      ((blue ^ last[2]) & 0xff00 ? 32 : 0) |
      (red === green && red === blue ? 0 : 64);
    this.encoder.encodeSymbol(models.changedBytes, symbol);
    // Red's byte differences, in LASzip's order (low, high); then green and blue of the low byte, of the high byte.
    const lowDifference = symbol & 1 ? (red & 0xff) - (last[0] & 0xff) : 0;
    if (symbol & 1) this.encoder.encodeSymbol(models.red[0], lowDifference & 0xff);
    const highDifference = symbol & 2 ? (red >>> 8) - (last[0] >>> 8) : 0;
    if (symbol & 2) this.encoder.encodeSymbol(models.red[1], highDifference & 0xff);
    if (symbol & 64) {
      this.encodeGreenBlue(models, symbol, 0, lowDifference, green & 0xff, last[1] & 0xff, blue & 0xff, last[2] & 0xff);
      this.encodeGreenBlue(models, symbol, 1, highDifference, green >>> 8, last[1] >>> 8, blue >>> 8, last[2] >>> 8);
    }
    last[0] = red;
    last[1] = green;
    last[2] = blue;
  }

  /** Green and blue of one byte (0 low, 1 high): corrections to red's difference, clamped to a byte. */
  private encodeGreenBlue(models: ColorModels, symbol: number, byte: number, redDifference: number, green: number, lastGreen: number, blue: number, lastBlue: number): void {
    if (symbol & (4 << byte)) this.encoder.encodeSymbol(models.green[byte], (green - clampByte(redDifference + lastGreen)) & 0xff);
    if (symbol & (16 << byte)) {
      const difference = Math.trunc((redDifference + green - lastGreen) / 2);
      this.encoder.encodeSymbol(models.blue[byte], (blue - clampByte(difference + lastBlue)) & 0xff);
    }
  }

  /** Ends the layer: its bytes (empty when left out). */
  finish(): Uint8Array {
    return this.changed ? this.encoder.finish() : new Uint8Array(0);
  }
}

/**
 * LASzip's BYTE14 v3 compressor for one chunk: every extra byte is its own layer, coded as the difference to the last
 * value (mod 256) with a model per byte and scanner channel; a byte that never changes in the chunk is left out.
 */
export class Byte14Compressor {
  private readonly encoders: ArithmeticEncoder[];
  private readonly changed: boolean[];
  private readonly models: (ArithmeticSymbolModel[] | undefined)[] = [undefined, undefined, undefined, undefined];
  private readonly lastBytes: (Uint8Array | undefined)[] = [undefined, undefined, undefined, undefined];
  private lastContext: number;

  /** Takes the chunk's first `byteCount` extra bytes (at `offset` of `record`, written raw by the caller). */
  constructor(
    private readonly byteCount: number,
    records: Uint8Array,
    offset: number,
    context: number,
  ) {
    this.encoders = Array.from({ length: byteCount }, () => new ArithmeticEncoder());
    this.changed = new Array<boolean>(byteCount).fill(false);
    this.models[context] = this.createModels();
    this.lastBytes[context] = records.slice(offset, offset + byteCount);
    this.lastContext = context;
  }

  /** Codes the extra bytes at `offset` of `records` of a point in scanner-channel `context`. */
  compress(records: Uint8Array, offset: number, context: number): void {
    let last = this.lastBytes[this.lastContext]!;
    if (this.lastContext !== context) {
      this.lastContext = context;
      if (!this.models[context]) {
        this.models[context] = this.createModels();
        this.lastBytes[context] = last.slice();
        last = this.lastBytes[context]!;
      }
    }
    const models = this.models[context]!;
    for (let byte = 0; byte < this.byteCount; byte++) {
      const difference = (records[offset + byte] - last[byte]) & 0xff;
      this.encoders[byte].encodeSymbol(models[byte], difference);
      if (difference !== 0) {
        this.changed[byte] = true;
        last[byte] = records[offset + byte];
      }
    }
  }

  /** Ends every layer: their bytes (empty for a byte left out). */
  finish(): Uint8Array[] {
    return this.encoders.map((encoder, byte) => (this.changed[byte] ? encoder.finish() : new Uint8Array(0)));
  }

  private createModels(): ArithmeticSymbolModel[] {
    return Array.from({ length: this.byteCount }, () => new ArithmeticSymbolModel(256));
  }
}
