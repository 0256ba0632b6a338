import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { LasHeader } from './las-header.js';
import type { LasPointDecoder } from './las-point-decoder.js';

/** An instance of laz-perf's WebAssembly module. */
export type LazPerfModule = Awaited<ReturnType<typeof import('laz-perf').createLazPerf>>;

/** One laz-perf instance for the process: each instance adds process-wide handlers in Node and its own heap. */
let lazPerf: Promise<LazPerfModule> | undefined;

/** Process-wide handlers Emscripten's Node build installs on every instance; a library must not leave them. */
const EMSCRIPTEN_PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/** Drops the process's laz-perf instance (a decoder aborted and may have left it broken): the next read makes a new one. */
export function dropLazPerf(): void {
  lazPerf = undefined;
}

/** The process's laz-perf instance, imported and made on first use. */
export function loadLazPerf(): Promise<LazPerfModule> {
  if (lazPerf) return lazPerf;
  type Listener = (...values: unknown[]) => void;
  const nodeProcess = (globalThis as { process?: { listeners(event: string): Listener[]; off(event: string, listener: Listener): unknown } }).process;
  const before = EMSCRIPTEN_PROCESS_EVENTS.map((event) => new Set(nodeProcess?.listeners?.(event) ?? []));
  const removeAdded = () =>
    EMSCRIPTEN_PROCESS_EVENTS.forEach((event, index) => {
      for (const listener of nodeProcess?.listeners?.(event) ?? []) if (!before[index].has(listener)) nodeProcess!.off(event, listener);
    });
  // The handlers are added when the module is evaluated and when an instance is made: remove them after both.
  lazPerf = import('laz-perf')
    .then(({ createLazPerf }) => createLazPerf())
    .finally(removeAdded);
  return lazPerf;
}

/** Records laz-perf decompresses into its heap at a time, before they are copied or decoded out. */
const LAZ_RECORDS_PER_RUN = 4096;

/** How a laz-perf pass names its failures. */
interface LazPassMessages {
  /** Field named by every error of the pass. */
  field?: string;
  /** Start of the message when laz-perf cannot load. */
  loadFailure: string;
  /** Start of the message when the decoder fails. */
  decodeFailure: string;
}

/**
 * Runs laz-perf's `LASZip` over the whole file, {@link LAZ_RECORDS_PER_RUN} records at a time inside its heap, and
 * hands every run to `onRun` (`heap` is laz-perf's heap; the run's records start at `pointer`). laz-perf is imported on
 * first use; the compressed file is copied into its heap once (its decoder reads from there).
 */
async function runLazPerf(
  bytes: Uint8Array,
  header: LasHeader,
  fileName: string | undefined,
  messages: LazPassMessages,
  onRun: (heap: Uint8Array, pointer: number, firstRecord: number, count: number) => void,
): Promise<void> {
  const fail = (message: string, cause?: unknown): never => {
    throw new PointCloudFormatError({ format: 'laz', fileName, byteOffset: header.pointDataOffset, field: messages.field, message, cause });
  };
  let module: LazPerfModule;
  try {
    module = await loadLazPerf();
  } catch (error) {
    lazPerf = undefined;
    return fail(`${messages.loadFailure}: laz-perf did not load (${error instanceof Error ? error.message : String(error)})`, error);
  }
  const { pointRecordLength, pointCount } = header;
  const runLength = Math.max(1, Math.min(LAZ_RECORDS_PER_RUN, pointCount));
  const filePointer = module._malloc(bytes.length);
  const runPointer = module._malloc(runLength * pointRecordLength);
  const reader = new module.LASZip();
  try {
    module.HEAPU8.set(bytes, filePointer);
    reader.open(filePointer, bytes.length);
    if (reader.getPointLength() !== pointRecordLength || reader.getCount() !== pointCount) {
      fail(`laz-perf reads ${reader.getCount()} records of ${reader.getPointLength()} bytes, the header declares ${pointCount} of ${pointRecordLength}`);
    }
    for (let done = 0; done < pointCount; ) {
      const count = Math.min(runLength, pointCount - done);
      for (let record = 0; record < count; record++) reader.getPoint(runPointer + record * pointRecordLength);
      // The heap does not grow while decoding (every allocation is made above), so it is read as it is now.
      onRun(module.HEAPU8, runPointer, done, count);
      done += count;
    }
  } catch (error) {
    if (error instanceof PointCloudFormatError) throw error;
    // A decoder that aborted may be left broken: the next read starts a fresh instance.
    lazPerf = undefined;
    // Emscripten throws bare numbers and strings; the cause is always an Error.
    return fail(`${messages.decodeFailure}: ${error instanceof Error ? error.message : String(error)}`, error instanceof Error ? error : new Error(String(error)));
  } finally {
    try {
      reader.delete();
      module._free(runPointer);
      module._free(filePointer);
    } catch {
      // The instance aborted and was dropped above; its memory goes with it.
    }
  }
}

/**
 * Decompresses the point records of a LAZ file into raw, uncompressed records (`pointCount × pointRecordLength`
 * bytes, extra bytes included) with laz-perf. Used only where laz-rs (through loaders.gl) decodes the standard fields
 * and drops the rest: the extra-bytes fields of LAS 1.4 / formats 4–10 LAZ.
 *
 * @throws {PointCloudFormatError} (format `'laz'`) when laz-perf cannot load or the decoder disagrees with the header.
 */
export async function decompressLazRecords(bytes: Uint8Array, header: LasHeader, fileName?: string): Promise<Uint8Array> {
  const recordLength = header.pointRecordLength;
  const records = new Uint8Array(header.pointCount * recordLength);
  await runLazPerf(
    bytes,
    header,
    fileName,
    { field: 'extraBytes', loadFailure: 'cannot read the extra-bytes fields', decodeFailure: 'laz-perf failed while decompressing the extra-bytes fields' },
    (heap, pointer, firstRecord, count) => records.set(heap.subarray(pointer, pointer + count * recordLength), firstRecord * recordLength),
  );
  return records;
}

/**
 * Decompresses the points of a LAZ file with laz-perf's `LASZip` point by point, in runs inside laz-perf's heap, each
 * run decoded straight into the cloud's arrays by `decoder`: no full-size intermediate array.
 *
 * @throws {PointCloudFormatError} (format `'laz'`) when laz-perf cannot load, disagrees with the header or fails.
 */
export async function decompressLazPoints(bytes: Uint8Array, header: LasHeader, decoder: LasPointDecoder, fileName?: string): Promise<void> {
  await runLazPerf(bytes, header, fileName, { loadFailure: 'LAZ decompression failed', decodeFailure: 'LAZ decompression (laz-perf) failed' }, (heap, pointer, _first, count) =>
    decoder.decode(new DataView(heap.buffer, pointer, count * header.pointRecordLength), 0, count),
  );
}
