import type { PointCloud, PointCloudMetadata } from '../core/point-cloud.js';
import type { LasHeader } from './las-header.js';

/** ASPRS standard point classes (LAS 1.4 R15, table 17), by class id. */
export const ASPRS_CLASS_NAMES: Readonly<Record<number, string>> = {
  0: 'created, never classified',
  1: 'unclassified',
  2: 'ground',
  3: 'low vegetation',
  4: 'medium vegetation',
  5: 'high vegetation',
  6: 'building',
  7: 'low point (noise)',
  8: 'model key-point',
  9: 'water',
  10: 'rail',
  11: 'road surface',
  12: 'overlap',
  13: 'wire guard (shield)',
  14: 'wire conductor (phase)',
  15: 'transmission tower',
  16: 'wire-structure connector',
  17: 'bridge deck',
  18: 'high noise',
};

/** Metadata of a cloud read by {@link readLas}: the common fields plus the coordinate origin. */
export interface LasPointCloudMetadata extends PointCloudMetadata {
  /**
   * World coordinates (CRS units, usually metres) of the cloud's local origin: `floor` of the
   * header's minimum x y z. World position = `positions[i] + origin` (computed in float64).
   */
  origin: [number, number, number];
  /** The parsed LAS header. */
  lasHeader: LasHeader;
  /** Whether colours were stored on the 16-bit scale (and divided by 256) or already 0..255. */
  colorDepth?: 8 | 16;
}

/** A cloud read by {@link readLas}. */
export interface LasPointCloud extends PointCloud {
  /** Always present for LAS, with the coordinate origin. */
  metadata: LasPointCloudMetadata;
}
