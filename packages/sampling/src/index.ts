export { SamplingInputError } from './sampling-error.js';
export { createRandom } from './random-generator.js';
export { sampleFarthestPoints } from './farthest-point-sampler.js';
export { downsampleVoxelGrid } from './voxel-grid-downsampler.js';
export { sampleRandomIndices } from './random-index-sampler.js';
export { transferLabels } from './label-transfer.js';
export { NeighborIndex } from './neighbor-index.js';
export { SurfaceGraph, DistanceHeap } from './surface-graph.js';
export { selectNth, measureBoundingBox } from './spatial-partition.js';
export { sampleClickCandidates, drawTrainingClicks } from './click-sampler.js';
export { computeSuperpoints } from './superpoints.js';

export type { SeededRandom } from './random-generator.js';
export type { FarthestPointOptions } from './farthest-point-sampler.js';
export type { VoxelGridOptions, VoxelGridResult } from './voxel-grid-downsampler.js';
export type { NeighborResult, NearestResult, LeafOrderNeighbors } from './neighbor-index.js';
export type { SurfaceGraphOptions } from './surface-graph.js';
export type { ClickCandidateOptions, TrainingClick, TrainingClickOptions } from './click-sampler.js';
export type { SuperpointOptions, SuperpointResult } from './superpoints.js';
