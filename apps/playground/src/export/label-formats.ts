import {
  findClassId,
  writeLas,
  writeS3disRoom,
  writeScanNetAnnotation,
  writeSemanticKittiLabels,
  type PointCloud,
} from '@pointclick/io';
import { zipSync, strToU8 } from 'fflate';
import { buildExports, type LabelExportInput } from './label-export.js';

/** Formats the Export menu offers. */
export type LabelExportFormat = 'ply' | 'labels-json' | 'semantickitti' | 'scannet' | 's3dis' | 'las';

/** Menu entries: format, label and what the download holds. */
export const LABEL_EXPORT_FORMATS: readonly { format: LabelExportFormat; title: string; description: string }[] = [
  { format: 'ply', title: 'PLY', description: 'binary PLY with x y z, colours, instance, semantic' },
  { format: 'labels-json', title: 'Labels JSON', description: 'per-point labels, class names, objects and clicks' },
  { format: 'semantickitti', title: 'SemanticKITTI .label', description: 'uint32 per point: SemanticKITTI raw class | instance << 16' },
  { format: 'scannet', title: 'ScanNet (zip)', description: '<scan>.aggregation.json + <scan>_vh_clean_2.0.010000.segs.json' },
  { format: 's3dis', title: 'S3DIS room (zip)', description: 'Annotations/<class>_<n>.txt + <room>.txt' },
  { format: 'las', title: 'LAS 1.4', description: 'classification = semantic, extra-bytes field "instance"' },
];

/** A file to download. */
export interface ExportedFile {
  fileName: string;
  bytes: Uint8Array;
  mimeType: string;
}

/**
 * Builds the download for `format` from the page's labels. PLY, labels JSON and LAS use the page's semantic ids
 * (class index + 1); SemanticKITTI, ScanNet and S3DIS name the classes in their own label spaces, so an object
 * whose class that space lacks is an error naming the class (a `ClassMappingError`), never a silent 0.
 *
 * @param cloud - The open scan (positions, colours, and for LAS its origin), as the worker holds it.
 * @param baseName - File name stem.
 * @param segments - Superpoints of the scan for the ScanNet segments file (else one segment per object).
 */
export function buildLabelFile(format: LabelExportFormat, cloud: PointCloud, input: LabelExportInput, baseName: string, segments?: Int32Array): ExportedFile {
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
    case 'labels-json': {
      const { ply, labelsJson } = buildExports(input);
      return format === 'ply'
        ? { fileName: `${baseName}-labels.ply`, bytes: ply, mimeType: 'application/octet-stream' }
        : { fileName: `${baseName}-labels.json`, bytes: strToU8(labelsJson), mimeType: 'application/json' };
    }
    case 'semantickitti': {
      const semantic = semanticFrom((_, className) => findClassId('semantickitti', className));
      return { fileName: `${baseName}.label`, bytes: writeSemanticKittiLabels({ semantic, instance }), mimeType: 'application/octet-stream' };
    }
    case 'scannet': {
      const classIndexOf = new Map(input.objects.map((object) => [object.objectId, object.classIndex]));
      const semantic = semanticFrom((objectId) => classIndexOf.get(objectId)! + 1);
      const classNames = Object.fromEntries(input.objects.map((object) => [object.classIndex + 1, classNameOf.get(object.objectId)!]));
      const files = writeScanNetAnnotation({ sceneId: baseName, instance, semantic, classNames, segments });
      const archive = zipSync({
        [`${baseName}.aggregation.json`]: strToU8(files.aggregation),
        [`${baseName}_vh_clean_2.0.010000.segs.json`]: strToU8(files.segments),
      });
      return { fileName: `${baseName}-scannet.zip`, bytes: archive, mimeType: 'application/zip' };
    }
    case 's3dis': {
      const semantic = semanticFrom((_, className) => findClassId('s3dis13', className));
      const files = writeS3disRoom({ roomName: baseName, positions: cloud.positions, colors: cloud.colors, instance, semantic });
      const archive = zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [`${baseName}/${name}`, strToU8(text)])));
      return { fileName: `${baseName}-s3dis.zip`, bytes: archive, mimeType: 'application/zip' };
    }
    case 'las': {
      const classIndexOf = new Map(input.objects.map((object) => [object.objectId, object.classIndex]));
      const semantic = semanticFrom((objectId) => classIndexOf.get(objectId)! + 1);
      const bytes = writeLas({ pointCount: cloud.pointCount, positions: cloud.positions, colors: cloud.colors, semantic, instance, metadata: cloud.metadata });
      return { fileName: `${baseName}-labels.las`, bytes, mimeType: 'application/octet-stream' };
    }
  }
}
