export type { DatasetAdapterOptions, DatasetLayout, ReadDatasetOptions, ScannetDatasetOptions } from './dataset-adapters.js';
export {
  collectScenes,
  detectDatasetLayout,
  readDataset,
  readKitti360Dataset,
  readMosdDataset,
  readS3disDataset,
  readScannetDataset,
  readScannetNpyDataset,
  readSemanticKittiDataset,
  readVotenetDataset,
} from './dataset-adapters.js';
export type { SceneCacheOptions, SceneCacheRebuildReason } from './scene-cache.js';
export { SceneCache } from './scene-cache.js';
