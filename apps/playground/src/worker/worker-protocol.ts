import type { BackendInfo } from '@pointclick/tfjs-kernels/browser';
import type { SegmentationConstraints, SegmentationRegion, SegmentedObject } from '@pointclick/segmenter';
import type { LabelExportInput } from '../export/label-export.js';
import type { LabelExportFormat } from '../export/label-formats.js';
import type { ImportedLabels } from '../export/label-import.js';
import type { ScanLabelChanges } from './scan-segmenter.js';

/** A click as the page stores it and the worker forwards it to the segmenter. */
export interface PlaygroundClick {
  /** Index of the clicked point in the loaded scan. */
  pointIndex: number;
  /** Object the click belongs to (1…); for background clicks the object that was active. */
  objectId: number;
  /** `'object'` marks the object, `'background'` marks a point that belongs to no object. */
  kind: 'object' | 'background';
}

/**
 * How the worker reads a scan file:
 * - `'random-access'` (the page's default): `readPointCloudBlob` — every chunked LAZ (LAS 1.2–1.4) is read one
 *   LASzip chunk at a time through `Blob.slice`; every other format goes through `file.stream()` exactly as
 *   `'stream'` does, so no format holds more than it did.
 * - `'stream'`: `readPointCloudStream(file.stream())`, the page's path before random access — the same for every
 *   format but point-wise LAZ (LAS ≤ 1.3), which a plain stream collects whole before decoding.
 * - `'whole'`: `file.arrayBuffer()`, then `readPointCloud` — the whole file beside the arrays for every format, the
 *   reference of the open benchmark.
 */
export type ScanReading = 'random-access' | 'stream' | 'whole';

/** The readings a page accepts (its `?read=` query parameter). */
export const SCAN_READINGS: readonly ScanReading[] = ['random-access', 'stream', 'whole'];

/** Messages from the page to the segmentation worker. */
export type WorkerRequest =
  | {
      type: 'initialize';
      /** Absolute URL of the checkpoint's `model.json`. */
      modelUrl: string;
      /** Absolute URL prefix (trailing slash) of the tfjs `.wasm` files. */
      wasmPath: string;
      /** Backend to try first; the worker falls back to the others. */
      preferredBackend?: 'webgpu' | 'wasm' | 'cpu';
    }
  | {
      type: 'load-file';
      /** The file itself (structured-cloned by reference to its data, not copied): the worker reads it in parts. */
      file: Blob;
      fileName: string;
      /** How the worker reads it (default `'random-access'`); the others are references for benchmarks. */
      reading?: ScanReading;
    }
  | { type: 'load-default-scene'; seed: number }
  | {
      type: 'segment';
      requestId: number;
      clicks: PlaygroundClick[];
      /** Brush and lasso corrections (painted and erased points per object), passed to the segmenter as they are. */
      constraints?: SegmentationConstraints;
    }
  | LabelFileRequest;

/** Label export and import, handled in the worker (it holds the scan, and large files must not block the page). */
export type LabelFileRequest =
  | {
      type: 'export-labels';
      /** Names this export in every message about it. */
      exportId: number;
      format: LabelExportFormat;
      baseName: string;
      /** Bytes per chunk sent to the page (the writers' default, 4 MiB, when absent). */
      chunkBytes?: number;
      labels: Omit<LabelExportInput, 'positions' | 'colors'>;
    }
  | { type: 'import-labels'; files: { name: string; bytes: Uint8Array }[]; classNames: string[] }
  | ExportControl;

/**
 * The page's side of a streaming export, handled as soon as it arrives (not queued behind the export itself): the
 * page has written a chunk (the worker keeps at most a few chunks in flight), or the user or a failed write stopped it.
 */
export type ExportControl = { type: 'export-chunk-written'; exportId: number } | { type: 'cancel-export'; exportId: number };

/** Answers to {@link LabelFileRequest}s. An export is `export-started`, `export-chunk`s in order, then `export-done`. */
export type LabelFileResponse =
  | { type: 'export-started'; exportId: number; fileName: string; mimeType: string; byteLength: number }
  | { type: 'export-chunk'; exportId: number; chunkIndex: number; bytes: Uint8Array }
  | { type: 'export-done'; exportId: number; chunkCount: number; byteLength: number }
  | { type: 'imported-labels'; labels: ImportedLabels }
  /** `exportId` is set when an export failed (after it started, the page discards what it wrote). */
  | { type: 'label-file-error'; message: string; exportId?: number };

/** The scan as the worker read it, with arrays copied for the page (transferred, not cloned). */
export interface LoadedScan {
  /** File name, or a description of the generated scene. */
  name: string;
  /** Format read (`ply`, `las`, …) or `generated`. */
  format: string;
  /** Number of points. */
  pointCount: number;
  /** Interleaved x y z in metres. */
  positions: Float32Array;
  /** Interleaved r g b 0…255, when the scan has colours. */
  colors?: Uint8Array;
  /** Per point: the sensor's return intensity (format-specific scale), when the scan has it. */
  intensity?: Float32Array;
  /** The intensities drawn black and white in the intensity colour mode (`robustIntensityRange`), with `intensity`. */
  intensityRange?: [number, number];
  /** The scan's own instance labels, when present. */
  instance?: Int32Array;
  /** The scan's own semantic labels, when present. */
  semantic?: Int32Array;
  /** Milliseconds spent reading or generating the scan in the worker. */
  readMilliseconds: number;
  /** Size of the file in bytes (0 for a generated scene). */
  byteLength: number;
  /** Points the reader dropped (NaNs of an organised cloud). */
  droppedPointCount: number;
}

/** Messages from the segmentation worker to the page. */
export type WorkerResponse =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'backend-error'; message: string }
  | { type: 'model'; classNames: string[]; modelUrl: string; loadMilliseconds: number }
  | { type: 'model-error'; message: string }
  | { type: 'scan'; scan: LoadedScan }
  | {
      type: 'read-progress';
      fileName: string;
      /** Bytes read so far. */
      bytesRead: number;
      /** Size of the file in bytes. */
      totalBytes: number;
      /** Milliseconds since the read started. */
      elapsedMilliseconds: number;
    }
  | { type: 'scan-error'; message: string }
  | {
      type: 'segmentation';
      requestId: number;
      /**
       * Per point: the object id that claims it, 0 for none. Empty when `changes` is set: the page applies those to
       * its copy of the labels (`applyLabelChanges`) and hands the result on with `instance` filled.
       */
      instance: Int32Array;
      /** Scans segmented by region: the points this run changed (a 10M-point scan's labels are not sent per click). */
      changes?: ScanLabelChanges;
      objects: SegmentedObject[];
      decoderMilliseconds: number;
      backboneMilliseconds: number;
      /** Wall-clock time of the whole request inside the worker, milliseconds. */
      totalMilliseconds: number;
      /** For scans larger than one backbone pass: the box the model ran on (labels outside kept their values). */
      region?: SegmentationRegion;
      /** Objects whose mask reaches an open face of `region`, so it may be cut there. */
      objectsAtBorder?: number[];
    }
  | { type: 'segmentation-error'; requestId: number; message: string }
  | LabelFileResponse;
