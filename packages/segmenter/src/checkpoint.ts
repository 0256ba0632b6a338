import { resolveDecoderConfig } from '@pointclick/decoder';
import { computeCrc32 } from '@pointclick/io';
import { loadWeights, serializeWeights, WeightLoadError, type WeightEntry } from '@pointclick/nn';
import { InteractiveSegmentationModel } from './interactive-segmentation-model.js';
import { CHECKPOINT_FORMAT_VERSION, findSuperpointSettingProblem, TEST_TIME_ROTATIONS, type SegmenterConfig } from './segmenter-config.js';
import { CheckpointError } from './segmenter-errors.js';
import { upgradeCheckpointConfig } from './checkpoint-upgrade.js';
import { resolveGeodesicGraph } from './click-geodesic-distances.js';
import { findCorrectionReachProblem } from './correction-reach.js';
import { findStructuralReachProblem } from './structural-reach.js';
import { isClassStageCount } from './class-calibration.js';
import { Segmenter } from './segmenter.js';
import { findProvenanceProblem } from './training-provenance.js';

/** The checkpoint's JSON document. */
export interface CheckpointDocument {
  /** Always `'pointclick-segmenter'`. */
  kind: 'pointclick-segmenter';
  /** Checkpoint format version; see `CHECKPOINT_FORMAT_VERSION`. */
  formatVersion: number;
  /** Architecture, class names, geodesic graph and inference settings. */
  config: SegmenterConfig;
  /** The weight blob beside the JSON. */
  weights: {
    /** File name relative to the JSON. */
    file: string;
    /** Exact size of the blob in bytes. */
    byteLength: number;
    /** CRC-32 of the blob, to catch corrupted downloads. */
    crc32: number;
    /** Every tensor's name, shape and byte range. */
    manifest: WeightEntry[];
  };
  /** Free-form provenance (training command, step, data). */
  metadata?: Record<string, unknown>;
}

/** What {@link loadSegmenter} accepts. */
export type CheckpointSource =
  | string
  | URL
  | { document: CheckpointDocument | string; weights: ArrayBuffer | Uint8Array; name?: string };

/** CRC-32 (IEEE) of `bytes`: `@pointclick/io`'s `computeCrc32` under the name checkpoints use. */
export function crc32(bytes: Uint8Array): number {
  return computeCrc32(bytes);
}

/** Serialises a model into a checkpoint document and its weight blob. */
export function serializeCheckpoint(
  model: InteractiveSegmentationModel,
  options: {
    weightsFile?: string;
    metadata?: Record<string, unknown>;
    /** Storage type of the weights: float32 (exact) or float16 (half the size). Default float32. */
    weightsDtype?: 'float32' | 'float16';
  } = {},
): { document: CheckpointDocument; weights: Uint8Array } {
  const { manifest, data } = serializeWeights(model, { dtype: options.weightsDtype });
  return {
    document: {
      kind: 'pointclick-segmenter',
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      // Every architecture and graph setting whole, defaults filled in: a later change of a code default cannot
      // change this file.
      config: {
        ...model.config,
        backbone: { ...model.backbone.config, orders: [...model.backbone.config.orders] },
        decoder: model.decoder.config,
        geodesicGraph: { ...model.geodesicGraph },
      },
      weights: { file: options.weightsFile ?? 'weights.bin', byteLength: data.byteLength, crc32: crc32(data), manifest },
      metadata: options.metadata,
    },
    weights: data,
  };
}

/** Checks the document's structure; throws a {@link CheckpointError} naming the field. */
export function parseCheckpointDocument(text: string | CheckpointDocument, source: string): CheckpointDocument {
  let document: unknown = text;
  if (typeof text === 'string') {
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new CheckpointError(source, `not valid JSON (${(error as Error).message})`, { cause: error });
    }
  }
  const record = document as Partial<CheckpointDocument>;
  if (!record || typeof record !== 'object' || record.kind !== 'pointclick-segmenter') {
    throw new CheckpointError(source, "field 'kind': expected 'pointclick-segmenter'");
  }
  const formatVersion = record.formatVersion;
  if (formatVersion !== 1 && formatVersion !== 2 && formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      source,
      `field 'formatVersion': this build reads versions 1 to ${CHECKPOINT_FORMAT_VERSION}, the file has ${String(formatVersion)}`,
    );
  }
  if (!record.config || typeof record.config !== 'object' || !record.config.backbone || !record.config.decoder) {
    throw new CheckpointError(source, "field 'config': expected { backbone, decoder, classNames }");
  }
  // Older files are upgraded to what the code that wrote them meant.
  const config = formatVersion === CHECKPOINT_FORMAT_VERSION ? record.config : upgradeCheckpointConfig(record.config, formatVersion, source);
  if (!Array.isArray(config.classNames) || !config.classNames.every((name) => typeof name === 'string')) {
    throw new CheckpointError(source, "field 'config.classNames': expected an array of strings");
  }
  const gridSize = config.backbone.gridSize;
  if (typeof gridSize !== 'number' || !(gridSize > 0)) {
    throw new CheckpointError(source, "field 'config.backbone.gridSize': expected a positive number of metres");
  }
  try {
    resolveGeodesicGraph(config.geodesicGraph);
  } catch (error) {
    throw new CheckpointError(source, (error as Error).message, { cause: error });
  }
  if (config.localityGain !== undefined && !(typeof config.localityGain === 'number' && config.localityGain >= 0 && Number.isFinite(config.localityGain))) {
    throw new CheckpointError(source, `field 'config.localityGain': expected a finite number ≥ 0 (logits per metre), got ${JSON.stringify(config.localityGain)}`);
  }
  if ((config.localityGain ?? 0) > 0 && !((config.decoder.geodesicPriorLimit ?? 0) > 0)) {
    throw new CheckpointError(
      source,
      `field 'config.localityGain': ${config.localityGain} needs the decoder's geodesic click prior ('config.decoder.geodesicPriorLimit' > 0), which this model lacks`,
    );
  }
  if (config.inputScale !== undefined && config.inputScale !== 'auto' && !(typeof config.inputScale === 'number' && config.inputScale > 0 && Number.isFinite(config.inputScale))) {
    throw new CheckpointError(source, `field 'config.inputScale': expected a positive number or 'auto', got ${JSON.stringify(config.inputScale)}`);
  }
  if (config.testTimeRotations !== undefined && !TEST_TIME_ROTATIONS.includes(config.testTimeRotations)) {
    throw new CheckpointError(source, `field 'config.testTimeRotations': expected 1, 2 or 4 backbone passes, got ${JSON.stringify(config.testTimeRotations)}`);
  }
  const adaptation: unknown = config.clickAdaptation;
  if (adaptation !== undefined) {
    const regularization: unknown = typeof adaptation === 'object' && adaptation !== null ? (adaptation as Record<string, unknown>).regularization : undefined;
    if (!(typeof regularization === 'number' && regularization > 0 && Number.isFinite(regularization))) {
      throw new CheckpointError(source, `field 'config.clickAdaptation': expected { regularization } with a finite regularization > 0, got ${JSON.stringify(adaptation)}`);
    }
  }
  const reach: unknown = config.correctionReach;
  if (reach !== undefined) {
    const problem = reach && typeof reach === 'object' && !Array.isArray(reach) ? findCorrectionReachProblem(reach) : { field: undefined, expected: 'an object { factor, limit? }', value: reach };
    if (problem) {
      throw new CheckpointError(source, `field 'config.correctionReach${problem.field ? `.${problem.field}` : ''}': expected ${problem.expected}, got ${JSON.stringify(problem.value)}`);
    }
    if (!((config.decoder.geodesicPriorLimit ?? 0) > 0)) {
      throw new CheckpointError(source, "field 'config.correctionReach': needs the decoder's geodesic click prior ('config.decoder.geodesicPriorLimit' > 0), which this model lacks");
    }
  }
  const structuralReach: unknown = config.structuralReach;
  if (structuralReach !== undefined) {
    const problem = structuralReach && typeof structuralReach === 'object' && !Array.isArray(structuralReach)
      ? findStructuralReachProblem(structuralReach, config.classNames)
      : { field: undefined, expected: 'an object { factor, classes? }', value: structuralReach };
    if (problem) {
      throw new CheckpointError(source, `field 'config.structuralReach${problem.field ? `.${problem.field}` : ''}': expected ${problem.expected}, got ${JSON.stringify(problem.value)}`);
    }
    if (!((config.decoder.geodesicPriorLimit ?? 0) > 0) || config.decoder.geodesicReach) {
      throw new CheckpointError(source, "field 'config.structuralReach': needs the decoder's geodesic click prior ('config.decoder.geodesicPriorLimit' > 0) without its learned reach ('config.decoder.geodesicReach'), which this model does not have");
    }
  }
  const classStageCount: unknown = config.classStageCount;
  if (classStageCount !== undefined) {
    let stageCount: number | undefined;
    try {
      stageCount = resolveDecoderConfig(config.decoder).stageCount;
    } catch {
      stageCount = undefined; // an invalid decoder configuration is reported when the model is built
    }
    if (!isClassStageCount(classStageCount, stageCount)) {
      const expected = stageCount === undefined ? "a positive integer, at most the decoder's stage count" : `an integer from 1 to ${stageCount} (the decoder's stages)`;
      throw new CheckpointError(source, `field 'config.classStageCount': expected ${expected}, got ${JSON.stringify(classStageCount)}`);
    }
  }
  const calibration: unknown = config.calibration;
  if (calibration !== undefined) {
    const temperature: unknown = typeof calibration === 'object' && calibration !== null ? (calibration as Record<string, unknown>).temperature : undefined;
    if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
      throw new CheckpointError(source, `field 'config.calibration': expected { temperature } with a finite temperature > 0, got ${JSON.stringify(calibration)}`);
    }
    const classBias: unknown = (calibration as Record<string, unknown>).classBias;
    if (classBias !== undefined && !(Array.isArray(classBias) && classBias.length === config.classNames.length && classBias.every((value) => typeof value === 'number' && Number.isFinite(value)))) {
      const got = Array.isArray(classBias) ? `${classBias.length} entries${classBias.every((value) => typeof value === 'number' && Number.isFinite(value)) ? '' : ' with a non-finite or non-number one'}` : JSON.stringify(classBias);
      throw new CheckpointError(source, `field 'config.calibration.classBias': expected an array of ${config.classNames.length} finite numbers (one per class name), got ${got}`);
    }
  }
  const superpoints: unknown = config.superpoints;
  if (superpoints !== undefined) {
    if (!superpoints || typeof superpoints !== 'object' || Array.isArray(superpoints)) {
      throw new CheckpointError(source, `field 'config.superpoints': expected an object { clickConstraints?, pooling?, voxelLogitWeight?, voxelLogitClicks?, smoothing?, scale?, minimumSize? }, got ${JSON.stringify(superpoints)}`);
    }
    const fields = superpoints as Record<string, unknown>;
    for (const name of ['clickConstraints', 'pooling']) {
      if (fields[name] !== undefined && typeof fields[name] !== 'boolean') {
        throw new CheckpointError(source, `field 'config.superpoints.${name}': expected true or false, got ${JSON.stringify(fields[name])}`);
      }
    }
    if (fields.scale !== undefined && !(typeof fields.scale === 'number' && fields.scale >= 0 && Number.isFinite(fields.scale))) {
      throw new CheckpointError(source, `field 'config.superpoints.scale': expected a finite number ≥ 0, got ${JSON.stringify(fields.scale)}`);
    }
    if (fields.minimumSize !== undefined && !(Number.isInteger(fields.minimumSize) && (fields.minimumSize as number) >= 1)) {
      throw new CheckpointError(source, `field 'config.superpoints.minimumSize': expected an integer ≥ 1 (points), got ${JSON.stringify(fields.minimumSize)}`);
    }
    const voxelLogitProblem = findSuperpointSettingProblem(fields);
    if (voxelLogitProblem) {
      const { field, value, expected } = voxelLogitProblem;
      throw new CheckpointError(source, `field 'config.superpoints.${field}': expected ${expected}, got ${JSON.stringify(value)}`);
    }
    if (typeof fields.voxelLogitWeight === 'number' && fields.voxelLogitWeight > 0 && config.clickAdaptation !== undefined) {
      throw new CheckpointError(source, "field 'config.superpoints.voxelLogitWeight': must be 0 or absent when 'config.clickAdaptation' is set (adaptation works on one probability per superpoint)");
    }
  }
  if (config.provenance !== undefined) {
    const problem = findProvenanceProblem(config.provenance);
    if (problem) throw new CheckpointError(source, problem);
  }
  const weights = record.weights;
  if (
    !weights ||
    typeof weights.file !== 'string' ||
    !Number.isInteger(weights.byteLength) ||
    !Number.isInteger(weights.crc32) ||
    !Array.isArray(weights.manifest)
  ) {
    throw new CheckpointError(source, "field 'weights': expected { file, byteLength, crc32, manifest }");
  }
  return { ...(record as CheckpointDocument), formatVersion: CHECKPOINT_FORMAT_VERSION, config };
}

/**
 * Builds a model from a document and weight blob. Sizes, checksum, names and shapes are all checked before
 * any weight is assigned; on failure the half-built model is disposed and a {@link CheckpointError} thrown.
 */
export function createModelFromCheckpoint(
  document: CheckpointDocument,
  weights: Uint8Array,
  source: string,
): InteractiveSegmentationModel {
  if (weights.byteLength !== document.weights.byteLength) {
    throw new CheckpointError(
      source,
      `weight file '${document.weights.file}' has ${weights.byteLength} bytes, the checkpoint expects ${document.weights.byteLength}` +
        (weights.byteLength < document.weights.byteLength ? ' (truncated)' : ''),
    );
  }
  if (crc32(weights) !== document.weights.crc32) {
    throw new CheckpointError(source, `weight file '${document.weights.file}' is corrupted (CRC-32 mismatch)`);
  }
  let model: InteractiveSegmentationModel;
  try {
    model = new InteractiveSegmentationModel(document.config);
  } catch (error) {
    throw new CheckpointError(source, `cannot build the architecture in 'config': ${(error as Error).message}`, { cause: error });
  }
  try {
    // CheckpointError already names the source; the inner message names the weight file.
    loadWeights(model, document.weights.manifest, weights, `weight file '${document.weights.file}'`);
  } catch (error) {
    model.dispose();
    if (error instanceof WeightLoadError) throw new CheckpointError(source, error.message, { cause: error });
    throw error;
  }
  return model;
}

/** Reads the bytes at a location: an HTTP(S), blob: or data: URL in the root entry, a path in the Node one. */
export type ResourceReader = (location: string) => Promise<Uint8Array>;

async function fetchBytes(location: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(location);
  } catch (error) {
    throw new CheckpointError(location, `cannot fetch: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) throw new CheckpointError(location, `HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A segmenter from a checkpoint already in memory: the JSON (text or object) and the weight bytes. */
function loadFromBytes(source: Exclude<CheckpointSource, string | URL>): Segmenter {
  const name = source.name ?? 'checkpoint';
  const document = parseCheckpointDocument(source.document, name);
  const weights = source.weights instanceof Uint8Array ? source.weights : new Uint8Array(source.weights);
  return new Segmenter(createModelFromCheckpoint(document, weights, name));
}

/**
 * Reads the checkpoint JSON at `location`, then the weight blob `resolveBeside(location, file)`, both with
 * `read`, and builds the segmenter. The root `loadSegmenter` reads with `fetch`, `@pointclick/segmenter/node`'s
 * from the file system.
 */
export async function loadCheckpointFrom(
  location: string,
  read: ResourceReader,
  resolveBeside: (documentLocation: string, file: string) => string,
): Promise<Segmenter> {
  const document = parseCheckpointDocument(new TextDecoder().decode(await read(location)), location);
  const weightsLocation = resolveBeside(location, document.weights.file);
  const weights = await read(weightsLocation).catch((error: unknown) => {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(weightsLocation, `cannot read the weight file: ${(error as Error).message}`, { cause: error });
  });
  return new Segmenter(createModelFromCheckpoint(document, weights, location));
}

/**
 * Loads a segmenter from a checkpoint, in the browser or any runtime with `fetch`:
 * - a URL (or a string resolved against the page's location) of the checkpoint JSON, the weights fetched
 *   beside it;
 * - `{ document, weights }` with the JSON (text or object) and the weight bytes already in memory.
 * File paths are read by the Node entry's `loadSegmenter` (`@pointclick/segmenter/node`).
 */
export async function loadSegmenter(source: CheckpointSource): Promise<Segmenter> {
  if (typeof source === 'object' && !(source instanceof URL)) return loadFromBytes(source);
  const base = typeof location !== 'undefined' ? location.href : undefined;
  let url: URL;
  try {
    url = new URL(source instanceof URL ? source.href : source, base);
  } catch (error) {
    throw new CheckpointError(String(source), 'not a URL; file paths are read by loadSegmenter from @pointclick/segmenter/node', { cause: error });
  }
  return loadCheckpointFrom(url.href, fetchBytes, (documentLocation, file) => new URL(file, documentLocation).href);
}

/** The in-memory form of {@link loadSegmenter}, for the Node entry. */
export { loadFromBytes as loadSegmenterFromBytes };
