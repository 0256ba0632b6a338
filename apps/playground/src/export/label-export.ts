import { writeLabelsJson, writePly, type PointCloud } from '@pointclick/io';

/** One labelled object as exported. */
export interface ExportedObject {
  /** Object id (the PLY `instance` value of its points). */
  objectId: number;
  /** Semantic id written for its points: class index + 1 (0 = unlabelled). */
  semanticId: number;
  /** Class name. */
  className: string;
  /** Class probability of the prediction (0…1), or 1 when the user chose the class. */
  confidence: number;
  /** Number of points. */
  pointCount: number;
}

/** Inputs of {@link buildExports}. */
export interface LabelExportInput {
  /** Interleaved x y z in metres. */
  positions: Float32Array;
  /** Interleaved r g b 0…255. */
  colors?: Uint8Array;
  /** Per point: object id, 0 for none. */
  instance: Int32Array;
  /** Objects with their final class (prediction or the user's choice). */
  objects: { objectId: number; classIndex: number; confidence: number; pointCount: number }[];
  /** The model's class names by class index. */
  classNames: string[];
  /** The session's clicks, written into the labels JSON as they are (typed as unknown so that export, which the worker
   * imports, does not import the worker's protocol back). */
  clicks: readonly unknown[];
  /** Scan name, recorded in the labels file. */
  scanName: string;
}

/**
 * Builds the binary PLY (x y z, colours, `instance`, `semantic`) and the labels JSON (per-point labels, class
 * names by semantic id, the objects and the clicks). Semantic ids are class index + 1 so that 0 stays "unlabelled".
 */
export function buildExports(input: LabelExportInput): { ply: Uint8Array; labelsJson: string } {
  return { ply: writePly(labelledCloud(input)), labelsJson: buildLabelsJson(input) };
}

/** The scan with the page's labels: `instance` as given, `semantic` = class index + 1 of each point's object (0 = none). */
export function labelledCloud(input: LabelExportInput): PointCloud {
  const pointCount = input.positions.length / 3;
  const semanticOfObject = new Map<number, number>();
  for (const object of input.objects) semanticOfObject.set(object.objectId, object.classIndex + 1);
  const semantic = new Int32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    const objectId = input.instance[point];
    if (objectId > 0) semantic[point] = semanticOfObject.get(objectId) ?? 0;
  }
  return { pointCount, positions: input.positions, colors: input.colors, instance: input.instance, semantic };
}

/** The labels JSON of {@link buildExports}. */
export function buildLabelsJson(input: LabelExportInput): string {
  const classNames: Record<number, string> = { 0: 'unlabeled' };
  input.classNames.forEach((name, index) => (classNames[index + 1] = name));
  const labels = JSON.parse(writeLabelsJson(labelledCloud(input), { classNames })) as Record<string, unknown>;
  const objects: ExportedObject[] = input.objects.map((object) => ({
    objectId: object.objectId,
    semanticId: object.classIndex + 1,
    className: input.classNames[object.classIndex] ?? `class ${object.classIndex}`,
    confidence: object.confidence,
    pointCount: object.pointCount,
  }));
  labels.scan = input.scanName;
  labels.objects = objects;
  labels.clicks = input.clicks;
  return JSON.stringify(labels);
}
