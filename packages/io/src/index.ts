export type { PointCloud, PointAttributeArray, PointCloudMetadata, PointCloudFormat } from './core/point-cloud.js';
export { PointCloudFormatError } from './core/point-cloud-format-error.js';
