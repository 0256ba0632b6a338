import type { ResolvedClickDecoderConfig } from '@pointclick/decoder';
import { SurfaceGraph } from '@pointclick/sampling';

/** Surface-graph settings of the decoder's geodesic click prior (`ClickDecoderConfig.geodesicPrior*`). */
export interface GeodesicPriorSettings {
  /** Distances are capped at this many metres (`geodesicPriorLimit`). */
  limit: number;
  /** Neighbours per voxel of the graph (`geodesicPriorNeighborCount`). */
  neighborCount: number;
  /** Colour penalty of the graph's edges (`geodesicPriorColorWeight`). */
  colorWeight: number;
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
  private readonly cache = new Map<number, Float32Array>();

  /**
   * @param voxelPositions Finest voxel positions, `voxelCount*3` metres.
   * @param pointColors Input point colours 0..255 (`pointCount*3`), or undefined for an uncoloured scene.
   * @param pointToVoxel For every input point, its finest voxel.
   * @param settings The decoder's geodesic prior settings.
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
   * The distances a decoder with this configuration needs, or undefined when its geodesic prior is off
   * (`geodesicPriorLimit` 0). Arguments after the first as for the constructor.
   */
  static forDecoder(
    config: Pick<ResolvedClickDecoderConfig, 'geodesicPriorLimit' | 'geodesicPriorNeighborCount' | 'geodesicPriorColorWeight'>,
    voxelPositions: Float32Array,
    pointColors: Uint8Array | undefined,
    pointToVoxel: Int32Array,
  ): ClickGeodesicDistances | undefined {
    if (!(config.geodesicPriorLimit > 0)) return undefined;
    return new ClickGeodesicDistances(voxelPositions, pointColors, pointToVoxel, {
      limit: config.geodesicPriorLimit,
      neighborCount: config.geodesicPriorNeighborCount,
      colorWeight: config.geodesicPriorColorWeight,
    });
  }

  /**
   * Distances from every click's voxel to every voxel, metres, capped at the limit.
   * @param clickVoxelIndices The clicked finest voxels, `[clickCount]`.
   * @returns `[voxelCount, clickCount]` row-major.
   */
  distances(clickVoxelIndices: Int32Array): Float32Array {
    const clickCount = clickVoxelIndices.length;
    const result = new Float32Array(this.voxelCount * clickCount);
    clickVoxelIndices.forEach((voxel, click) => {
      let column = this.cache.get(voxel);
      if (!column) {
        column = this.graph.distancesFrom(voxel, this.limit);
        this.cache.set(voxel, column);
      }
      for (let row = 0; row < this.voxelCount; row++) result[row * clickCount + click] = column[row];
    });
    return result;
  }
}
