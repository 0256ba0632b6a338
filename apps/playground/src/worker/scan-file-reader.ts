import { readPointCloud, readPointCloudBlob, readPointCloudStream, type PointCloud, type ReadProgress } from '@pointclick/io';
import type { ScanReading } from './worker-protocol.js';

/**
 * Reads `file` into a point cloud the way `reading` says (see {@link ScanReading}). `onProgress` gets the bytes read
 * so far (for `'whole'` once, when the file has arrived); its last call of a complete read has
 * `bytesRead === totalBytes`.
 * @throws {PointCloudFormatError} for a file `@pointclick/io` refuses.
 */
export async function readScanFile(file: Blob, fileName: string, reading: ScanReading, onProgress: (progress: ReadProgress) => void): Promise<PointCloud> {
  switch (reading) {
    case 'random-access':
      return readPointCloudBlob(file, { fileName, onProgress });
    case 'stream':
      return readPointCloudStream(file.stream(), { fileName, totalBytes: file.size, onProgress });
    case 'whole': {
      const bytes = new Uint8Array(await file.arrayBuffer());
      onProgress({ bytesRead: bytes.length, totalBytes: file.size });
      return readPointCloud(bytes, { fileName });
    }
  }
}
