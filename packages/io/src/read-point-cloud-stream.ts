import { ByteStreamReader, runStreamRead, type PointCloudByteStream, type ReadProgress } from './core/byte-stream-reader.js';
import { guardAllocations } from './core/point-cloud-allocation.js';
import type { PointCloud } from './core/point-cloud.js';
import { createBlobByteSource, type RandomAccessByteSource } from './core/random-access-source.js';
import { readLazChunks } from './las/laz-chunk-reader.js';
import { readLasStream } from './las/las-stream-reader.js';
import { readNpyPointCloudStream } from './npy/npy-point-cloud.js';
import { readPcdStream } from './pcd/pcd-stream-reader.js';
import { readPlyStream } from './ply/ply-stream-reader.js';
import { readPointCloud, sniffPointCloudFormat, type ReadPointCloudOptions } from './read-point-cloud.js';

/** Options of {@link readPointCloudStream}. */
export interface ReadPointCloudStreamOptions extends ReadPointCloudOptions {
  /** Size of the whole file in bytes (`File.size`, `stat().size`); the stream must deliver exactly this many. */
  totalBytes: number;
  /** Called after every chunk with the bytes read so far; the last call of a complete read has `bytesRead === totalBytes`. */
  onProgress?: (progress: ReadProgress) => void;
}

/** Bytes the format is sniffed from (the longest magic, `\x93NUMPY`, or `# .PCD`, is 6). */
const SNIFF_BYTES = 16;

/**
 * Reads a point cloud from a stream of byte chunks (a browser `File.stream()`, a Node file stream), so a large file
 * never has to be one ArrayBuffer beside the cloud's arrays. Binary PLY, uncompressed LAS, PCD (ascii, binary,
 * binary_compressed), layered LAZ (LAS 1.4 formats 6–8) and npy are decoded chunk by chunk into the final arrays; the
 * other formats (ASCII PLY, point-wise LAZ, KITTI) are collected into one array of `totalBytes` and read by
 * {@link readPointCloud} (pass a `Blob` to {@link readPointCloudBlob} to read any chunked LAZ chunk by chunk). Either
 * way the cloud equals what {@link readPointCloud} returns for the same bytes, and `onProgress` reports the bytes
 * read.
 *
 * @throws {PointCloudFormatError} for what {@link readPointCloud} refuses, a stream that ends before `totalBytes`
 *   (the format's truncation error where the format notices it) or holds more than `totalBytes`.
 */
export async function readPointCloudStream(stream: PointCloudByteStream, options: ReadPointCloudStreamOptions): Promise<PointCloud> {
  const { fileName, totalBytes, onProgress } = options;
  const reader = new ByteStreamReader(stream, totalBytes, { format: options.format ?? 'unknown', fileName }, onProgress);
  return runStreamRead(reader, async () => {
    const format = options.format ?? sniffPointCloudFormat(await reader.peek(SNIFF_BYTES), fileName);
    reader.context.format = format;
    switch (format) {
      case 'ply':
        return guardAllocations({ format, fileName }, () => readPlyStream(reader, fileName));
      case 'las':
      case 'laz':
        return guardAllocations({ format, fileName }, () => readLasStream(reader, fileName));
      case 'pcd':
        return guardAllocations({ format, fileName }, () => readPcdStream(reader, fileName));
      case 'npy':
        return guardAllocations({ format, fileName }, () => readNpyPointCloudStream(reader, fileName));
      default:
        return readPointCloud(await reader.readAll(), { fileName, format });
    }
  });
}

/** Options of {@link readPointCloudBlob}. */
export interface ReadPointCloudBlobOptions extends ReadPointCloudOptions {
  /** Called after every chunk read with the bytes read so far; the last call of a complete read has `bytesRead === totalBytes`. */
  onProgress?: (progress: ReadProgress) => void;
}

/**
 * Reads a point cloud from a `Blob` or `File` (browser; Node's `fs.openAsBlob`) without holding the file: chunked LAZ
 * (LASzip chunk table, point formats 0–3 and 6–8) is read at random offsets — header, chunk table at the end, then
 * one chunk at a time — by `readLazChunks`; every other file goes through {@link readPointCloudStream} on
 * `blob.stream()`. The cloud equals what {@link readPointCloud} returns for the same bytes. The file name defaults to
 * the `File`'s name.
 *
 * @throws {PointCloudFormatError} as {@link readPointCloudStream} does.
 */
export async function readPointCloudBlob(blob: Blob, options: ReadPointCloudBlobOptions = {}): Promise<PointCloud> {
  const fileName = options.fileName ?? (blob as Partial<File>).name;
  return readPointCloudSource(createBlobByteSource(blob), { ...options, fileName });
}

/**
 * Reads a point cloud from a source that can be read at any offset: LAZ chunk by chunk, the rest as a stream (see
 * {@link readPointCloudBlob}). `@pointclick/io/node` passes a file handle.
 */
export async function readPointCloudSource(source: RandomAccessByteSource, options: ReadPointCloudBlobOptions = {}): Promise<PointCloud> {
  const { fileName, onProgress } = options;
  const format = options.format ?? sniffPointCloudFormat(await source.read(0, SNIFF_BYTES), fileName);
  if (format === 'las' || format === 'laz') {
    const cloud = await guardAllocations({ format, fileName }, () => readLazChunks(source, fileName, onProgress));
    if (cloud !== undefined) return cloud;
  }
  return readPointCloudStream(source.stream(), { ...options, format, totalBytes: source.byteLength });
}
