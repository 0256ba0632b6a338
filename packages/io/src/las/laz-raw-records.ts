import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { LasHeader } from './las-header.js';

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
