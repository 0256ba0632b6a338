import { MetricsInputError } from './metrics-error.js';

/** One evaluation step of an AGILE3D results log: `<index> <scene> <object_id> <num_clicks> <iou>`. */
export interface Agile3dLogEntry {
  /** Sample counter written by AGILE3D (scene index in multi-object logs, object index in single-object logs). */
  index: number;
  /** Scene name as written (AGILE3D strips a leading `scene`). */
  scene: string;
  /**
   * Third column, kept as text: the object id in single-object logs, the number of target objects in
   * multi-object logs. Together with `scene` it is the key NoC groups by.
   */
  objectId: string;
  /** Clicks so far: an integer in single-object logs, clicks per object (fractional) in multi-object logs. */
  clickCount: number;
  /** IoU after those clicks, fraction in 0..1 (the object's, or the scene's mean over its targets). */
  iou: number;
}

/** Options of {@link parseAgile3dLog}. */
export interface ParseAgile3dLogOptions {
  /** Name used in error messages. */
  fileName?: string;
}

/**
 * Reads AGILE3D's per-click results log (`results/our_*.csv`, or what {@link formatAgile3dLine} writes):
 * one step per line, five fields separated by single spaces or other whitespace. Blank lines are skipped;
 * a first line whose first field is not a number is taken as a header and skipped.
 *
 * @param text - File contents.
 * @throws {@link MetricsInputError} naming the file, the 1-based line and the field for any malformed line.
 */
export function parseAgile3dLog(text: string, options: ParseAgile3dLogOptions = {}): Agile3dLogEntry[] {
  const source = options.fileName ?? 'AGILE3D log';
  const entries: Agile3dLogEntry[] = [];
  const lines = text.split(/\r?\n/);
  let seenContent = false;
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex].trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    const location = `line ${lineIndex + 1}`;
    if (!seenContent) {
      seenContent = true;
      if (!isNumber(fields[0])) continue;
    }
    if (fields.length !== 5) {
      throw new MetricsInputError(source, location, '5 fields: <index> <scene> <object_id> <num_clicks> <iou>', `${fields.length} fields in '${line}'`);
    }
    const [indexText, scene, objectId, clickText, iouText] = fields;
    const index = Number(indexText);
    if (!Number.isInteger(index) || index < 0) {
      throw new MetricsInputError(source, `${location}, field 1 (index)`, 'a non-negative integer', `'${indexText}'`);
    }
    const clickCount = Number(clickText);
    if (!isNumber(clickText) || clickCount < 0) {
      throw new MetricsInputError(source, `${location}, field 4 (num_clicks)`, 'a non-negative number', `'${clickText}'`);
    }
    const iou = Number(iouText);
    if (!isNumber(iouText) || iou < 0 || iou > 1) {
      throw new MetricsInputError(source, `${location}, field 5 (iou)`, 'a number in 0..1', `'${iouText}'`);
    }
    entries.push({ index, scene, objectId, clickCount, iou });
  }
  return entries;
}

function isNumber(text: string | undefined): boolean {
  return text !== undefined && text !== '' && Number.isFinite(Number(text));
}

/** Click counts at which IoU@k is reported. */
export const IOU_CLICK_COUNTS = [1, 3, 5, 10, 15] as const;
/** IoU thresholds (percent) at which NoC@q is reported. */
export const NOC_THRESHOLDS = [50, 65, 80, 85, 90] as const;

/** AGILE3D's table: IoU@k in percent and NoC@q in clicks (per object). */
export interface InteractiveSummary {
  /** Mean IoU in percent over the log lines whose click count is exactly k; NaN when there is none. */
  iouAt: Record<(typeof IOU_CLICK_COUNTS)[number], number>;
  /**
   * Mean over keys (scene + object column) of the clicks needed to reach q percent IoU, counting the
   * first line with 20 or more clicks for a key that never reaches it; NaN when no key qualifies.
   */
  nocAt: Record<(typeof NOC_THRESHOLDS)[number], number>;
}

/** Options of {@link summarizeInteractive}. */
export interface SummarizeInteractiveOptions {
  /** Click count at which a key that never reaches the threshold is cut off. Default 20 (AGILE3D). */
  maxClicks?: number;
}

/**
 * AGILE3D's evaluator (`evaluation/evaluator_MO.py` and `evaluator_SO.py`) over parsed log entries, in file
 * order. IoU@k averages `iou` over every entry whose click count equals k. NoC@q walks the entries of
 * each key (scene + object column) in order and takes the click count of the first entry with
 * `iou >= q / 100`, or else of the first entry with at least `maxClicks` clicks; keys with neither are not
 * counted. Their single-object evaluator sums the same quantities class by class, which gives the same
 * means when every object has one class.
 */
export function summarizeInteractive(entries: readonly Agile3dLogEntry[], options: SummarizeInteractiveOptions = {}): InteractiveSummary {
  const maxClicks = options.maxClicks ?? 20;
  const iouSums = new Map<number, { sum: number; count: number }>();
  for (const entry of entries) {
    const bucket = iouSums.get(entry.clickCount) ?? { sum: 0, count: 0 };
    bucket.sum += entry.iou;
    bucket.count++;
    iouSums.set(entry.clickCount, bucket);
  }
  const iouAt = {} as InteractiveSummary['iouAt'];
  for (const clicks of IOU_CLICK_COUNTS) {
    const bucket = iouSums.get(clicks);
    iouAt[clicks] = bucket ? (100 * bucket.sum) / bucket.count : Number.NaN;
  }
  const nocAt = {} as InteractiveSummary['nocAt'];
  for (const threshold of NOC_THRESHOLDS) {
    const fraction = threshold / 100;
    const clicksOfKey = new Map<string, number>();
    for (const entry of entries) {
      const key = `${entry.scene}\u0000${entry.objectId}`;
      if (clicksOfKey.has(key)) continue;
      if (entry.iou >= fraction || entry.clickCount >= maxClicks) clicksOfKey.set(key, entry.clickCount);
    }
    let sum = 0;
    for (const clicks of clicksOfKey.values()) sum += clicks;
    nocAt[threshold] = clicksOfKey.size === 0 ? Number.NaN : sum / clicksOfKey.size;
  }
  return { iouAt, nocAt };
}

/**
 * Formats one log line exactly as AGILE3D writes it: click counts as Python prints a float in multi-object
 * logs (`1.0`, `1.3333333333333333`) or an int in single-object logs, IoU as numpy prints a float32
 * (`0.6161207`), and the scene name without a leading `scene`.
 *
 * @param entry - The step to write; `iou` is a fraction in 0..1.
 * @param clickFormat - `'float'` for multi-object logs, `'integer'` for single-object logs.
 */
export function formatAgile3dLine(entry: Agile3dLogEntry, clickFormat: 'float' | 'integer'): string {
  const scene = entry.scene.replace('scene', '');
  const clicks = clickFormat === 'integer' ? String(Math.round(entry.clickCount)) : formatPythonFloat(entry.clickCount);
  return `${entry.index} ${scene} ${entry.objectId} ${clicks} ${formatFloat32(entry.iou)}`;
}

function formatPythonFloat(value: number): string {
  const text = String(value);
  return Number.isInteger(value) && !text.includes('e') ? `${text}.0` : text;
}

/** Shortest decimal that reads back to the same float32, as numpy prints `np.float32`. */
function formatFloat32(value: number): string {
  const single = Math.fround(value);
  if (Number.isInteger(single)) return `${single}.0`;
  for (let digits = 1; digits <= 9; digits++) {
    const text = single.toPrecision(digits);
    if (Math.fround(Number(text)) === single) return String(Number(text));
  }
  return String(single);
}
