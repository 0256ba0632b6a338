import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FORMAT_VERSION,
  CheckpointError,
  createModelFromCheckpoint,
  crc32,
  loadSegmenter as loadSegmenterFromUrl,
  parseCheckpointDocument,
  serializeCheckpoint,
  Segmenter,
  type CheckpointDocument,
  type Click,
  type SegmentationResult,
} from '../src/index.js';
import { loadSegmenter, saveCheckpoint } from '../src/node/index.js';
import { createTestConfig, createTestModel, makeRoomCloud, useCpuBackend } from './segmenter-fixtures.js';

const cloud = makeRoomCloud(800, 21);
const clicks: Click[] = [
  { pointIndex: 3, objectId: 1, kind: 'object' },
  { pointIndex: cloud.boxPointCount + 7, objectId: 2, kind: 'object' },
  { pointIndex: 2 * cloud.boxPointCount + 30, objectId: 1, kind: 'background' },
];

let directory: string;
let reference: Segmenter;
let referenceResult: SegmentationResult;
let referenceLogits: Float32Array;
let server: Server;
let baseUrl: string;

/** The last decoder stage's mask logits for `clicks` (what the labels are made from). */
function maskLogitsOf(segmenter: Segmenter): Float32Array {
  const model = segmenter.model;
  const output = model.backbone.apply({ positions: cloud.positions, colors: cloud.colors });
  const logits = tf.tidy(() => {
    const points = clicks.map((click) => (click as { pointIndex: number }).pointIndex);
    const { stages } = model.decoder.apply({
      levels: output.levels,
      clickVoxelIndices: Int32Array.from(points, (point) => output.inputToFinest[point]),
      clickPositions: Float32Array.from(points.flatMap((point) => [...cloud.positions.subarray(point * 3, point * 3 + 3)])),
    });
    return stages[stages.length - 1].maskLogits.dataSync() as Float32Array;
  });
  output.dispose();
  return logits;
}

function withoutTimings(result: SegmentationResult) {
  return { instance: [...result.instance], objects: result.objects };
}

/** Asserts that `load` fails with a CheckpointError matching `message` and allocates no tensor. */
async function expectCheckpointError(load: () => Promise<unknown>, message: RegExp): Promise<void> {
  const tensorsBefore = tf.memory().numTensors;
  const error = await load().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as Error).message).toMatch(message);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
}

beforeAll(async () => {
  await useCpuBackend();
  directory = await mkdtemp(join(tmpdir(), 'segmenter-checkpoint-'));
  reference = new Segmenter(createTestModel(13));
  reference.setScene(cloud);
  referenceResult = reference.segment(clicks);
  referenceLogits = maskLogitsOf(reference);
  await saveCheckpoint(reference.model, join(directory, 'saved'), { metadata: { step: 42 } });
  server = createServer((request, response) => {
    readFile(join(directory, decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)))
      .then((bytes) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(bytes);
      })
      .catch(() => {
        response.writeHead(404, 'Not Found');
        response.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no server address');
  baseUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  reference.dispose();
  await new Promise((resolve) => server.close(resolve));
  await rm(directory, { recursive: true, force: true });
});

/** A version-3 document as format version 2 stored it: grid size twice, graph settings in the decoder's config. */
function asVersion2(document: CheckpointDocument): CheckpointDocument {
  const { geodesicGraph, ...config } = document.config;
  const decoder = { ...config.decoder, geodesicPriorNeighborCount: geodesicGraph?.neighborCount, geodesicPriorColorWeight: geodesicGraph?.colorWeight };
  return { ...document, formatVersion: 2, config: { ...config, decoder, gridSize: config.backbone.gridSize } as CheckpointDocument['config'] };
}

describe('checkpoints pin every setting (format version 3)', () => {
  it('writes the resolved backbone, decoder and geodesic graph whole, the grid size once, and reads them back unchanged', () => {
    const { document } = serializeCheckpoint(reference.model);
    expect(document.formatVersion).toBe(3);
    expect(document.config.decoder).toEqual(reference.model.decoder.config);
    expect(document.config.backbone).toEqual(reference.model.backbone.config);
    // Fields the test configuration never set are written with the values the model was built with.
    for (const field of ['stageCount', 'fourierScale', 'stageLevels', 'feedForwardChannels'] as const) {
      expect(document.config.decoder[field]).toBeDefined();
    }
    expect(document.config.geodesicGraph).toEqual({ neighborCount: 12, colorWeight: 4, flatEdgeFactor: 1 });
    // The grid size is the backbone's alone; the graph settings are not the decoder's.
    expect(document.config).not.toHaveProperty('gridSize');
    expect(document.config.decoder).not.toHaveProperty('geodesicPriorNeighborCount');
    expect(document.config.decoder).not.toHaveProperty('geodesicPriorColorWeight');
    const parsed = parseCheckpointDocument(JSON.stringify(document), 'v3.json');
    expect(parsed.config).toEqual(JSON.parse(JSON.stringify(document.config)));
  });

  it('reads a version-2 file: gridSize checked and dropped, the graph settings moved to geodesicGraph', () => {
    const { document, weights } = serializeCheckpoint(reference.model);
    const version2 = asVersion2(document);
    version2.config.decoder = { ...version2.config.decoder, geodesicPriorNeighborCount: 7, geodesicPriorColorWeight: 2.5 } as typeof version2.config.decoder;
    const upgraded = parseCheckpointDocument(JSON.stringify(version2), 'v2.json');
    expect(upgraded.formatVersion).toBe(3);
    expect(upgraded.config).toEqual(JSON.parse(JSON.stringify({ ...document.config, geodesicGraph: { neighborCount: 7, colorWeight: 2.5 } })));
    const model = createModelFromCheckpoint(upgraded, weights, 'v2.json');
    expect(model.geodesicGraph).toEqual({ neighborCount: 7, colorWeight: 2.5, flatEdgeFactor: 1 });
    model.dispose();
    const parse = (config: object) => () => parseCheckpointDocument({ ...version2, config: { ...version2.config, ...config } }, 'v2.json');
    expect(parse({ gridSize: 0.02 })).toThrow(/v2\.json: field 'config\.gridSize': 0\.02 m differs from 'config\.backbone\.gridSize' 0\.05 m/);
    expect(parse({ gridSize: undefined })).toThrow(/field 'config\.gridSize': expected a positive number of metres/);
    expect(parse({ decoder: { ...version2.config.decoder, geodesicPriorNeighborCount: 0 } })).toThrow(
      /v2\.json: field 'config\.geodesicGraph\.neighborCount': expected a positive integer, got 0/,
    );
  });

  it('reads a version-1 file with the defaults it was written against, and upgrades it to version 3', () => {
    const { document, weights } = serializeCheckpoint(reference.model);
    // A version-1 file as the old writer stored it: only the fields the configuration gave.
    const version2 = asVersion2(document);
    const decoder: Record<string, unknown> = { ...version2.config.decoder };
    for (const field of ['stageCount', 'stageLevels', 'fourierScale', 'geodesicPriorNeighborCount', 'geodesicPriorColorWeight', 'distancePriorScale']) delete decoder[field];
    const backbone: Record<string, unknown> = { ...document.config.backbone };
    delete backbone.mlpRatio;
    delete backbone.inputLayout;
    const version1 = { ...version2, formatVersion: 1, config: { ...version2.config, decoder, backbone } };
    const upgraded = parseCheckpointDocument(JSON.stringify(version1), 'v1.json');
    expect(upgraded.formatVersion).toBe(3);
    expect(upgraded.config.decoder).toMatchObject({ stageCount: 4, fourierScale: 10, distancePriorScale: 3 });
    expect(upgraded.config.geodesicGraph).toEqual({ neighborCount: 12, colorWeight: 4 });
    expect(upgraded.config.decoder).toEqual(document.config.decoder);
    expect(upgraded.config.backbone).toMatchObject({ mlpRatio: 4, inputLayout: 'xyzrgb' });
    expect(upgraded.config).not.toHaveProperty('gridSize');
    // The upgraded document builds the same model: every weight loads by name and shape.
    const model = createModelFromCheckpoint(upgraded, weights, 'v1.json');
    expect(model.decoder.config).toEqual(reference.model.decoder.config);
    model.dispose();
    // A version-1 decoder configuration the decoder refuses is named as such.
    const broken = { ...version1, config: { ...version1.config, decoder: { ...decoder, headCount: 3 } } };
    expect(() => parseCheckpointDocument(JSON.stringify(broken), 'broken.json')).toThrow(/broken\.json: field 'config\.decoder': .*headCount/);
  });
});

describe('saveCheckpoint', () => {
  it('writes model.json and weights.bin atomically: no temporary files remain, the JSON describes the blob', async () => {
    const files = (await readdir(join(directory, 'saved'))).sort();
    expect(files).toEqual(['model.json', 'weights.bin']);
    const document = JSON.parse(await readFile(join(directory, 'saved', 'model.json'), 'utf8')) as CheckpointDocument;
    const weights = new Uint8Array(await readFile(join(directory, 'saved', 'weights.bin')));
    expect(document).toMatchObject({ kind: 'pointclick-segmenter', formatVersion: CHECKPOINT_FORMAT_VERSION, metadata: { step: 42 } });
    expect(document.config.classNames).toEqual(['wall', 'floor', 'chair', 'table']);
    expect(document.config.backbone.gridSize).toBe(0.05);
    expect(document.config).not.toHaveProperty('gridSize');
    expect(document.weights.byteLength).toBe(weights.byteLength);
    expect(document.weights.crc32).toBe(crc32(weights));
    // One manifest entry per variable, float32: 4 bytes per parameter (running statistics included).
    const variables = reference.model.namedVariables();
    expect(document.weights.manifest.map((entry) => entry.name)).toEqual([...variables.keys()]);
    expect(weights.byteLength).toBe(4 * [...variables.values()].reduce((total, variable) => total + variable.size, 0));
  });

  it('computes the standard CRC-32 (IEEE 802.3) check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('loadSegmenter', () => {
  it('loads from a directory path with identical outputs', async () => {
    const loaded = await loadSegmenter(join(directory, 'saved'));
    try {
      expect(maskLogitsOf(loaded)).toEqual(referenceLogits);
      loaded.setScene(cloud);
      expect(withoutTimings(loaded.segment(clicks))).toEqual(withoutTimings(referenceResult));
      expect(loaded.classNames).toEqual(reference.classNames);
    } finally {
      loaded.dispose();
    }
  });

  it('loads from the model.json path and from a file: URL', async () => {
    for (const source of [join(directory, 'saved', 'model.json'), pathToFileURL(join(directory, 'saved', 'model.json'))]) {
      const loaded = await loadSegmenter(source);
      expect(maskLogitsOf(loaded)).toEqual(referenceLogits);
      loaded.dispose();
    }
  });

  it('loads from { document, weights } bytes: JSON text or object, ArrayBuffer or an unaligned Uint8Array view', async () => {
    const text = await readFile(join(directory, 'saved', 'model.json'), 'utf8');
    const bytes = new Uint8Array(await readFile(join(directory, 'saved', 'weights.bin')));
    const unaligned = new Uint8Array(bytes.byteLength + 1);
    unaligned.set(bytes, 1);
    const sources = [
      { document: text, weights: bytes.slice().buffer },
      { document: JSON.parse(text) as CheckpointDocument, weights: unaligned.subarray(1) },
    ];
    for (const source of sources) {
      const loaded = await loadSegmenter(source);
      expect(maskLogitsOf(loaded)).toEqual(referenceLogits);
      loaded.dispose();
    }
  });

  it('loads from an http URL with the root entry, fetching the weights beside the JSON (the browser path)', async () => {
    const loaded = await loadSegmenterFromUrl(`${baseUrl}/saved/model.json`);
    try {
      loaded.setScene(cloud);
      expect(withoutTimings(loaded.segment(clicks))).toEqual(withoutTimings(referenceResult));
    } finally {
      loaded.dispose();
    }
    await expectCheckpointError(() => loadSegmenterFromUrl(`${baseUrl}/missing/model.json`), /missing\/model\.json: HTTP 404/);
    // The root entry has no file system: a bare path is refused, naming the Node entry.
    await expectCheckpointError(() => loadSegmenterFromUrl(join(directory, 'saved')), /not a URL; file paths are read by loadSegmenter from @pointclick\/segmenter\/node/);
    // The Node entry takes URLs too.
    const viaNode = await loadSegmenter(`${baseUrl}/saved/model.json`);
    viaNode.dispose();
  });

  it('round-trips float16 weights to within half precision', async () => {
    await saveCheckpoint(reference.model, join(directory, 'half'), { weightsDtype: 'float16' });
    const full = (await readFile(join(directory, 'saved', 'weights.bin'))).byteLength;
    expect((await readFile(join(directory, 'half', 'weights.bin'))).byteLength).toBe(full / 2);
    const loaded = await loadSegmenter(join(directory, 'half'));
    const logits = maskLogitsOf(loaded);
    loaded.dispose();
    let largest = 0;
    referenceLogits.forEach((value, index) => (largest = Math.max(largest, Math.abs(value - logits[index]))));
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(0.05);
  });
});

describe('loadSegmenter errors: a CheckpointError and no tensor left behind', () => {
  let text: string;
  let bytes: Uint8Array;

  beforeAll(async () => {
    text = await readFile(join(directory, 'saved', 'model.json'), 'utf8');
    bytes = new Uint8Array(await readFile(join(directory, 'saved', 'weights.bin')));
  });

  it('refuses a truncated weight file, on disk and over http', async () => {
    const truncated = join(directory, 'truncated');
    await saveCheckpoint(reference.model, truncated);
    await writeFile(join(truncated, 'weights.bin'), bytes.subarray(0, bytes.byteLength - 100));
    await expectCheckpointError(
      () => loadSegmenter(truncated),
      new RegExp(`weight file 'weights\\.bin' has ${bytes.byteLength - 100} bytes, the checkpoint expects ${bytes.byteLength} \\(truncated\\)`),
    );
    await expectCheckpointError(() => loadSegmenter(`${baseUrl}/truncated/model.json`), /\(truncated\)/);
  });

  it('refuses a weight file whose CRC-32 does not match', async () => {
    const corrupted = bytes.slice();
    corrupted[corrupted.length >> 1] ^= 0x10;
    await expectCheckpointError(() => loadSegmenter({ document: text, weights: corrupted, name: 'corrupted.json' }), /corrupted\.json: .*CRC-32 mismatch/);
  });

  it('refuses a checkpoint of another architecture', async () => {
    // Weights of a wider backbone under this architecture's config: same names, other shapes.
    const other = createTestModel(13, {
      backbone: { ...createTestConfig().backbone, encoderChannels: [8, 16, 24] },
      decoder: { ...createTestConfig().decoder, levelChannels: [24, 16, 8] },
    });
    const { weights: otherWeights, document: otherDocument } = serializeCheckpoint(other);
    other.dispose();
    const mixed = { ...(JSON.parse(text) as CheckpointDocument), weights: otherDocument.weights };
    await expectCheckpointError(() => loadSegmenter({ document: mixed, weights: otherWeights, name: 'mixed' }), /^mixed: weight file 'weights\.bin': '[\w.]+' has shape \[[\d,]+\] but the model expects \[[\d,]+\]/);
    // A manifest with a tensor this architecture lacks (one more decoder stage).
    const deeper = createTestModel(13, { decoder: { ...createTestConfig().decoder, stageCount: 5 } });
    const serialized = serializeCheckpoint(deeper);
    deeper.dispose();
    const renamed = { ...(JSON.parse(text) as CheckpointDocument), weights: serialized.document.weights };
    await expectCheckpointError(
      () => loadSegmenter({ document: renamed, weights: serialized.weights, name: 'deeper' }),
      /^deeper: weight file 'weights\.bin': weights do not match the model architecture; unexpected \d+ \(first: 'click_decoder\.stage_\d\./,
    );
  });

  it('refuses a config that cannot be built, without leaking the half-built backbone', async () => {
    const document = JSON.parse(text) as CheckpointDocument;
    document.config.decoder = { ...document.config.decoder, headCount: 3 };
    await expectCheckpointError(() => loadSegmenter({ document, weights: bytes, name: 'bad-heads' }), /bad-heads: cannot build the architecture in 'config': .*headCount/);
  });

  it('names the field of a malformed document', () => {
    const document = JSON.parse(text) as CheckpointDocument;
    const parse = (value: unknown) => () => parseCheckpointDocument(value as CheckpointDocument, 'model.json');
    expect(() => parseCheckpointDocument('{ not json', 'model.json')).toThrow(/model\.json: not valid JSON/);
    expect(parse({ ...document, kind: 'other' })).toThrow(/field 'kind': expected 'pointclick-segmenter'/);
    expect(parse({ ...document, formatVersion: 4 })).toThrow(/field 'formatVersion': this build reads versions 1 to 3, the file has 4/);
    expect(parse({ ...document, config: { ...document.config, classNames: [1, 2] } })).toThrow(/field 'config\.classNames'/);
    expect(parse({ ...document, config: { ...document.config, backbone: { ...document.config.backbone, gridSize: -1 } } })).toThrow(
      /field 'config\.backbone\.gridSize': expected a positive number of metres/,
    );
    expect(parse({ ...document, config: { ...document.config, geodesicGraph: 12 } })).toThrow(/field 'config\.geodesicGraph': expected an object/);
    expect(parse({ ...document, config: { ...document.config, geodesicGraph: { colorWeight: -1 } } })).toThrow(
      /field 'config\.geodesicGraph\.colorWeight': expected a finite number ≥ 0, got -1/,
    );
    for (const scaledSceneLimit of [0, -1, 'near']) {
      expect(parse({ ...document, config: { ...document.config, geodesicGraph: { scaledSceneLimit } } })).toThrow(
        new RegExp(`field 'config\\.geodesicGraph\\.scaledSceneLimit': expected a finite number of metres > 0, got ${JSON.stringify(scaledSceneLimit)}`),
      );
    }
    for (const flatEdgeFactor of [0, 1.5, 'flat']) {
      expect(parse({ ...document, config: { ...document.config, geodesicGraph: { flatEdgeFactor } } })).toThrow(
        new RegExp(`field 'config\\.geodesicGraph\\.flatEdgeFactor': expected a number in \\(0, 1\\], got ${JSON.stringify(flatEdgeFactor)}`),
      );
    }
    expect(parse({ ...document, config: { ...document.config, localityGain: -2 } })).toThrow(/field 'config\.localityGain': expected a finite number ≥ 0 \(logits per metre\), got -2/);
    expect(parse({ ...document, config: { ...document.config, localityGain: 'high' } })).toThrow(/field 'config\.localityGain'.*got "high"/);
    const withPrior = { ...document.config, decoder: { ...document.config.decoder, geodesicPriorLimit: 2 } };
    expect(parse({ ...document, config: { ...withPrior, localityGain: 6 } })().config.localityGain).toBe(6);
    expect(parse({ ...document, config: { ...document.config, localityGain: 6 } })).toThrow(
      /field 'config\.localityGain': 6 needs the decoder's geodesic click prior/,
    );
    expect(parse({ ...document, config: { ...document.config, superpoints: true } })).toThrow(/field 'config\.superpoints': expected an object/);
    expect(parse({ ...document, config: { ...document.config, superpoints: { pooling: 'yes' } } })).toThrow(/field 'config\.superpoints\.pooling': expected true or false, got "yes"/);
    expect(parse({ ...document, config: { ...document.config, superpoints: { scale: -1 } } })).toThrow(/field 'config\.superpoints\.scale'/);
    expect(parse({ ...document, config: { ...document.config, superpoints: { minimumSize: 0.5 } } })).toThrow(/field 'config\.superpoints\.minimumSize': expected an integer ≥ 1/);
    for (const voxelLogitWeight of [-0.1, 1.5, 'half']) {
      expect(parse({ ...document, config: { ...document.config, superpoints: { voxelLogitWeight } } })).toThrow(
        new RegExp(`field 'config\\.superpoints\\.voxelLogitWeight': expected a number in \\[0, 1\\], got ${JSON.stringify(voxelLogitWeight)}`),
      );
    }
    expect(parse({ ...document, config: { ...document.config, superpoints: { voxelLogitWeight: 0.5, voxelLogitClicks: 4 } } })().config.superpoints).toEqual({ voxelLogitWeight: 0.5, voxelLogitClicks: 4 });
    expect(parse({ ...document, config: { ...document.config, superpoints: { voxelLogitClicks: 1.5 } } })).toThrow(/field 'config\.superpoints\.voxelLogitClicks': expected an integer ≥ 1 \(clicks\), got 1.5/);
    expect(parse({ ...document, config: { ...document.config, superpoints: { voxelLogitWeight: 0.5 }, clickAdaptation: { regularization: 1 } } })).toThrow(
      /field 'config\.superpoints\.voxelLogitWeight': must be 0 or absent when 'config\.clickAdaptation' is set/,
    );
    expect(parse({ ...document, config: { ...document.config, superpoints: { clickConstraints: false, pooling: true, scale: 0.3 } } })().config.superpoints).toEqual({ clickConstraints: false, pooling: true, scale: 0.3 });
    expect(parse({ ...document, weights: { ...document.weights, crc32: 'x' } })).toThrow(/field 'weights': expected \{ file, byteLength, crc32, manifest \}/);
    expect(parse({ ...document, config: undefined })).toThrow(CheckpointError);
  });

  it('reads the optional calibration temperature and names a bad one', () => {
    const document = JSON.parse(text) as CheckpointDocument;
    const parse = (calibration: unknown) => () => parseCheckpointDocument({ ...document, config: { ...document.config, calibration } } as CheckpointDocument, 'model.json');
    expect(parseCheckpointDocument(document, 'model.json').config.calibration).toBeUndefined();
    expect(parse({ temperature: 1.7 })().config.calibration).toEqual({ temperature: 1.7 });
    expect(parse({ temperature: 0 })).toThrow(/field 'config\.calibration': expected \{ temperature \} with a finite temperature > 0, got \{"temperature":0\}/);
    expect(parse({})).toThrow(/field 'config\.calibration'/);
    expect(parse(2)).toThrow(/field 'config\.calibration'.*got 2/);
  });

  it('reads the optional click adaptation and names a bad one', () => {
    const document = JSON.parse(text) as CheckpointDocument;
    const parse = (clickAdaptation: unknown) => () => parseCheckpointDocument({ ...document, config: { ...document.config, clickAdaptation } } as CheckpointDocument, 'model.json');
    expect(parseCheckpointDocument(document, 'model.json').config.clickAdaptation).toBeUndefined();
    expect(parse({ regularization: 1 })().config.clickAdaptation).toEqual({ regularization: 1 });
    expect(parse({ regularization: 0 })).toThrow(/model\.json: field 'config\.clickAdaptation': expected \{ regularization \} with a finite regularization > 0, got \{"regularization":0\}/);
    expect(parse({})).toThrow(/field 'config\.clickAdaptation'/);
    expect(parse('on')).toThrow(/field 'config\.clickAdaptation'.*got "on"/);
  });

  it('reads the optional test-time rotations and names a bad value', () => {
    const document = JSON.parse(text) as CheckpointDocument;
    const parse = (testTimeRotations: unknown) => () => parseCheckpointDocument({ ...document, config: { ...document.config, testTimeRotations } } as CheckpointDocument, 'model.json');
    expect(parseCheckpointDocument(document, 'model.json').config.testTimeRotations).toBeUndefined();
    expect(parse(4)().config.testTimeRotations).toBe(4);
    expect(parse(3)).toThrow(/model\.json: field 'config\.testTimeRotations': expected 1, 2 or 4 backbone passes, got 3/);
    expect(parse('2')).toThrow(/field 'config\.testTimeRotations'.*got "2"/);
  });

  it('refuses a missing path and a missing weight file', async () => {
    await expectCheckpointError(() => loadSegmenter(join(directory, 'nowhere')), /nowhere: no such file or directory/);
    const lonely = join(directory, 'lonely');
    await saveCheckpoint(reference.model, lonely);
    await rm(join(lonely, 'weights.bin'));
    await expectCheckpointError(() => loadSegmenter(lonely), /weights\.bin: cannot read the weight file/);
  });
});
