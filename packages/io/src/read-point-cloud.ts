import type { PointCloud, PointCloudFormat } from './core/point-cloud.js';
import { PointCloudFormatError } from './core/point-cloud-format-error.js';
import type { ReaderOptions } from './core/reader-options.js';
import { readPly } from './ply/ply-reader.js';
import { readPcd } from './pcd/pcd-reader.js';
import { readLas } from './las/las-reader.js';
import { readKittiBin } from './kitti/kitti-reader.js';
import { readXyzrgbBin } from './kitti/xyzrgb-bin-reader.js';
import { readNpyPointCloud } from './npy/npy-point-cloud.js';

/** Options of {@link readPointCloud}. */
export interface ReadPointCloudOptions extends ReaderOptions {
  /** Format of the bytes; sniffed from the magic bytes and the file name when absent. */
  format?: PointCloudFormat;
}

/**
 * Reads a point cloud from bytes in any supported format (browser and Node). Without `options.format` the format is
 * sniffed by {@link sniffPointCloudFormat}. `'semantickitti-label'` holds no points; read it with
 * `readSemanticKittiLabels`.
 *
 * @throws {PointCloudFormatError} for unrecognised or malformed input.
 */
export async function readPointCloud(
  bytes: ArrayBuffer | Uint8Array,
  options: ReadPointCloudOptions = {},
): Promise<PointCloud> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const format = options.format ?? sniffPointCloudFormat(view, options.fileName);
  const readerOptions: ReaderOptions = { fileName: options.fileName };
  switch (format) {
    case 'ply':
      return readPly(view, readerOptions);
    case 'pcd':
      return readPcd(view, readerOptions);
    case 'las':
    case 'laz':
      return readLas(view, readerOptions);
    case 'kitti-bin':
      return readKittiBin(view, readerOptions);
    case 'npy':
      return readNpyPointCloud(view, readerOptions);
    case 'xyzrgb-bin':
      return readXyzrgbBin(view, readerOptions);
    case 'semantickitti-label':
      throw new PointCloudFormatError({
        format,
        fileName: options.fileName,
        message: 'a SemanticKITTI .label file holds labels, not points: read it with readSemanticKittiLabels and attach it to its scan',
      });
    default:
      throw new PointCloudFormatError({
        format: String(format),
        fileName: options.fileName,
        message: 'not a point-cloud format readPointCloud can read on its own',
      });
  }
}

/**
 * Guesses the format of `bytes` from magic bytes first, then from the file name: `*.pcd` → pcd, `*xyzrgb.bin`
 * (mmdetection3d's ScanNet points) → xyzrgb-bin, any other `*.bin` → kitti-bin.
 * Throws a {@link PointCloudFormatError} when neither identifies a known format.
 */
export function sniffPointCloudFormat(bytes: Uint8Array, fileName?: string): PointCloudFormat {
  const startsWith = (text: string): boolean => {
    if (bytes.length < text.length) return false;
    for (let index = 0; index < text.length; index++) {
      if (bytes[index] !== text.charCodeAt(index)) return false;
    }
    return true;
  };
  if (startsWith('ply')) return 'ply';
  if (startsWith('LASF')) {
    return fileName?.toLowerCase().endsWith('.laz') ? 'laz' : 'las';
  }
  if (startsWith('\x93NUMPY')) return 'npy';
  if (startsWith('# .PCD') || startsWith('VERSION') || startsWith('FIELDS')) return 'pcd';
  const extension = fileName?.toLowerCase().split('.').pop();
  switch (extension) {
    case 'pcd':
      return 'pcd';
    case 'bin':
      return fileName?.toLowerCase().endsWith('xyzrgb.bin') ? 'xyzrgb-bin' : 'kitti-bin';
    default:
      throw new PointCloudFormatError({
        format: 'unknown',
        fileName,
        byteOffset: 0,
        message: 'unrecognised format: expected PLY, PCD, LAS/LAZ, NPY magic bytes or a .pcd/.bin file name',
      });
  }
}
