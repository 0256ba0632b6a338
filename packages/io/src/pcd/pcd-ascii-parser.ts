import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { PcdHeader } from './pcd-header.js';
import type { PcdSource } from './pcd-record-decoder.js';

/** Point lines parsed before they are handed on as one run. */
const RUN_LINES = 4096;

/**
 * Parses the point lines of a `DATA ascii` PCD body from text given in pieces of any size (a line may be cut
 * anywhere), and hands the parsed values on in runs of up to {@link RUN_LINES} points. Lines are split at `\n`,
 * trimmed, empty ones skipped; `nan`/`inf` are accepted; lines after the header's point count are ignored.
 */
export class PcdAsciiParser {
  private carry = '';
  private pointIndex = 0;
  private lineNumber: number;
  private runLength = 0;
  private readonly run: Float64Array;
  private readonly columnFieldNames: string[];
  private readonly source: PcdSource;

  /**
   * @param header - The parsed header.
   * @param fileName - File name, for errors.
   * @param onRun - Called with every run of parsed points (`source` holds them as records `0..count − 1`).
   */
  constructor(
    private readonly header: PcdHeader,
    private readonly fileName: string | undefined,
    private readonly onRun: (source: PcdSource, count: number) => void,
  ) {
    const { columnCount } = header;
    this.lineNumber = header.dataLine - 1;
    this.run = new Float64Array(Math.max(1, Math.min(RUN_LINES, header.pointCount)) * columnCount);
    this.columnFieldNames = header.fields.flatMap((field) => Array.from({ length: field.count }, () => field.name));
    const values = this.run;
    const floatBits = new Float32Array(1);
    const integerBits = new Uint32Array(floatBits.buffer);
    this.source = {
      read(field, component) {
        const base = field.columnOffset + component;
        return (index) => values[index * columnCount + base];
      },
      readBits(field, component) {
        const base = field.columnOffset + component;
        if (field.type === 'F') {
          // PCL prints the packed float's value; its float32 bit pattern is the colour.
          return (index) => {
            floatBits[0] = values[index * columnCount + base]!;
            return integerBits[0];
          };
        }
        return (index) => values[index * columnCount + base] >>> 0;
      },
    };
  }

  /**
   * Refuses a point count the body cannot hold before anything is allocated for it: every value takes at least one
   * digit and one separator.
   */
  static checkBodyLength(header: PcdHeader, bodyLength: number, fileName: string | undefined): void {
    const { pointCount, columnCount } = header;
    if (pointCount * columnCount * 2 > bodyLength + 1) {
      throw new PointCloudFormatError({
        format: 'pcd',
        fileName,
        byteOffset: header.dataByteOffset,
        field: 'POINTS',
        message: `ascii data truncated: header declares ${pointCount} points of ${columnCount} values, which need at least ${pointCount * columnCount * 2 - 1} bytes; the body has ${bodyLength}`,
      });
    }
  }

  /** Parses the whole lines of `carry + text`, keeping the cut line at the end for the next piece. */
  push(text: string): void {
    if (this.pointIndex >= this.header.pointCount) return;
    const joined = this.carry + text;
    let lineStart = 0;
    for (let lineEnd = joined.indexOf('\n'); lineEnd !== -1 && this.pointIndex < this.header.pointCount; lineEnd = joined.indexOf('\n', lineStart)) {
      this.parseLine(joined.slice(lineStart, lineEnd));
      lineStart = lineEnd + 1;
    }
    this.carry = this.pointIndex < this.header.pointCount ? joined.slice(lineStart) : '';
    this.flush();
  }

  /**
   * Parses the last line (after the last `\n`) and checks that every point was present.
   * @throws {PointCloudFormatError} when the body holds fewer point lines than the header declares.
   */
  finish(): void {
    if (this.pointIndex < this.header.pointCount) this.parseLine(this.carry);
    this.carry = '';
    this.flush();
    if (this.pointIndex < this.header.pointCount) {
      throw new PointCloudFormatError({
        format: 'pcd',
        fileName: this.fileName,
        line: this.lineNumber,
        field: 'POINTS',
        message: `ascii data truncated: header declares ${this.header.pointCount} points, ${this.pointIndex} lines present`,
      });
    }
  }

  private parseLine(rawLine: string): void {
    this.lineNumber++;
    const line = rawLine.trim();
    if (line.length === 0) return;
    const { columnCount } = this.header;
    const tokens = line.split(/\s+/);
    if (tokens.length !== columnCount) {
      throw new PointCloudFormatError({
        format: 'pcd',
        fileName: this.fileName,
        line: this.lineNumber,
        message: `${tokens.length} values on a point line, expected ${columnCount} (${this.columnFieldNames.join(' ')})`,
      });
    }
    const rowStart = this.runLength * columnCount;
    for (let column = 0; column < columnCount; column++) {
      const token = tokens[column];
      let value = Number(token);
      if (Number.isNaN(value)) value = parseSpecialNumber(token, this.fileName, this.lineNumber, this.columnFieldNames[column]);
      this.run[rowStart + column] = value;
    }
    this.pointIndex++;
    if (++this.runLength * columnCount === this.run.length) this.flush();
  }

  private flush(): void {
    if (this.runLength === 0) return;
    this.onRun(this.source, this.runLength);
    this.runLength = 0;
  }
}

function parseSpecialNumber(token: string, fileName: string | undefined, line: number, field: string): number {
  const lower = token.toLowerCase();
  if (/^[+-]?nan$/.test(lower)) return Number.NaN;
  if (/^[+]?inf(inity)?$/.test(lower)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/.test(lower)) return Number.NEGATIVE_INFINITY;
  throw new PointCloudFormatError({ format: 'pcd', fileName, line, field, message: `'${token}' is not a number` });
}
