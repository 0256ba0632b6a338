import type { PointCloud } from '../core/point-cloud.js';
import { PointCloudFormatError } from '../core/point-cloud-format-error.js';
import type { ReaderOptions } from '../core/reader-options.js';

/** Placeholder until the npy reader lands. */
export async function readNpyPointCloud(_bytes: Uint8Array, options: ReaderOptions = {}): Promise<PointCloud> {
  throw new PointCloudFormatError({ format: 'npy', fileName: options.fileName, message: 'reader not implemented yet' });
}
