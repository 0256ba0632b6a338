import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { LasHeader } from './las-header.js';
import type { LasPointDecoder } from './las-point-decoder.js';

type LazPerfModule = Awaited<ReturnType<typeof import('laz-perf').createLazPerf>>;

/** One laz-perf instance for the process: each instance adds process-wide handlers in Node and its own heap. */
let lazPerf: Promise<LazPerfModule> | undefined;

/** Process-wide handlers Emscripten's Node build installs on every instance; a library must not leave them. */
const EMSCRIPTEN_PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

function loadLazPerf(): Promise<LazPerfModule> {
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

/**
 * Decompresses the point records of a LAZ file into raw, uncompressed records (`pointCount × pointRecordLength`
 * bytes, extra bytes included) with laz-perf, the LASzip decoder that @loaders.gl/las also bundles but does not expose
 * at this level. Used only for what loaders.gl drops: the extra-bytes fields. laz-perf is imported on first use.
 *
 * @throws {PointCloudFormatError} (format `'laz'`) when laz-perf cannot load or the decoder disagrees with the header.
 */
export async function decompressLazRecords(bytes: Uint8Array, header: LasHeader, fileName?: string): Promise<Uint8Array> {
  const fail = (message: string, cause?: unknown): never => {
    throw new PointCloudFormatError({ format: 'laz', fileName, byteOffset: header.pointDataOffset, field: 'extraBytes', message, cause });
  };
  let module: LazPerfModule;
  try {
    module = await loadLazPerf();
  } catch (error) {
    lazPerf = undefined;
    return fail(`cannot read the extra-bytes fields: laz-perf did not load (${error instanceof Error ? error.message : String(error)})`, error);
  }
  const filePointer = module._malloc(bytes.length);
  const recordPointer = module._malloc(header.pointRecordLength);
  const reader = new module.LASZip();
  try {
    module.HEAPU8.set(bytes, filePointer);
    reader.open(filePointer, bytes.length);
    const recordLength = reader.getPointLength();
    const pointCount = reader.getCount();
    if (recordLength !== header.pointRecordLength || pointCount !== header.pointCount) {
      fail(`laz-perf reads ${pointCount} records of ${recordLength} bytes, the header declares ${header.pointCount} of ${header.pointRecordLength}`);
    }
    const records = new Uint8Array(pointCount * recordLength);
    for (let point = 0; point < pointCount; point++) {
      reader.getPoint(recordPointer);
      records.set(module.HEAPU8.subarray(recordPointer, recordPointer + recordLength), point * recordLength);
    }
    return records;
  } catch (error) {
    if (error instanceof PointCloudFormatError) throw error;
    // A decoder that aborted may be left broken: the next read starts a fresh instance.
    lazPerf = undefined;
    return fail(`laz-perf failed while decompressing the extra-bytes fields: ${error instanceof Error ? error.message : String(error)}`, error);
  } finally {
    try {
      reader.delete();
      module._free(recordPointer);
      module._free(filePointer);
    } catch {
      // The instance aborted and was dropped above; its memory goes with it.
    }
  }
}

/** Records laz-perf decompresses into its heap before they are decoded into the cloud's arrays. */
const LAZ_RECORDS_PER_RUN = 4096;

/**
 * Decompresses the points of a LAZ file with laz-perf's `LASZip` point by point, in runs of
 * {@link LAZ_RECORDS_PER_RUN} records inside laz-perf's heap, each run decoded straight into the cloud's arrays by
 * `decoder`: no full-size intermediate array. The compressed file is copied into laz-perf's heap once (its decoder
 * reads from there).
 *
 * @throws {PointCloudFormatError} (format `'laz'`) when laz-perf cannot load, disagrees with the header or fails.
 */
export async function decompressLazPoints(bytes: Uint8Array, header: LasHeader, decoder: LasPointDecoder, fileName?: string): Promise<void> {
  const fail = (message: string, cause?: unknown): never => {
    throw new PointCloudFormatError({ format: 'laz', fileName, byteOffset: header.pointDataOffset, message, cause });
  };
  let module: LazPerfModule;
  try {
    module = await loadLazPerf();
  } catch (error) {
    lazPerf = undefined;
    return fail(`LAZ decompression failed: laz-perf did not load (${error instanceof Error ? error.message : String(error)})`, error);
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
      // The heap does not grow while decoding (every allocation is made above), so a view made now stays valid.
      decoder.decode(new DataView(module.HEAPU8.buffer, runPointer, count * pointRecordLength), 0, count);
      done += count;
    }
  } catch (error) {
    if (error instanceof PointCloudFormatError) throw error;
    // A decoder that aborted may be left broken: the next read starts a fresh instance.
    lazPerf = undefined;
    // Emscripten throws bare numbers and strings; the cause is always an Error.
    return fail(`LAZ decompression (laz-perf) failed: ${error instanceof Error ? error.message : String(error)}`, error instanceof Error ? error : new Error(String(error)));
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
