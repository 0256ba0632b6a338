export type { DatasetAdapterOptions, DatasetLayout, ScannetDatasetOptions } from './dataset-adapters.js';
export {
  collectScenes,
  detectDatasetLayout,
  readDataset,
  readKitti360Dataset,
  readS3disDataset,
  readScannetDataset,
  readSemanticKittiDataset,
  readVotenetDataset,
} from './dataset-adapters.js';
export type { SceneCacheOptions, SceneCacheRebuildReason } from './scene-cache.js';
export { SceneCache } from './scene-cache.js';
