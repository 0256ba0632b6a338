import { readLabelsJson, readPly, writeLabelsJson, writePly } from '@pointclick/io';
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

const plyFormat: OutputFormat = {
  name: 'ply',
  extension: '.ply',
  description: 'binary PLY: x y z, the scan\'s colours/normals/intensity, int instance, int semantic (class index + 1)',
  encode: (scan) => writePly(labelledCloudOf(scan)),
  isComplete: async (bytes, pointCount) => {
    try {
      const cloud = await readPly(bytes);
      return cloud.pointCount === pointCount && cloud.instance !== undefined && cloud.semantic !== undefined;
    } catch {
      return false;
    }
  },
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
 * Every format `pointclick-label` writes, by `--format` name. The dataset formats (SemanticKITTI `.label`, ScanNet,
 * S3DIS, LAS) join here as `@pointclick/io` gains their writers.
 */
export const OUTPUT_FORMATS: ReadonlyMap<string, OutputFormat> = new Map([plyFormat, jsonFormat].map((format) => [format.name, format]));

/**
 * The output format called `name`.
 * @throws LabelRunError listing the formats there are.
 */
export function outputFormatNamed(name: string): OutputFormat {
  const format = OUTPUT_FORMATS.get(name);
  if (!format) throw new LabelRunError(`unknown output format '${name}': expected ${[...OUTPUT_FORMATS.keys()].join(', ')}`);
  return format;
}
