import { SurfaceGraph, type SurfaceSearchThreads } from '@pointclick/sampling';
import { AUTO_INPUT_SCALE_LIMIT, type GeodesicGraphSettings, type ResolvedGeodesicGraph } from './segmenter-config.js';
import { SegmenterInputError } from './segmenter-errors.js';

/** Settings of the geodesic click prior's distances: the decoder's cap and the segmenter's graph (flat edge factor default 1). */
export interface GeodesicPriorSettings extends Omit<ResolvedGeodesicGraph, 'scaledSceneLimit' | 'flatEdgeFactor'>, Pick<GeodesicGraphSettings, 'flatEdgeFactor'> {
  /** Distances are capped at this many metres (the decoder's `geodesicPriorLimit`). */
  limit: number;
  /** Helper threads that share out an update's new searches (see `SurfaceGraph`'s `threads`); default none. */
  threads?: SurfaceSearchThreads;
  /**
   * Bytes of searched rows kept for voxels no current click is on (a moved or undone click's), least recently used
   * out first; at least 16 rows are kept whatever their size. Default 64 MiB.
   */
  spareRowBytes?: number;
}

/**
 * `settings` with the defaults filled in (12 neighbours, colour weight 4, flat edge factor 1).
 * @throws SegmenterInputError naming the field `config.geodesicGraph.<name>` of an invalid value.
 */
export function resolveGeodesicGraph(settings: GeodesicGraphSettings = {}): ResolvedGeodesicGraph {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new SegmenterInputError(`field 'config.geodesicGraph': expected an object { neighborCount?, colorWeight?, flatEdgeFactor?, scaledSceneLimit? }, got ${JSON.stringify(settings)}`);
  }
  const { neighborCount = 12, colorWeight = 4, flatEdgeFactor = 1, scaledSceneLimit } = settings;
  if (!Number.isInteger(neighborCount) || neighborCount < 1) {
    throw new SegmenterInputError(`field 'config.geodesicGraph.neighborCount': expected a positive integer, got ${JSON.stringify(neighborCount)}`);
  }
  if (typeof colorWeight !== 'number' || !(colorWeight >= 0) || !Number.isFinite(colorWeight)) {
    throw new SegmenterInputError(`field 'config.geodesicGraph.colorWeight': expected a finite number ≥ 0, got ${JSON.stringify(colorWeight)}`);
  }
  if (typeof flatEdgeFactor !== 'number' || !(flatEdgeFactor > 0 && flatEdgeFactor <= 1)) {
    throw new SegmenterInputError(`field 'config.geodesicGraph.flatEdgeFactor': expected a number in (0, 1], got ${JSON.stringify(flatEdgeFactor)}`);
  }
  if (scaledSceneLimit === undefined) return { neighborCount, colorWeight, flatEdgeFactor };
  if (typeof scaledSceneLimit !== 'number' || !(scaledSceneLimit > 0) || !Number.isFinite(scaledSceneLimit)) {
    throw new SegmenterInputError(`field 'config.geodesicGraph.scaledSceneLimit': expected a finite number of metres > 0, got ${JSON.stringify(scaledSceneLimit)}`);
  }
  return { neighborCount, colorWeight, flatEdgeFactor, scaledSceneLimit };
}

/**
 * The cap of the click distances on a scene enlarged by `inputScale`: the decoder's `decoderLimit` D at scale
 * ≤ 1 or without a `scaledSceneLimit` L (or with one ≥ D); L from scale {@link AUTO_INPUT_SCALE_LIMIT} (s_max)
 * up; in between geometric in the scale, D·(L/D)^(ln s / ln s_max), metres (network coordinates).
 */
export function geodesicLimitAtScale(decoderLimit: number, scaledSceneLimit: number | undefined, inputScale: number): number {
  if (scaledSceneLimit === undefined || scaledSceneLimit >= decoderLimit || inputScale <= 1) return decoderLimit;
  if (inputScale >= AUTO_INPUT_SCALE_LIMIT) return scaledSceneLimit;
  return decoderLimit * (scaledSceneLimit / decoderLimit) ** (Math.log(inputScale) / Math.log(AUTO_INPUT_SCALE_LIMIT));
}

/** Default bytes of searched rows kept for voxels no current click is on (a row is 4 bytes per finest voxel). */
const SPARE_ROW_BYTES = 64 * 1024 * 1024;
/** Rows kept for voxels no current click is on, whatever their size. */
const SPARE_ROW_MINIMUM = 16;

/**
 * The `clickGeodesicDistances` input of the click decoder for one scene: a {@link SurfaceGraph} over the
 * finest backbone voxels (coloured by the mean colour of their input points) and one bounded Dijkstra per
 * clicked voxel, cached, so an interactive session pays for each new click once (the rows of voxels no click
 * is on any more are kept up to `spareRowBytes`, 64 MiB by default, least recently used out first, so a long
 * session's memory stays bounded).
 */
export class ClickGeodesicDistances {
  /** Finest voxels (graph nodes). */
  readonly voxelCount: number;
  private readonly graph: SurfaceGraph;
  private readonly limit: number;
  /** Searched rows by source voxel, least recently used first (a `Map` keeps insertion order). */
  private readonly cache = new Map<number, Float32Array>();
  /** Most rows held for voxels no current click is on: `spareRowBytes` of rows (default 64 MiB), at least 16. */
  readonly spareRowCapacity: number;

  /**
   * @param voxelPositions Finest voxel positions, `voxelCount*3` metres.
   * @param pointColors Input point colours 0..255 (`pointCount*3`), or undefined for an uncoloured scene.
   * @param pointToVoxel For every input point, its finest voxel.
   * @param settings The decoder's distance cap and the segmenter's graph settings.
   */
  constructor(voxelPositions: Float32Array, pointColors: Uint8Array | undefined, pointToVoxel: Int32Array, settings: GeodesicPriorSettings) {
    this.voxelCount = voxelPositions.length / 3;
    this.limit = settings.limit;
    const spareRowBytes = settings.spareRowBytes ?? SPARE_ROW_BYTES;
    if (!(spareRowBytes >= 0)) throw new SegmenterInputError(`ClickGeodesicDistances: spareRowBytes must be a number of bytes ≥ 0, got ${spareRowBytes}`);
    this.spareRowCapacity = Math.max(SPARE_ROW_MINIMUM, Math.floor(spareRowBytes / (4 * Math.max(1, this.voxelCount))));
    let colors: Uint8Array | undefined;
    if (pointColors) {
      const sums = new Float64Array(this.voxelCount * 3);
      const counts = new Int32Array(this.voxelCount);
      for (let point = 0; point < pointToVoxel.length; point++) {
        const voxel = pointToVoxel[point];
        counts[voxel]++;
        for (let channel = 0; channel < 3; channel++) sums[voxel * 3 + channel] += pointColors[point * 3 + channel];
      }
      colors = new Uint8Array(this.voxelCount * 3);
      for (let voxel = 0; voxel < this.voxelCount; voxel++) {
        if (counts[voxel] === 0) continue;
        for (let channel = 0; channel < 3; channel++) colors[voxel * 3 + channel] = Math.round(sums[voxel * 3 + channel] / counts[voxel]);
      }
    }
    const { neighborCount, colorWeight, flatEdgeFactor, threads } = settings;
    this.graph = new SurfaceGraph(voxelPositions, { colors, neighborCount, colorWeight, flatEdgeFactor, threads });
  }

  /**
   * The distances the model's decoder needs, on the model's geodesic graph, or undefined when the decoder's
   * geodesic prior is off (`geodesicPriorLimit` 0). Capped at {@link geodesicLimitAtScale} of the decoder's
   * limit, the graph's `scaledSceneLimit` and the scene's input scale. Arguments after the first as for the
   * constructor, then the scene's input scale (default 1) and the helper threads of the searches, if any.
   */
  static forModel(
    model: { decoder: { config: { geodesicPriorLimit: number } }; geodesicGraph: ResolvedGeodesicGraph },
    voxelPositions: Float32Array,
    pointColors: Uint8Array | undefined,
    pointToVoxel: Int32Array,
    inputScale = 1,
    threads?: SurfaceSearchThreads,
  ): ClickGeodesicDistances | undefined {
    const decoderLimit = model.decoder.config.geodesicPriorLimit;
    if (!(decoderLimit > 0)) return undefined;
    const { scaledSceneLimit, ...graph } = model.geodesicGraph;
    const limit = geodesicLimitAtScale(decoderLimit, scaledSceneLimit, inputScale);
    return new ClickGeodesicDistances(voxelPositions, pointColors, pointToVoxel, { limit, ...graph, threads });
  }

  /**
   * Distances from every click's voxel to every voxel, metres, capped at the limit.
   * @param clickVoxelIndices The clicked finest voxels, `[clickCount]`.
   * @returns `[voxelCount, clickCount]` row-major.
   */
  distances(clickVoxelIndices: Int32Array): Float32Array {
    return this.startDistances(clickVoxelIndices)();
  }

  /**
   * {@link distances} in two steps: the searches of voxels no earlier update searched from start now (on the helper
   * threads, if any, while the calling thread goes on), and the returned function finishes them and gives the
   * `[voxelCount, clickCount]` array (the same values; later calls give the same array). Start the next update only
   * after finishing this one's.
   * @param clickVoxelIndices The clicked finest voxels, `[clickCount]`.
   */
  startDistances(clickVoxelIndices: Int32Array): () => Float32Array {
    const clickCount = clickVoxelIndices.length;
    const voxelCount = this.voxelCount;
    // The voxels no earlier update searched from, all at once (helper threads, if any, take them from a shared queue).
    const clicked = new Set(clickVoxelIndices);
    const unsearched = [...clicked].filter((voxel) => !this.cache.has(voxel));
    const pending = this.graph.startDistancesFromEach(unsearched, this.limit);
    let result: Float32Array | undefined;
    return () => {
      if (result) return result;
      const searched = pending.finish();
      unsearched.forEach((voxel, index) => this.cache.set(voxel, searched[index]));
      const columns = Array.from(clickVoxelIndices, (voxel) => this.cache.get(voxel)!);
      // The clicked rows become the most recently used; rows of voxels no click is on any more (a moved or undone
      // click) stay for a while, since a redo brings them back, but at most spareRowCapacity of them, oldest out first.
      for (const voxel of clicked) {
        const row = this.cache.get(voxel)!;
        this.cache.delete(voxel);
        this.cache.set(voxel, row);
      }
      let spare = this.cache.size - clicked.size;
      for (const voxel of this.cache.keys()) {
        if (spare <= this.spareRowCapacity) break;
        if (clicked.has(voxel)) continue;
        this.cache.delete(voxel);
        spare--;
      }
      // Column by column, each read sequentially from one typed array and written with a stride: about 0.6× the
      // time of a row-by-row pass that picks a different column at every entry (the same values either way).
      result = new Float32Array(voxelCount * clickCount);
      for (let click = 0; click < clickCount; click++) {
        const column = columns[click];
        for (let row = 0, entry = click; row < voxelCount; row++, entry += clickCount) result[entry] = column[row];
      }
      return result;
    };
  }

  /** Searched rows held now: the current clicks' and at most {@link spareRowCapacity} others. */
  get cachedRowCount(): number {
    return this.cache.size;
  }

  /** Ends the searches' helper threads, if any. */
  dispose(): void {
    this.graph.dispose();
  }
}
