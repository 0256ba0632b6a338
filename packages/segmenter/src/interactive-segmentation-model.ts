import { Module } from '@pointclick/nn';
import { createPointTransformerV3 } from '@pointclick/ptv3';
import { createClickDecoder } from '@pointclick/decoder';
import type { ResolvedGeodesicGraph, SegmenterConfig } from './segmenter-config.js';
import { resolveGeodesicGraph } from './click-geodesic-distances.js';

/** The trainable network: a PTv3 backbone and the click decoder, under one variable tree. */
export class InteractiveSegmentationModel extends Module {
  /** Scene encoder ψ (paper Eq. 1). */
  readonly backbone: ReturnType<typeof createPointTransformerV3>;
  /** Click-query mask decoder (paper Eqs. 2–7). */
  readonly decoder: ReturnType<typeof createClickDecoder>;
  /** The configuration the model was built from. */
  readonly config: SegmenterConfig;

  /** @throws SegmenterInputError for invalid `geodesicGraph` settings, the backbone's and decoder's errors for theirs. */
  constructor(config: SegmenterConfig) {
    super('segmenter');
    this.config = config;
    resolveGeodesicGraph(config.geodesicGraph);
    this.backbone = this.addChild(createPointTransformerV3(config.backbone));
    try {
      this.decoder = this.addChild(createClickDecoder(config.decoder));
    } catch (error) {
      // A bad decoder config must not leave the backbone's variables allocated.
      this.backbone.dispose();
      throw error;
    }
  }

  /**
   * `config.geodesicGraph` with its defaults filled in: the graph of the decoder's geodesic click prior (read
   * from the config at every call, so settings changed on a loaded model apply to the next scene).
   * @throws SegmenterInputError when the config's settings were made invalid after construction.
   */
  get geodesicGraph(): ResolvedGeodesicGraph {
    return resolveGeodesicGraph(this.config.geodesicGraph);
  }
}
