import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PointCloud } from '../../core/point-cloud.js';
import { PointCloudFormatError } from '../../core/point-cloud-format-error.js';
import { parseS3disRoom } from '../../scenes/s3dis-room-parser.js';

export type { S3disAnnotationFile } from '../../scenes/s3dis-room-parser.js';
export { parseS3disRoom };

/**
 * Reads an S3DIS room folder (Node only): every `Annotations/<class>_<n>.txt`, labelled as
 * {@link parseS3disRoom} describes.
 *
 * @param roomDirectory - The room folder, e.g. `Stanford3dDataset_v1.2/Area_1/office_1`.
 */
export async function readS3disRoom(roomDirectory: string): Promise<PointCloud> {
  const annotationDirectory = join(roomDirectory, 'Annotations');
  const names = (await readdir(annotationDirectory)).filter((name) => name.toLowerCase().endsWith('.txt'));
  if (names.length === 0) {
    throw new PointCloudFormatError({ format: 's3dis', fileName: annotationDirectory, message: 'no <class>_<n>.txt annotation files' });
  }
  const files = await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(annotationDirectory, name), 'latin1') })));
  return parseS3disRoom(files, basename(roomDirectory));
}
