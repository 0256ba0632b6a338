import {
  findClassId,
  writeLasChunks,
  writeLazChunks,
  writePlyChunks,
  writeS3disRoom,
  writeScanNetAnnotation,
  writeSemanticKittiLabelChunks,
  type ChunkedFile,
  type ChunkedWriteOptions,
  type PointCloud,
} from '@pointclick/io';
import { zipSync, strToU8 } from 'fflate';
import { buildLabelsJson, labelledCloud, type LabelExportInput } from './label-export.js';

/** Formats the Export menu offers. */
export type LabelExportFormat = 'ply' | 'labels-json' | 'semantickitti' | 'scannet' | 's3dis' | 'las' | 'laz';

/** Menu entries: format, label and what the download holds. */
export const LABEL_EXPORT_FORMATS: readonly { format: LabelExportFormat; title: string; description: string }[] = [
  { format: 'ply', title: 'PLY', description: 'binary PLY with x y z, colours, instance, semantic' },
  { format: 'labels-json', title: 'Labels JSON', description: 'per-point labels, class names, objects and clicks' },
  { format: 'semantickitti', title: 'SemanticKITTI .label', description: 'uint32 per point: SemanticKITTI raw class | instance << 16' },
  { format: 'scannet', title: 'ScanNet (zip)', description: '<scan>.aggregation.json + <scan>_vh_clean_2.0.010000.segs.json' },
  { format: 's3dis', title: 'S3DIS room (zip)', description: 'Annotations/<class>_<n>.txt + <room>.txt' },
  { format: 'las', title: 'LAS 1.4', description: 'classification = semantic, extra-bytes field "instance"' },
  { format: 'laz', title: 'LAZ (LAS 1.4, LASzip)', description: 'the LAS 1.4 records, LASzip-compressed (layered, v3)' },
];

/** A file to download. */
export interface ExportedFile {
  fileName: string;
  bytes: Uint8Array;
  mimeType: string;
}

/** A file to download, written in chunks (see `ChunkedFile` of `@pointclick/io`). */
export interface ExportedChunkedFile extends ChunkedFile {
  fileName: string;
  mimeType: string;
}

/** Download name of an export in `format` of the scan `baseName`, known before the file is built (the save dialog asks first). */
export function labelFileName(format: LabelExportFormat, baseName: string): { fileName: string; mimeType: string } {
  const binary = 'application/octet-stream';
  switch (format) {
    case 'ply':
      return { fileName: `${baseName}-labels.ply`, mimeType: binary };
    case 'labels-json':
      return { fileName: `${baseName}-labels.json`, mimeType: 'application/json' };
    case 'semantickitti':
      return { fileName: `${baseName}.label`, mimeType: binary };
    case 'scannet':
      return { fileName: `${baseName}-scannet.zip`, mimeType: 'application/zip' };
    case 's3dis':
      return { fileName: `${baseName}-s3dis.zip`, mimeType: 'application/zip' };
    case 'las':
      return { fileName: `${baseName}-labels.las`, mimeType: binary };
    case 'laz':
      return { fileName: `${baseName}-labels.laz`, mimeType: binary };
  }
}

/**
 * Builds the download for `format` from the page's labels. PLY, labels JSON and LAS / LAZ use the page's semantic ids
 * (class index + 1); SemanticKITTI, ScanNet and S3DIS name the classes in their own label spaces, so an object
 * whose class that space lacks is an error naming the class (a `ClassMappingError`), never a silent 0.
 *
 * @param cloud - The open scan (positions, colours, and for LAS its origin), as the worker holds it.
 * @param baseName - File name stem.
 * @param segments - Superpoints of the scan for the ScanNet segments file (else one segment per object).
 */
export function buildLabelFile(format: LabelExportFormat, cloud: PointCloud, input: LabelExportInput, baseName: string, segments?: Int32Array): ExportedFile {
  const file = buildLabelFileChunks(format, cloud, input, baseName, segments);
  const bytes = new Uint8Array(file.byteLength);
  let offset = 0;
  for (const chunk of file.chunks()) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { fileName: file.fileName, mimeType: file.mimeType, bytes };
}

/**
 * {@link buildLabelFile} in chunks of about `options.chunkBytes`: PLY, LAS and SemanticKITTI are written chunk by
 * chunk without a buffer of the whole file (the chunked writers of `@pointclick/io`); LAZ is compressed first (its
 * header points at the chunk table after the compressed points) and handed out in pieces; labels JSON, ScanNet and S3DIS
 * (text and zip archives, a fraction of the scan's size) are built whole and handed out as one chunk. Every check
 * (classes, label ranges) runs before this returns.
 */
export function buildLabelFileChunks(
  format: LabelExportFormat,
  cloud: PointCloud,
  input: LabelExportInput,
  baseName: string,
  segments?: Int32Array,
  options: ChunkedWriteOptions = {},
): ExportedChunkedFile {
  const name = labelFileName(format, baseName);
  const whole = (bytes: Uint8Array): ExportedChunkedFile => ({ ...name, byteLength: bytes.length, *chunks() { yield bytes; } });
  const classNameOf = new Map(input.objects.map((object) => [object.objectId, input.classNames[object.classIndex] ?? `class ${object.classIndex}`]));
  /** Semantic id per point from a per-object id. */
  const semanticFrom = (idOfObject: (objectId: number, className: string) => number): Int32Array => {
    const ids = new Map([...classNameOf].map(([objectId, className]) => [objectId, idOfObject(objectId, className)]));
    return Int32Array.from(input.instance, (objectId) => (objectId > 0 ? (ids.get(objectId) ?? 0) : 0));
  };
  // Points of objects without a prediction (none listed) count as unlabelled in every format.
  const instance = Int32Array.from(input.instance, (objectId) => (classNameOf.has(objectId) ? objectId : 0));
  switch (format) {
    case 'ply':
      return { ...name, ...writePlyChunks(labelledCloud(input), options) };
    case 'labels-json':
      return whole(strToU8(buildLabelsJson(input)));
    case 'semantickitti': {
      const semantic = semanticFrom((_, className) => findClassId('semantickitti', className));
      return { ...name, ...writeSemanticKittiLabelChunks({ semantic, instance }, options) };
    }
    case 'scannet': {
      const classIndexOf = new Map(input.objects.map((object) => [object.objectId, object.classIndex]));
      const semantic = semanticFrom((objectId) => classIndexOf.get(objectId)! + 1);
      const classNames = Object.fromEntries(input.objects.map((object) => [object.classIndex + 1, classNameOf.get(object.objectId)!]));
      const files = writeScanNetAnnotation({ sceneId: baseName, instance, semantic, classNames, segments });
      return whole(
        zipSync({
          [`${baseName}.aggregation.json`]: strToU8(files.aggregation),
          [`${baseName}_vh_clean_2.0.010000.segs.json`]: strToU8(files.segments),
        }),
      );
    }
    case 's3dis': {
      const semantic = semanticFrom((_, className) => findClassId('s3dis13', className));
      const files = writeS3disRoom({ roomName: baseName, positions: cloud.positions, colors: cloud.colors, instance, semantic });
      return whole(zipSync(Object.fromEntries(Object.entries(files).map(([fileName, text]) => [`${baseName}/${fileName}`, strToU8(text)]))));
    }
    case 'las':
    case 'laz': {
      const classIndexOf = new Map(input.objects.map((object) => [object.objectId, object.classIndex]));
      const semantic = semanticFrom((objectId) => classIndexOf.get(objectId)! + 1);
      const labelled: PointCloud = { pointCount: cloud.pointCount, positions: cloud.positions, colors: cloud.colors, semantic, instance, metadata: cloud.metadata };
      return { ...name, ...(format === 'las' ? writeLasChunks(labelled, options) : writeLazChunks(labelled, options)) };
    }
  }
}
