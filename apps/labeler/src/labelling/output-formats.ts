import { strToU8, unzipSync, zipSync } from 'fflate';
import {
  type LabelSpace,
  type PointCloud,
  convertSemanticId,
  parseS3disRoom,
  writeS3disRoom,
  writeScanNetAnnotation,
  findClassId,
  readLabelsJson,
  readLas,
  readPly,
  readSemanticKittiLabels,
  writeLabelsJson,
  writeLas,
  writePly,
  writeSemanticKittiLabels,
} from '@pointclick/io';
import { labelledCloudOf, semanticClassNames, type LabelledScan } from './labelled-scan.js';
import { LabelRunError } from './labelling-errors.js';

/**
 * One output format of `pointclick-label`: how a labelled scan is encoded and how an existing output is checked
 * before a rerun skips it. A format `@pointclick/io` learns to write is one more entry of {@link OUTPUT_FORMATS}.
 */
export interface OutputFormat {
  /** The `--format` value. */
  name: string;
  /** Appended to the scan's stem to name its output, e.g. `.ply`. */
  extension: string;
  /** One line for `--help`. */
  description: string;
  /** The output file's bytes; deterministic for a given scan and labels (no times, no host names). */
  encode(scan: LabelledScan): Uint8Array;
  /**
   * Whether `bytes` are a complete output of this format for a scan of `pointCount` points (parsed, every
   * point labelled). Outputs are written through a rename, so this guards against files made some other way.
   */
  isComplete(bytes: Uint8Array, pointCount: number): Promise<boolean>;
}

/** `isComplete` of a point-cloud format: the file reads, with every point and both label fields. */
function labelledCloudIsComplete(read: (bytes: Uint8Array) => Promise<PointCloud>): OutputFormat['isComplete'] {
  return async (bytes, pointCount) => {
    try {
      const cloud = await read(bytes);
      return cloud.pointCount === pointCount && cloud.instance !== undefined && cloud.semantic !== undefined;
    } catch {
      return false;
    }
  };
}

const plyFormat: OutputFormat = {
  name: 'ply',
  extension: '.ply',
  description: 'binary PLY: x y z, the scan\'s colours/normals/intensity, int instance, int semantic (class index + 1)',
  encode: (scan) => writePly(labelledCloudOf(scan)),
  isComplete: labelledCloudIsComplete(readPly),
};

const jsonFormat: OutputFormat = {
  name: 'json',
  extension: '.labels.json',
  description: 'pointclick labels JSON: per-point instance and semantic, class names, the objects and the clicks',
  encode: (scan) => {
    const document = JSON.parse(writeLabelsJson(labelledCloudOf(scan), { classNames: semanticClassNames(scan.classNames) })) as Record<string, unknown>;
    document.scan = scan.scanName;
    document.objects = scan.objects.map((object) => ({ ...object, semanticId: object.classIndex + 1 }));
    document.clicks = scan.clicks;
    return new TextEncoder().encode(JSON.stringify(document));
  },
  isComplete: async (bytes, pointCount) => {
    try {
      const labels = readLabelsJson(bytes, { expectedPointCount: pointCount });
      return labels.instance !== undefined && labels.semantic !== undefined;
    } catch {
      return false;
    }
  },
};

/**
 * Per point, the scan's predicted classes as ids of another label space: each object's class is found by name in
 * NYU40 and converted (`@pointclick/io`'s class maps). A class with no counterpart (most indoor classes in
 * SemanticKITTI, `otherprop` in S3DIS) raises a `ClassMappingError` naming it, so the scan fails rather than
 * being written as unlabelled.
 */
function classIdsIn(scan: LabelledScan, space: LabelSpace): Int32Array {
  const idOfSemantic = new Map<number, number>([[0, 0]]);
  return Int32Array.from(scan.semantic, (semantic) => {
    let id = idOfSemantic.get(semantic);
    if (id === undefined) {
      id = convertSemanticId(findClassId('nyu40', scan.classNames[semantic - 1]), 'nyu40', space);
      idOfSemantic.set(semantic, id);
    }
    return id;
  });
}

const semanticKittiFormat: OutputFormat = {
  name: 'semantickitti',
  extension: '.label',
  description: 'SemanticKITTI .label: uint32 per point, raw class id (from NYU40 by name) low 16 bits, objectId high 16',
  encode: (scan) => writeSemanticKittiLabels({ semantic: classIdsIn(scan, 'semantickitti'), instance: scan.instance }),
  isComplete: (bytes, pointCount) => {
    try {
      return Promise.resolve(readSemanticKittiLabels(bytes).semantic.length === pointCount);
    } catch {
      return Promise.resolve(false);
    }
  },
};

const lasFormat: OutputFormat = {
  name: 'las',
  extension: '.las',
  description: 'LAS 1.4: the scan\'s points and colours, classification = class index + 1, objectId in an extra-bytes field `instance`',
  encode: (scan) => writeLas(labelledCloudOf(scan)),
  isComplete: labelledCloudIsComplete(readLas),
};

/** The time stamped on every archive entry, fixed so that a rerun writes the same bytes (zip dates start in 1980). */
const ARCHIVE_TIME = new Date(Date.UTC(1980, 0, 2));

/** The scan's file name without its extension: the ScanNet scene id and the S3DIS room name of its archive. */
const stemOf = (scan: LabelledScan): string => scan.scanName.replace(/\.[^.]+$/, '');

const scanNetFormat: OutputFormat = {
  name: 'scannet',
  extension: '.scannet.zip',
  description: 'zip of <scan>.aggregation.json + <scan>_vh_clean_2.0.010000.segs.json (labels = the model\'s class names; one segment per object)',
  encode: (scan) => {
    const stem = stemOf(scan);
    const files = writeScanNetAnnotation({ sceneId: stem, instance: scan.instance, semantic: scan.semantic, classNames: semanticClassNames(scan.classNames) });
    return zipSync({ [`${stem}.aggregation.json`]: strToU8(files.aggregation), [`${stem}_vh_clean_2.0.010000.segs.json`]: strToU8(files.segments) }, { mtime: ARCHIVE_TIME });
  },
  isComplete: (bytes, pointCount) => {
    try {
      const entries = Object.entries(unzipSync(bytes));
      const segments = entries.find(([name]) => name.endsWith('_vh_clean_2.0.010000.segs.json'));
      const aggregation = entries.find(([name]) => name.endsWith('.aggregation.json'));
      if (!segments || !aggregation) return Promise.resolve(false);
      JSON.parse(new TextDecoder().decode(aggregation[1]));
      const { segIndices } = JSON.parse(new TextDecoder().decode(segments[1])) as { segIndices?: unknown[] };
      return Promise.resolve(Array.isArray(segIndices) && segIndices.length === pointCount);
    } catch {
      return Promise.resolve(false);
    }
  },
};

const s3disFormat: OutputFormat = {
  name: 's3dis',
  extension: '.s3dis.zip',
  description: 'zip of an S3DIS room folder, <scan>/<scan>.txt + <scan>/Annotations/<class>_<n>.txt (classes from NYU40 by name to S3DIS 13)',
  encode: (scan) => {
    const stem = stemOf(scan);
    const semantic = classIdsIn(scan, 's3dis13');
    const files = writeS3disRoom({ roomName: stem, positions: scan.cloud.positions, colors: scan.cloud.colors, instance: scan.instance, semantic });
    return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [`${stem}/${name}`, strToU8(text)])), { mtime: ARCHIVE_TIME });
  },
  isComplete: (bytes, pointCount) => {
    try {
      // The room file holds every point; the annotation files must parse as S3DIS classes.
      const entries = Object.entries(unzipSync(bytes)).map(([name, data]) => ({ name, text: new TextDecoder().decode(data) }));
      const room = entries.find(({ name }) => !name.includes('/Annotations/') && name.endsWith('.txt'));
      const annotations = entries.filter(({ name }) => name.includes('/Annotations/')).map(({ name, text }) => ({ name: name.slice(name.lastIndexOf('/') + 1), text }));
      if (!room) return Promise.resolve(false);
      if (annotations.length > 0) parseS3disRoom(annotations);
      return Promise.resolve(room.text.split('\n').filter((line) => line.trim() !== '').length === pointCount);
    } catch {
      return Promise.resolve(false);
    }
  },
};

/**
 * Every format `pointclick-label` writes, by `--format` name. ScanNet and S3DIS annotations are several files per
 * scan, so each scan's files go into one zip archive (one output per scan, written atomically like the others).
 */
export const OUTPUT_FORMATS: ReadonlyMap<string, OutputFormat> = new Map([plyFormat, jsonFormat, semanticKittiFormat, lasFormat, scanNetFormat, s3disFormat].map((format) => [format.name, format]));

/**
 * The output format called `name`.
 * @throws LabelRunError listing the formats there are.
 */
export function outputFormatNamed(name: string): OutputFormat {
  const format = OUTPUT_FORMATS.get(name);
  if (!format) throw new LabelRunError(`unknown output format '${name}': expected ${[...OUTPUT_FORMATS.keys()].join(', ')}`);
  return format;
}
