import type { ReadProgress } from '../core/byte-stream-reader.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { RandomAccessByteSource } from '../core/random-access-source.js';
import { parseExtraBytesFields } from './las-extra-bytes.js';
import { parseLasHeader } from './las-header.js';
import type { LasPointCloud } from './las-point-cloud.js';
import { LasPointDecoder } from './las-point-decoder.js';
import { usesLazPerf } from './las-reader.js';
import { readLaszipChunkTable } from './laszip-chunk-table.js';
import { checkLazCompressionRatio, parseLaszipVlr, VARIABLE_CHUNK_SIZE } from './laszip-layout.js';
import { dropLazPerf, loadLazPerf, type LazPerfModule } from './laz-raw-records.js';

/** Bytes of the largest public header (LAS 1.4); the offset to the point data sits at byte 96 of every version. */
const LARGEST_HEADER_BYTES = 375;
/** Records laz-perf decodes into its heap before they are decoded out into the arrays. */
const RECORDS_PER_RUN = 4096;
/** Bytes of the chunk table read per chunk: two arithmetic-coded 32-bit integers take at most about 10. */
const TABLE_BYTES_PER_CHUNK = 24;

/**
 * Reads a chunked LAZ file (LASzip compressor 2 or 3, point formats laz-perf decodes: 0–3 and 6–8) from a source
 * that can be read at any offset, one LASzip chunk at a time: the header and VLRs, then the chunk table at the end
 * of the file (where every chunk starts and how many points it holds), then each chunk, which laz-perf's
 * `ChunkDecoder` decodes in its heap into records that go run by run into the final arrays. Only one chunk of
 * compressed bytes (plus the header and the table) is held beside the arrays. The cloud equals what `readLas` reads
 * from the whole file.
 *
 * @returns The cloud, or `undefined` for a file this reader does not take (uncompressed, not chunked, or a point
 *   format laz-perf does not decode): read it front to back instead.
 * @throws {PointCloudFormatError} (format `'laz'`) for a damaged header, VLR or chunk table, or a failing decoder.
 */
export async function readLazChunks(
  source: RandomAccessByteSource,
  fileName: string | undefined,
  onProgress?: (progress: ReadProgress) => void,
): Promise<LasPointCloud | undefined> {
  const totalBytes = source.byteLength;
  let bytesRead = 0;
  // Progress is reported once the file is known to be taken: a file handed back is read again from its start.
  let taken = false;
  const read = async (offset: number, byteCount: number): Promise<Uint8Array> => {
    const bytes = await source.read(offset, byteCount);
    bytesRead = Math.min(totalBytes, bytesRead + bytes.length);
    if (taken) onProgress?.({ bytesRead, totalBytes });
    return bytes;
  };
  const start = await source.read(0, Math.min(LARGEST_HEADER_BYTES, totalBytes));
  const claimedDataOffset = start.length >= 100 ? new DataView(start.buffer, start.byteOffset, start.length).getUint32(96, true) : 0;
  // The header, the VLRs and the 8-byte chunk-table pointer; a claimed offset past the file fails in the header parser.
  const prefix = await read(0, Math.min(totalBytes, Math.max(start.length, claimedDataOffset + 8)));
  const header = parseLasHeader(prefix, fileName);
  if (!header.compressed || !usesLazPerf(header)) return undefined;
  const { pointDataOffset, pointRecordLength, pointCount } = header;
  const fail = (message: string, byteOffset: number, field: string): never => {
    throw new PointCloudFormatError({ format: 'laz', fileName, byteOffset, field, message });
  };
  const vlr = parseLaszipVlr(prefix, header, fileName);
  // Not chunked, or layered with items whose layers are unknown (their chunks cannot be checked before decoding).
  if (vlr.compressor === 1 || (vlr.compressor === 3 && vlr.layerCount === undefined)) return undefined;
  taken = true;
  const fields = parseExtraBytesFields(prefix, header, fileName);
  if (pointDataOffset + 8 > prefix.length) fail('the chunk-table pointer (8 bytes) is missing after the VLRs', pointDataOffset, 'chunkTableOffset');
  let tableOffset = Number(new DataView(prefix.buffer, prefix.byteOffset, prefix.length).getBigInt64(pointDataOffset, true));
  // A writer that could not seek back stores -1 here and the offset in the file's last 8 bytes.
  if (tableOffset === -1 && totalBytes >= pointDataOffset + 16) {
    const last = await read(totalBytes - 8, 8);
    tableOffset = Number(new DataView(last.buffer, last.byteOffset, 8).getBigInt64(0, true));
  }
  if (!(tableOffset >= pointDataOffset + 8 && tableOffset + 8 <= totalBytes)) {
    fail(`chunk table at byte ${tableOffset} is outside ${pointDataOffset + 8}..${totalBytes - 8}`, pointDataOffset, 'chunkTableOffset');
  }
  if (vlr.chunkSizeField === 0) fail('LASzip chunk size 0', vlr.laszipOffset + 12, 'chunkSize');
  const chunkSize = vlr.chunkSizeField === VARIABLE_CHUNK_SIZE ? undefined : vlr.chunkSizeField;
  const tableHead = await read(tableOffset, 8);
  const chunkCount = new DataView(tableHead.buffer, tableHead.byteOffset, 8).getUint32(4, true);
  const tableBytes = Math.min(totalBytes - tableOffset, 8 + 64 + chunkCount * TABLE_BYTES_PER_CHUNK);
  const table = await read(tableOffset, tableBytes);
  const { chunkStarts, chunkPointCounts } = readLaszipChunkTable(table, { tableOffset, firstChunkOffset: pointDataOffset + 8, chunkSize, pointCount, recordLength: pointRecordLength, fileName });
  // Point-wise chunks do not state their own counts: bound the decoder's work by the compressed bytes as readLas does.
  const compressedByteCount = tableOffset - pointDataOffset - 8;
  if (vlr.compressor !== 3) checkLazCompressionRatio(header, compressedByteCount, fail);
  const decoder = new LasPointDecoder(header, fields, fileName, () => undefined);
  const chunkDecoder = await LaszipChunkDecoder.create(header.pointFormat, pointRecordLength, fileName, pointDataOffset + 8);
  try {
    for (let chunk = 0; chunk < chunkPointCounts.length; chunk++) {
      const chunkStart = chunkStarts[chunk];
      const bytes = await read(chunkStart, chunkStarts[chunk + 1] - chunkStart);
      if (bytes.length < chunkStarts[chunk + 1] - chunkStart) fail(`chunk ${chunk} is cut: the file of ${totalBytes} bytes ends within it`, chunkStart + bytes.length, 'chunk');
      const count = chunkPointCounts[chunk];
      if (vlr.compressor === 3) {
        // Layered (LAS 1.4) chunks state their own point count and layer sizes after the raw record: they must agree
        // with the table, so the decoder never reads past the chunk.
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
        const layerCount = vlr.layerCount!;
        const stated = bytes.length >= pointRecordLength + 4 ? view.getUint32(pointRecordLength, true) : 0;
        if (stated !== count) fail(`layered chunk ${chunk} claims ${stated} points, the chunk table and header give it ${count}`, chunkStart + pointRecordLength, 'chunk point count');
        let layered = pointRecordLength + 4 + layerCount * 4;
        for (let layer = 0; layer < layerCount && layered <= bytes.length; layer++) layered += view.getUint32(pointRecordLength + 4 + layer * 4, true);
        if (layered > bytes.length) fail(`layered chunk ${chunk}'s layers take ${layered} bytes, the chunk table gives it ${bytes.length}`, chunkStart + pointRecordLength + 4, 'chunk layer sizes');
      }
      chunkDecoder.decode(bytes, count, chunkStart, decoder);
    }
  } finally {
    chunkDecoder.close();
  }
  // Everything after the last chunk (the rest of the table, EVLRs) is not needed: the read is complete.
  if (bytesRead < totalBytes) onProgress?.({ bytesRead: totalBytes, totalBytes });
  return decoder.finish();
}

/** Where laz-perf decodes LASzip chunks: one chunk of compressed bytes and one run of records in its heap. */
export class LaszipChunkDecoder {
  private chunkPointer = 0;
  private chunkCapacity = 0;
  private readonly runPointer: number;

  private constructor(
    private readonly module: LazPerfModule,
    private readonly pointFormat: number,
    private readonly recordLength: number,
    private readonly fileName: string | undefined,
  ) {
    this.runPointer = module._malloc(RECORDS_PER_RUN * recordLength);
  }

  /**
   * Loads laz-perf (once per process) and makes the heap buffers.
   * @throws {PointCloudFormatError} when laz-perf does not load.
   */
  static async create(pointFormat: number, recordLength: number, fileName: string | undefined, byteOffset: number): Promise<LaszipChunkDecoder> {
    try {
      return new LaszipChunkDecoder(await loadLazPerf(), pointFormat, recordLength, fileName);
    } catch (error) {
      dropLazPerf();
      throw new PointCloudFormatError({ format: 'laz', fileName, byteOffset, message: `LAZ decompression failed: laz-perf did not load (${error instanceof Error ? error.message : String(error)})`, cause: error });
    }
  }

  /**
   * Decodes the first `count` points of one chunk (`bytes`, starting at file offset `chunkStart`) into `decoder`.
   * @throws {PointCloudFormatError} when laz-perf fails on the chunk.
   */
  decode(bytes: Uint8Array, count: number, chunkStart: number, decoder: LasPointDecoder): void {
    const { module, recordLength, runPointer } = this;
    // Zero padding after the chunk: the decoder may look a few bytes ahead of its last symbol.
    const padding = 16;
    if (bytes.length + padding > this.chunkCapacity) {
      if (this.chunkCapacity > 0) module._free(this.chunkPointer);
      this.chunkCapacity = bytes.length + padding;
      this.chunkPointer = module._malloc(this.chunkCapacity);
    }
    module.HEAPU8.set(bytes, this.chunkPointer);
    module.HEAPU8.fill(0, this.chunkPointer + bytes.length, this.chunkPointer + bytes.length + padding);
    let chunkDecoder: InstanceType<LazPerfModule['ChunkDecoder']> | undefined;
    try {
      chunkDecoder = new module.ChunkDecoder();
      chunkDecoder.open(this.pointFormat, recordLength, this.chunkPointer);
      for (let done = 0; done < count; ) {
        const records = Math.min(RECORDS_PER_RUN, count - done);
        for (let record = 0; record < records; record++) chunkDecoder.getPoint(runPointer + record * recordLength);
        // The heap is read as it is now: it may have grown while the decoder was made.
        decoder.decode(new DataView(module.HEAPU8.buffer, runPointer, records * recordLength), 0, records);
        done += records;
      }
    } catch (error) {
      if (error instanceof PointCloudFormatError) throw error;
      dropLazPerf();
      throw new PointCloudFormatError({
        format: 'laz',
        fileName: this.fileName,
        byteOffset: chunkStart,
        message: `LAZ decompression (laz-perf) failed in the chunk at byte ${chunkStart}: ${error instanceof Error ? error.message : String(error)}`,
        cause: error instanceof Error ? error : new Error(String(error)),
      });
    } finally {
      try {
        chunkDecoder?.delete();
      } catch {
        // The instance aborted and was dropped; its memory goes with it.
      }
    }
  }

  /** Frees the heap buffers. */
  close(): void {
    try {
      this.module._free(this.runPointer);
      if (this.chunkCapacity > 0) this.module._free(this.chunkPointer);
    } catch {
      // As above.
    }
  }
}
