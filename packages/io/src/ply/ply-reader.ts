import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';

/** Placeholder until the ply reader lands. */
export async function readPly(_bytes: Uint8Array, options: ReaderOptions = {}): Promise<PointCloud> {
  throw new PointCloudFormatError({ format: 'ply', fileName: options.fileName, message: 'reader not implemented yet' });
}
