import { SurfaceGraph } from '@pointclick/sampling';
import type { GeodesicGraphSettings } from './segmenter-config.js';
import { SegmenterInputError } from './segmenter-errors.js';

/** Settings of the geodesic click prior's distances: the decoder's cap and the segmenter's graph. */
export interface GeodesicPriorSettings extends Required<GeodesicGraphSettings> {
  /** Distances are capped at this many metres (the decoder's `geodesicPriorLimit`). */
  limit: number;
}

/**
 * `settings` with the defaults filled in (12 neighbours, colour weight 4).
 * @throws SegmenterInputError naming the field `config.geodesicGraph.<name>` of an invalid value.
 */
export function resolveGeodesicGraph(settings: GeodesicGraphSettings = {}): Required<GeodesicGraphSettings> {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new SegmenterInputError(`field 'config.geodesicGraph': expected an object { neighborCount?, colorWeight? }, got ${JSON.stringify(settings)}`);
  }
  const { neighborCount = 12, colorWeight = 4 } = settings;
  if (!Number.isInteger(neighborCount) || neighborCount < 1) {
    throw new SegmenterInputError(`field 'config.geodesicGraph.neighborCount': expected a positive integer, got ${JSON.stringify(neighborCount)}`);
  }
  if (typeof colorWeight !== 'number' || !(colorWeight >= 0) || !Number.isFinite(colorWeight)) {
    throw new SegmenterInputError(`field 'config.geodesicGraph.colorWeight': expected a finite number ≥ 0, got ${JSON.stringify(colorWeight)}`);
  }
  return { neighborCount, colorWeight };
}

/**
 * The `clickGeodesicDistances` input of the click decoder for one scene: a {@link SurfaceGraph} over the
 * finest backbone voxels (coloured by the mean colour of their input points) and one bounded Dijkstra per
 * clicked voxel, cached, so an interactive session pays for each new click once.
 */
export class ClickGeodesicDistances {
  /** Finest voxels (graph nodes). */
  readonly voxelCount: number;
  private readonly graph: SurfaceGraph;
  private readonly limit: number;
  /**
   * Per searched voxel, its distance field kept sparse: the voxels nearer than the limit (increasing) and
   * their distances; every other voxel reads the limit. A cap of a few metres reaches a fraction of a room,
   * so the cache stays small and assembling the decoder's input writes only those entries.
   */
  private readonly cache = new Map<number, { voxels: Int32Array; distances: Float32Array }>();

  /**
   * @param voxelPositions Finest voxel positions, `voxelCount*3` metres.
   * @param pointColors Input point colours 0..255 (`pointCount*3`), or undefined for an uncoloured scene.
   * @param pointToVoxel For every input point, its finest voxel.
   * @param settings The decoder's distance cap and the segmenter's graph settings.
   */
  constructor(voxelPositions: Float32Array, pointColors: Uint8Array | undefined, pointToVoxel: Int32Array, settings: GeodesicPriorSettings) {
    this.voxelCount = voxelPositions.length / 3;
    this.limit = settings.limit;
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
    this.graph = new SurfaceGraph(voxelPositions, { colors, neighborCount: settings.neighborCount, colorWeight: settings.colorWeight });
  }

  /**
   * The distances the model's decoder needs, on the model's geodesic graph, or undefined when the decoder's
   * geodesic prior is off (`geodesicPriorLimit` 0). Arguments after the first as for the constructor.
   */
  static forModel(
    model: { decoder: { config: { geodesicPriorLimit: number } }; geodesicGraph: Required<GeodesicGraphSettings> },
    voxelPositions: Float32Array,
    pointColors: Uint8Array | undefined,
    pointToVoxel: Int32Array,
  ): ClickGeodesicDistances | undefined {
    const limit = model.decoder.config.geodesicPriorLimit;
    if (!(limit > 0)) return undefined;
    return new ClickGeodesicDistances(voxelPositions, pointColors, pointToVoxel, { limit, ...model.geodesicGraph });
  }

  /**
   * Distances from every click's voxel to every voxel, metres, capped at the limit.
   * @param clickVoxelIndices The clicked finest voxels, `[clickCount]`.
   * @returns `[voxelCount, clickCount]` row-major.
   */
  distances(clickVoxelIndices: Int32Array): Float32Array {
    const clickCount = clickVoxelIndices.length;
    const fields = Array.from(clickVoxelIndices, (voxel) => this.field(voxel));
    // Every entry starts at the limit; each click then writes only the voxels it reaches.
    const result = new Float32Array(this.voxelCount * clickCount).fill(this.limit);
    fields.forEach(({ voxels, distances }, click) => {
      for (let entry = 0; entry < voxels.length; entry++) result[voxels[entry] * clickCount + click] = distances[entry];
    });
    return result;
  }

  /** The sparse distance field of one clicked voxel: one graph search the first time, the cache after. */
  private field(source: number): { voxels: Int32Array; distances: Float32Array } {
    const cached = this.cache.get(source);
    if (cached) return cached;
    const column = this.graph.distancesFrom(source, this.limit);
    let reached = 0;
    for (let voxel = 0; voxel < column.length; voxel++) if (column[voxel] !== this.limit) reached++;
    const voxels = new Int32Array(reached);
    const distances = new Float32Array(reached);
    for (let voxel = 0, entry = 0; voxel < column.length; voxel++) {
      if (column[voxel] === this.limit) continue;
      voxels[entry] = voxel;
      distances[entry++] = column[voxel];
    }
    const field = { voxels, distances };
    this.cache.set(source, field);
    return field;
  }
}
