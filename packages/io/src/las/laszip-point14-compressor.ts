import { ArithmeticEncoder, ArithmeticSymbolModel } from './laszip-arithmetic-encoder.js';
import { IntegerCompressor } from './laszip-integer-compressor.js';
import { compressGpsTime, createGpsTimeSequences, type GpsTimeSequences } from './laszip-gps-time-compressor.js';

/** Bytes of the POINT14 item: the first 30 bytes of a LAS 1.4 format 6–10 record. */
export const POINT14_BYTES = 30;

/**
 * Return-map context of LASzip's POINT14 v3 (`number_return_map_6ctx[n][r]`): the 16 × 16 combinations of number of
 * returns `n` and return number `r` in 6 classes (single, first, last, intermediate … of short and long pulses).
 */
const RETURN_MAP_6 = [
  [0, 1, 2, 3, 4, 5, 3, 4, 4, 5, 5, 5, 5, 5, 5, 5],
  [1, 0, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
  [2, 1, 2, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3],
  [3, 3, 4, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
  [4, 3, 4, 4, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
  [5, 3, 4, 4, 4, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
  [3, 3, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4],
  [4, 3, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 4, 4, 4],
  [4, 3, 4, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 4, 4],
  [5, 3, 4, 4, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 4],
  [5, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4],
  [5, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 4, 4, 4],
  [5, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 4, 4],
  [5, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 4],
  [5, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5],
  [5, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5],
].flat();

/** Penetration level `|n − r|`, capped at 7 (LASzip's `number_return_level_8ctx`). */
const returnLevel = (returnCount: number, returnNumber: number): number => Math.min(7, Math.abs(returnCount - returnNumber));

/** Median of the last five values added (LASzip's `StreamingMedian5`), the predictor of x and y differences. */
class StreamingMedian5 {
  private readonly values = new Int32Array(5);
  private high = true;

  get median(): number {
    return this.values[2];
  }

  add(value: number): void {
    const values = this.values;
    if (this.high) {
      if (value < values[2]) {
        values[4] = values[3];
        values[3] = values[2];
        if (value < values[0]) {
          values[2] = values[1];
          values[1] = values[0];
          values[0] = value;
        } else if (value < values[1]) {
          values[2] = values[1];
          values[1] = value;
        } else values[2] = value;
      } else {
        if (value < values[3]) {
          values[4] = values[3];
          values[3] = value;
        } else values[4] = value;
        this.high = false;
      }
    } else if (values[2] < value) {
      values[0] = values[1];
      values[1] = values[2];
      if (values[4] < value) {
        values[2] = values[3];
        values[3] = values[4];
        values[4] = value;
      } else if (values[3] < value) {
        values[2] = values[3];
        values[3] = value;
      } else values[2] = value;
    } else {
      if (values[1] < value) {
        values[0] = values[1];
        values[1] = value;
      } else values[0] = value;
      this.high = true;
    }
  }
}

/** The fields of a POINT14 item that its coder predicts from (one per scanner channel). */
interface Point14Fields {
  x: number;
  y: number;
  z: number;
  intensity: number;
  /** Return number (low 4 bits) and number of returns (high 4 bits). */
  returns: number;
  /** Classification flags, scanner channel, scan direction and edge of flight line. */
  flags: number;
  classification: number;
  userData: number;
  scanAngle: number;
  pointSource: number;
  /** The GPS time's 64 bits as two uint32 halves (compared bit for bit, so −0 and NaNs survive). */
  gpsLow: number;
  gpsHigh: number;
  /** Whether this point's GPS time differed from the one before it (a context of the next point). */
  gpsTimeChanged: boolean;
}

function readPoint14(view: DataView, offset: number, target: Point14Fields): void {
  target.x = view.getInt32(offset, true);
  target.y = view.getInt32(offset + 4, true);
  target.z = view.getInt32(offset + 8, true);
  target.intensity = view.getUint16(offset + 12, true);
  target.returns = view.getUint8(offset + 14);
  target.flags = view.getUint8(offset + 15);
  target.classification = view.getUint8(offset + 16);
  target.userData = view.getUint8(offset + 17);
  target.scanAngle = view.getUint16(offset + 18, true);
  target.pointSource = view.getUint16(offset + 20, true);
  target.gpsLow = view.getUint32(offset + 22, true);
  target.gpsHigh = view.getUint32(offset + 26, true);
  target.gpsTimeChanged = false;
}

function copyPoint14(source: Point14Fields, target: Point14Fields): void {
  target.x = source.x;
  target.y = source.y;
  target.z = source.z;
  target.intensity = source.intensity;
  target.returns = source.returns;
  target.flags = source.flags;
  target.classification = source.classification;
  target.userData = source.userData;
  target.scanAngle = source.scanAngle;
  target.pointSource = source.pointSource;
  target.gpsLow = source.gpsLow;
  target.gpsHigh = source.gpsHigh;
  target.gpsTimeChanged = source.gpsTimeChanged;
}

const emptyPoint14 = (): Point14Fields => ({
  x: 0, y: 0, z: 0, intensity: 0, returns: 0, flags: 0, classification: 0, userData: 0, scanAngle: 0, pointSource: 0, gpsLow: 0, gpsHigh: 0, gpsTimeChanged: false,
});

/** Models, integer compressors and predictors of one scanner channel (LASzip's `LAScontextPOINT14`). */
class Point14Context {
  readonly changedValues = Array.from({ length: 8 }, () => new ArithmeticSymbolModel(128));
  readonly scannerChannel = new ArithmeticSymbolModel(3);
  readonly returnCount = new Array<ArithmeticSymbolModel | undefined>(16);
  readonly returnNumber = new Array<ArithmeticSymbolModel | undefined>(16);
  readonly returnNumberGpsSame = new ArithmeticSymbolModel(13);
  readonly classification = new Array<ArithmeticSymbolModel | undefined>(64);
  readonly classificationFlags = new Array<ArithmeticSymbolModel | undefined>(64);
  readonly userData = new Array<ArithmeticSymbolModel | undefined>(64);
  readonly xCompressor = new IntegerCompressor(32, 2);
  readonly yCompressor = new IntegerCompressor(32, 22);
  readonly zCompressor = new IntegerCompressor(32, 20);
  readonly intensityCompressor = new IntegerCompressor(16, 4);
  readonly scanAngleCompressor = new IntegerCompressor(16, 2);
  readonly pointSourceCompressor = new IntegerCompressor(16);
  readonly xDifferenceMedians = Array.from({ length: 12 }, () => new StreamingMedian5());
  readonly yDifferenceMedians = Array.from({ length: 12 }, () => new StreamingMedian5());
  readonly lastIntensities: Uint16Array;
  readonly lastZ: Int32Array;
  readonly gps: GpsTimeSequences;

  constructor(last: Point14Fields) {
    this.lastIntensities = new Uint16Array(8).fill(last.intensity);
    this.lastZ = new Int32Array(8).fill(last.z);
    this.gps = createGpsTimeSequences(last.gpsLow, last.gpsHigh);
  }
}

/** Model `index` of `models`, made on first use (a fresh model codes the same as one made up front). */
function modelAt(models: (ArithmeticSymbolModel | undefined)[], index: number, symbolCount: number): ArithmeticSymbolModel {
  return (models[index] ??= new ArithmeticSymbolModel(symbolCount));
}

/** The nine layers of POINT14 v3, in their order in the chunk. */
const LAYERS = ['channelReturnsXy', 'z', 'classification', 'flags', 'intensity', 'scanAngle', 'userData', 'pointSource', 'gpsTime'] as const;
type Layer = (typeof LAYERS)[number];

/**
 * LASzip's POINT14 v3 compressor for one chunk (layered: every group of fields has its own arithmetic coder, and a
 * layer whose field never changes in the chunk is left out). Contexts are per scanner channel, as in LASzip.
 */
export class Point14Compressor {
  /** Scanner channel of the last point: the context RGB14 and BYTE14 use too. */
  context = 0;
  private readonly encoders = Object.fromEntries(LAYERS.map((layer) => [layer, new ArithmeticEncoder()])) as Record<Layer, ArithmeticEncoder>;
  private readonly changed = Object.fromEntries(LAYERS.map((layer) => [layer, layer === 'channelReturnsXy' || layer === 'z'])) as Record<Layer, boolean>;
  private readonly contexts: (Point14Context | undefined)[] = [undefined, undefined, undefined, undefined];
  private readonly lastPoints = [emptyPoint14(), emptyPoint14(), emptyPoint14(), emptyPoint14()];
  private readonly current = emptyPoint14();

  /** Takes the chunk's first record (written raw by the caller) as the prediction of the second. */
  constructor(view: DataView, offset: number) {
    const first = emptyPoint14();
    readPoint14(view, offset, first);
    this.context = (first.flags >>> 4) & 3;
    this.contexts[this.context] = new Point14Context(first);
    copyPoint14(first, this.lastPoints[this.context]);
  }

  /** Codes the POINT14 item of the record at `offset`. */
  compress(view: DataView, offset: number): void {
    const current = this.current;
    readPoint14(view, offset, current);
    let last = this.lastPoints[this.context];
    // Context of the changed-values model (LASzip's `lpr`): the last point was a first (1) and/or last (2) return,
    // and its GPS time had changed (4).
    const lastReturnContext = ((last.returns & 15) === 1 ? 1 : 0) + ((last.returns & 15) >= last.returns >>> 4 ? 2 : 0) + (last.gpsTimeChanged ? 4 : 0);
    const scannerChannel = (current.flags >>> 4) & 3;
    const channelChanged = scannerChannel !== this.context;
    if (channelChanged && this.contexts[scannerChannel]) last = this.lastPoints[scannerChannel];

    const pointSourceChanged = last.pointSource !== current.pointSource;
    const gpsTimeChanged = last.gpsLow !== current.gpsLow || last.gpsHigh !== current.gpsHigh;
    const scanAngleChanged = last.scanAngle !== current.scanAngle;
    const lastReturnCount = last.returns >>> 4;
    const lastReturnNumber = last.returns & 15;
    const returnCount = current.returns >>> 4;
    const returnNumber = current.returns & 15;
    let changedValues =
      (Number(channelChanged) << 6) | (Number(pointSourceChanged) << 5) | (Number(gpsTimeChanged) << 4) | (Number(scanAngleChanged) << 3) | (Number(returnCount !== lastReturnCount) << 2);
    if (returnNumber !== lastReturnNumber) {
      if (returnNumber === (lastReturnNumber + 1) % 16) changedValues |= 1;
      else if (returnNumber === (lastReturnNumber + 15) % 16) changedValues |= 2;
      else changedValues |= 3;
    }
    const xy = this.encoders.channelReturnsXy;
    xy.encodeSymbol(this.contexts[this.context]!.changedValues[lastReturnContext], changedValues);

    if (channelChanged) {
      const difference = scannerChannel - this.context;
      xy.encodeSymbol(this.contexts[this.context]!.scannerChannel, difference > 0 ? difference - 1 : difference + 3);
      if (!this.contexts[scannerChannel]) {
        // A channel's first point is predicted from the last point of the channel before it.
        this.contexts[scannerChannel] = new Point14Context(last);
        copyPoint14(last, this.lastPoints[scannerChannel]);
        last = this.lastPoints[scannerChannel];
      }
      this.context = scannerChannel;
    }
    const context = this.contexts[this.context]!;

    if (changedValues & 4) xy.encodeSymbol(modelAt(context.returnCount, lastReturnCount, 16), returnCount);
    if ((changedValues & 3) === 3) {
      if (gpsTimeChanged) xy.encodeSymbol(modelAt(context.returnNumber, lastReturnNumber, 16), returnNumber);
      else {
        const difference = returnNumber - lastReturnNumber;
        xy.encodeSymbol(context.returnNumberGpsSame, difference > 1 ? difference - 2 : difference + 14);
      }
    }

    const returnMap = RETURN_MAP_6[returnCount * 16 + returnNumber];
    const level = returnLevel(returnCount, returnNumber);
    // Single (3) / first (2) / last (1) / intermediate (0) return.
    const pulse = (returnNumber === 1 ? 2 : 0) + (returnNumber >= returnCount ? 1 : 0);
    const single = returnCount === 1 ? 1 : 0;

    const medianIndex = (returnMap << 1) | Number(gpsTimeChanged);
    const xDifference = (current.x - last.x) | 0;
    context.xCompressor.compress(xy, context.xDifferenceMedians[medianIndex].median, xDifference, single);
    context.xDifferenceMedians[medianIndex].add(xDifference);
    const xBits = context.xCompressor.k;
    const yDifference = (current.y - last.y) | 0;
    context.yCompressor.compress(xy, context.yDifferenceMedians[medianIndex].median, yDifference, single + (xBits < 20 ? xBits & ~1 : 20));
    context.yDifferenceMedians[medianIndex].add(yDifference);
    const xyBits = (context.xCompressor.k + context.yCompressor.k) >>> 1;
    context.zCompressor.compress(this.encoders.z, context.lastZ[level], current.z, single + (xyBits < 18 ? xyBits & ~1 : 18));
    context.lastZ[level] = current.z;

    if (current.classification !== last.classification) this.changed.classification = true;
    const classificationContext = ((last.classification & 0x1f) << 1) + (pulse === 3 ? 1 : 0);
    this.encoders.classification.encodeSymbol(modelAt(context.classification, classificationContext, 256), current.classification);

    // Classification flags (4 bits), scan direction and edge of flight line; the channel is the context.
    const lastFlags = (last.flags & 0x0f) | ((last.flags >>> 2) & 0x30);
    const flags = (current.flags & 0x0f) | ((current.flags >>> 2) & 0x30);
    if (flags !== lastFlags) this.changed.flags = true;
    this.encoders.flags.encodeSymbol(modelAt(context.classificationFlags, lastFlags, 64), flags);

    if (current.intensity !== last.intensity) this.changed.intensity = true;
    const intensityIndex = (pulse << 1) | Number(gpsTimeChanged);
    context.intensityCompressor.compress(this.encoders.intensity, context.lastIntensities[intensityIndex], current.intensity, pulse);
    context.lastIntensities[intensityIndex] = current.intensity;

    if (scanAngleChanged) {
      this.changed.scanAngle = true;
      context.scanAngleCompressor.compress(this.encoders.scanAngle, last.scanAngle, current.scanAngle, Number(gpsTimeChanged));
    }

    if (current.userData !== last.userData) this.changed.userData = true;
    this.encoders.userData.encodeSymbol(modelAt(context.userData, last.userData >>> 2, 256), current.userData);

    if (pointSourceChanged) {
      this.changed.pointSource = true;
      context.pointSourceCompressor.compress(this.encoders.pointSource, last.pointSource, current.pointSource, 0);
    }

    copyPoint14(current, last);
    last.gpsTimeChanged = gpsTimeChanged;
    if (gpsTimeChanged) {
      this.changed.gpsTime = true;
      compressGpsTime(this.encoders.gpsTime, context.gps, current.gpsLow, current.gpsHigh);
    }
  }

  /** Ends every layer: their byte sizes (0 for a layer left out), in chunk order, and their bytes. */
  finish(): Uint8Array[] {
    return LAYERS.map((layer) => (this.changed[layer] ? this.encoders[layer].finish() : new Uint8Array(0)));
  }
}
