import type * as tf from '@tensorflow/tfjs-core';

/** Features and geometry of one resolution level of the backbone output. */
export interface BackboneLevel {
  /** [voxelCount, channels] */ features: tf.Tensor2D;
  /** voxelCount*3 voxel-mean positions in metres */ coordinates: Float32Array;
  /** voxelCount*3 integer grid coordinates at this level */ gridCoordinates: Int32Array;
  /** edge length in metres of this level's voxels */ voxelSize: number;
  /** for every voxel of the FINEST level, its index in this level */ finestToLevel: Int32Array;
}

/** Multi-scale per-point features {F^0 … F^L} (paper Eq. 1). */
export interface BackboneOutput {
  /** levels[0] = coarsest (encoder bottleneck, F^0) … levels[L] = finest (last decoder stage, F^L, grid-sampled input resolution) */
  levels: BackboneLevel[];
  /** for every input point, its voxel in the finest level */
  inputToFinest: Int32Array;
  /** Frees every feature tensor. */
  dispose(): void;
}

/** Input of `PointTransformerV3.apply`. */
export interface BackboneInput {
  /** `pointCount*3` x y z in metres. */
  positions: Float32Array;
  /** Optional `pointCount*3` r g b, 0…255; zeros are used when the layout wants colours and none are given. */
  colors?: Uint8Array;
}
