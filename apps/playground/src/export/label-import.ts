import {
  listClassNames,
  parseS3disRoom,
  readLabelsJson,
  readPointCloud,
  readSemanticKittiLabels,
  PointCloudFormatError,
  type PointCloud,
} from '@pointclick/io';
import { strFromU8, unzipSync } from 'fflate';

/** Labels read from files, as objects over the open scan's points. */
export interface ImportedLabels {
  /** What was imported (file names), for messages. */
  sourceName: string;
  /** Object id per point of the open scan; 0 = none. */
  instance: Int32Array;
  /** Each object's class name (in the file's own naming) and point count, by ascending object id. */
  objects: { objectId: number; className: string; pointCount: number }[];
}

/** One picked file. */
export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * Reads labels for the open scan from any format the Export menu writes (and any PLY / LAS / LAZ with instance and
 * semantic fields): a PLY, LAS/LAZ or labels JSON (semantic ids are the page's: class index + 1 in `classNames`), a
 * SemanticKITTI `.label` (every (class, instance) pair one object, stuff classes one object each), a ScanNet
 * `.aggregation.json` + `.segs.json` pair, an S3DIS room's `<class>_<n>.txt` files (matched to the scan's points by
 * position), or a zip holding either of the last two.
 *
 * @throws {PointCloudFormatError} naming the file when its point count differs from the scan's, its points are not
 *   the scan's, or the files are not a recognised set.
 */
export async function importLabels(files: readonly ImportFile[], cloud: PointCloud, classNames: readonly string[]): Promise<ImportedLabels> {
  const expanded = files.flatMap((file) =>
    /\.zip$/i.test(file.name) ? Object.entries(unzipSync(file.bytes)).filter(([name]) => !name.endsWith('/')).map(([name, bytes]) => ({ name, bytes })) : [file],
  );
  const sourceName = files.map((file) => file.name).join(', ');
  const aggregation = expanded.find((file) => /\.aggregation\.json$/i.test(file.name));
  const segments = expanded.find((file) => /\.segs\.json$/i.test(file.name));
  if (aggregation || segments) {
    if (!aggregation || !segments) throw new PointCloudFormatError({ format: 'scannet', fileName: sourceName, message: 'a ScanNet import needs both <scene>.aggregation.json and <scene>_vh_clean_2.0.010000.segs.json' });
    return fromScanNet(aggregation, segments, cloud, sourceName);
  }
  const named = expanded.filter((file) => /(^|\/)[a-z]+_\d+\.txt$/i.test(file.name));
  // In a room folder only Annotations/ counts: the room file itself may be called <class>_<n>.txt (office_1.txt).
  const inFolder = named.filter((file) => /(^|\/)Annotations\//.test(file.name));
  const annotations = inFolder.length > 0 ? inFolder : named;
  if (annotations.length > 0) return fromS3dis(annotations, cloud, sourceName);
  if (expanded.length !== 1) throw new PointCloudFormatError({ format: 'labels', fileName: sourceName, message: 'expected one label file, a ScanNet pair or S3DIS annotation files' });
  const [file] = expanded;
  if (/\.label$/i.test(file.name)) {
    const { semantic, instance } = readSemanticKittiLabels(file.bytes, { expectedPointCount: cloud.pointCount, fileName: file.name });
    const names = listClassNames('semantickitti');
    return groupObjects(sourceName, semantic.length, (point) => (semantic[point] === 0 ? undefined : `${semantic[point]}:${instance[point]}`), (key) => names[Number(key.split(':')[0])] ?? `class ${key.split(':')[0]}`);
  }
  let labels: { instance?: Int32Array; semantic?: Int32Array; classNames?: Record<number, string> };
  if (/\.json$/i.test(file.name)) labels = readLabelsJson(file.bytes, { expectedPointCount: cloud.pointCount, fileName: file.name });
  else {
    const read = await readPointCloud(file.bytes, { fileName: file.name });
    if (read.pointCount !== cloud.pointCount) {
      throw new PointCloudFormatError({ format: read.metadata?.format ?? 'labels', fileName: file.name, field: 'pointCount', message: `${read.pointCount} points, but the open scan has ${cloud.pointCount}` });
    }
    labels = read;
  }
  const { instance, semantic } = labels;
  if (!instance) throw new PointCloudFormatError({ format: 'labels', fileName: file.name, field: 'instance', message: 'no per-point instance labels to import' });
  const nameOf = (semanticId: number) => labels.classNames?.[semanticId] ?? classNames[semanticId - 1] ?? `class ${semanticId}`;
  const classOfObject = new Map<number, string>();
  instance.forEach((objectId, point) => {
    if (objectId > 0 && !classOfObject.has(objectId)) classOfObject.set(objectId, nameOf(semantic?.[point] ?? 0));
  });
  return keepIds(sourceName, instance, classOfObject);
}

/** Keeps the file's own object ids (so export → import → export keeps them). */
function keepIds(sourceName: string, instance: Int32Array, classOfObject: Map<number, string>): ImportedLabels {
  const counts = new Map<number, number>();
  for (const objectId of instance) if (objectId > 0) counts.set(objectId, (counts.get(objectId) ?? 0) + 1);
  const objects = [...counts.keys()].sort((left, right) => left - right).map((objectId) => ({ objectId, className: classOfObject.get(objectId)!, pointCount: counts.get(objectId)! }));
  return { sourceName, instance, objects };
}

/** Numbers objects 1.. in order of first appearance of their key. */
function groupObjects(sourceName: string, pointCount: number, keyOf: (point: number) => string | undefined, classNameOf: (key: string) => string): ImportedLabels {
  const idOfKey = new Map<string, number>();
  const classOfObject = new Map<number, string>();
  const instance = new Int32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    const key = keyOf(point);
    if (key === undefined) continue;
    let objectId = idOfKey.get(key);
    if (objectId === undefined) {
      objectId = idOfKey.size + 1;
      idOfKey.set(key, objectId);
      classOfObject.set(objectId, classNameOf(key));
    }
    instance[point] = objectId;
  }
  return keepIds(sourceName, instance, classOfObject);
}

function fromScanNet(aggregationFile: ImportFile, segmentsFile: ImportFile, cloud: PointCloud, sourceName: string): ImportedLabels {
  const parse = (file: ImportFile): Record<string, unknown> => {
    try {
      return JSON.parse(strFromU8(file.bytes)) as Record<string, unknown>;
    } catch (error) {
      throw new PointCloudFormatError({ format: 'scannet', fileName: file.name, message: `not valid JSON: ${(error as Error).message}` });
    }
  };
  const segIndices = parse(segmentsFile).segIndices as number[] | undefined;
  const groups = parse(aggregationFile).segGroups as { objectId: number; label: string; segments: number[] }[] | undefined;
  if (!Array.isArray(segIndices) || segIndices.length !== cloud.pointCount) {
    throw new PointCloudFormatError({ format: 'scannet', fileName: segmentsFile.name, field: 'segIndices', message: `expected ${cloud.pointCount} segment ids (one per point of the open scan), got ${Array.isArray(segIndices) ? segIndices.length : 'none'}` });
  }
  if (!Array.isArray(groups)) throw new PointCloudFormatError({ format: 'scannet', fileName: aggregationFile.name, field: 'segGroups', message: 'expected a segGroups array' });
  const objectOfSegment = new Map<number, number>();
  const classOfObject = new Map<number, string>();
  for (const group of groups) {
    for (const segment of group.segments) objectOfSegment.set(segment, group.objectId + 1);
    classOfObject.set(group.objectId + 1, group.label);
  }
  const instance = Int32Array.from(segIndices, (segment) => objectOfSegment.get(segment) ?? 0);
  return keepIds(sourceName, instance, classOfObject);
}

function fromS3dis(files: readonly ImportFile[], cloud: PointCloud, sourceName: string): ImportedLabels {
  const room = parseS3disRoom(files.map((file) => ({ name: file.name.replace(/^.*\//, ''), text: strFromU8(file.bytes) })));
  const pointOf = new Map<string, number>();
  for (let point = 0; point < cloud.pointCount; point++) pointOf.set(`${cloud.positions[point * 3]} ${cloud.positions[point * 3 + 1]} ${cloud.positions[point * 3 + 2]}`, point);
  const instance = new Int32Array(cloud.pointCount);
  const classOfObject = new Map<number, string>();
  const names = listClassNames('s3dis13');
  for (let point = 0; point < room.pointCount; point++) {
    const target = pointOf.get(`${room.positions[point * 3]} ${room.positions[point * 3 + 1]} ${room.positions[point * 3 + 2]}`);
    if (target === undefined) {
      throw new PointCloudFormatError({ format: 's3dis', fileName: sourceName, pointIndex: point, message: `point ${point} (${Array.from(room.positions.subarray(point * 3, point * 3 + 3)).join(' ')}) is not a point of the open scan` });
    }
    instance[target] = room.instance![point];
    classOfObject.set(room.instance![point], names[room.semantic![point]]);
  }
  return keepIds(sourceName, instance, classOfObject);
}
