/**
 * Node-only file helpers of `@pointclick/io` (`import … from '@pointclick/io/node'`). The root entry stays free of
 * `node:` imports so it works in browsers.
 */

import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import { writeLabelsCsv } from '../labels/labels-csv.js';
import { writeLabelsJson } from '../labels/labels-json.js';
import { writePly } from '../ply/ply-writer.js';
import { readPointCloud, type ReadPointCloudOptions } from '../read-point-cloud.js';
import { readPointCloudSource, type ReadPointCloudStreamOptions } from '../read-point-cloud-stream.js';
import { openFileByteSource } from './file-byte-source.js';

/** Bytes per chunk of a streamed file read. */
const FILE_STREAM_CHUNK_BYTES = 4 * 2 ** 20;

/**
 * Reads a point-cloud file in any format {@link readPointCloud} understands; the path is passed as `fileName`
 * (for format sniffing and error messages) unless `options.fileName` is given.
 */
export async function readPointCloudFile(path: string, options: ReadPointCloudOptions = {}): Promise<PointCloud> {
  const bytes = await readFile(path);
  return readPointCloud(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { ...options, fileName: options.fileName ?? path });
}

/**
 * Reads a point-cloud file without holding it whole beside the cloud's arrays: chunked LAZ one LASzip chunk at a time
 * through a file handle (header, chunk table, then each chunk), every other format as a stream of 4 MiB chunks with
 * {@link readPointCloudStream} (binary PLY, LAS, PCD and npy go straight into the arrays). `onProgress` reports the
 * bytes read; the path is the `fileName` unless `options.fileName` is given.
 */
export async function readPointCloudFileStream(path: string, options: Omit<ReadPointCloudStreamOptions, 'totalBytes'> = {}): Promise<PointCloud> {
  const source = await openFileByteSource(path, FILE_STREAM_CHUNK_BYTES);
  try {
    return await readPointCloudSource(source, { ...options, fileName: options.fileName ?? path });
  } finally {
    await source.close();
  }
}

/**
 * Writes `bytes` to `path` atomically: into a temporary file in the same directory, flushed with fsync, then renamed
 * over `path`, so readers see either the old or the complete new file. The temporary file is removed on failure.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const directory = dirname(path);
  const temporaryPath = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporaryPath, 'wx');
  try {
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await unlink(temporaryPath).catch(() => undefined);
    throw error;
  }
  // Persist the rename itself; not every platform lets a directory be opened for fsync.
  try {
    const directoryHandle = await open(directory, 'r');
    try {
      await directoryHandle.sync();
    } finally {
      await directoryHandle.close();
    }
  } catch {
    // Best effort only.
  }
}

/**
 * Writes `cloud` to `path` atomically, choosing the format by extension: `.ply` → {@link writePly} (binary
 * little-endian), `.labels.json` / `.json` → labels JSON, `.csv` → labels CSV (labels only, no positions).
 *
 * @throws {PointCloudFormatError} for other extensions.
 */
export async function writePointCloudFile(path: string, cloud: PointCloud): Promise<void> {
  const extension = extname(path).toLowerCase();
  switch (extension) {
    case '.ply':
      return writeFileAtomic(path, writePly(cloud));
    case '.json':
      return writeFileAtomic(path, writeLabelsJson(cloud));
    case '.csv':
      return writeFileAtomic(path, writeLabelsCsv(cloud));
    default:
      throw new PointCloudFormatError({
        format: extension.slice(1) || 'unknown',
        fileName: path,
        message: 'cannot write this extension: expected .ply (cloud), .json or .csv (labels)',
      });
  }
}
export type { ScannetLabelTable } from '../scenes/scannet-label-table.js';
export type { ScannetSceneSources, ReadScannetSceneOptions } from './scenes/scannet-scene-reader.js';
export type { S3disAnnotationFile } from './scenes/s3dis-room-reader.js';
export type { VotenetSceneSources } from './scenes/votenet-scene-reader.js';
export { parseScannetLabelTable } from '../scenes/scannet-label-table.js';
export { parseScannetScene, readScannetScene } from './scenes/scannet-scene-reader.js';
export { parseS3disRoom, readS3disRoom } from './scenes/s3dis-room-reader.js';
export { S3DIS_CLASS_NAMES } from '../classes/s3dis-class-names.js';
export { listVotenetScenes, parseVotenetScene, readVotenetScene } from './scenes/votenet-scene-reader.js';
