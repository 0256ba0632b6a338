/**
 * The one in-memory point-cloud type every pointclick package exchanges.
 *
 * Every per-point array has exactly `pointCount` entries (times 3 for vector attributes).
 */
export interface PointCloud {
  /** Number of points. */
  pointCount: number;
  /** Interleaved x y z positions in metres, length `3 * pointCount`. */
  positions: Float32Array;
  /** Interleaved r g b colours, 0..255, length `3 * pointCount`. */
  colors?: Uint8Array;
  /** Interleaved unit normals nx ny nz, length `3 * pointCount`. */
  normals?: Float32Array;
  /** Sensor return intensity (format-specific scale), length `pointCount`. */
  intensity?: Float32Array;
  /** Instance id per point; 0 = unlabeled. */
  instance?: Int32Array;
  /** Semantic class id per point (dataset-specific class map); 0 = unlabeled unless the class map says otherwise. */
  semantic?: Int32Array;
  /** Further per-point scalar attributes by name, each of length `pointCount`. */
  attributes?: Record<string, PointAttributeArray>;
  /** Facts about how the cloud was read (dropped points, source format, header comments). */
  metadata?: PointCloudMetadata;
}

/** Typed arrays allowed for extra scalar attributes. */
export type PointAttributeArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

/** Facts about how a cloud was read. */
export interface PointCloudMetadata {
  /** Format the cloud was read from. */
  format?: PointCloudFormat;
  /** Points present in the file but dropped while reading (for example NaN points of an organised PCD). */
  droppedPointCount?: number;
  /** Organised clouds: width and height of the sensor grid before invalid points were dropped. */
  organizedWidth?: number;
  /** Organised clouds: height of the sensor grid. */
  organizedHeight?: number;
  /** Class names by semantic id, where the source defines them. */
  classNames?: Record<number, string>;
  /**
   * World position of the cloud's local origin in metres: world = position + origin, computed in float64.
   * Set by readers of georeferenced formats (LAS/LAZ) whose coordinates float32 cannot hold exactly.
   */
  origin?: [number, number, number];
  /** Free-form notes from the file header (PLY comments, LAS system identifier, …). */
  comments?: string[];
}

/** Formats `readPointCloud` understands. */
export type PointCloudFormat = 'ply' | 'pcd' | 'las' | 'laz' | 'kitti-bin' | 'semantickitti-label' | 'npy' | 'xyzrgb-bin';
