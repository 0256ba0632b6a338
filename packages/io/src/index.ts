export type { PointCloud, PointAttributeArray, PointCloudMetadata, PointCloudFormat } from './core/point-cloud.js';
export type { ReaderOptions } from './core/reader-options.js';
export type { ReadPointCloudOptions } from './read-point-cloud.js';
export { PointCloudFormatError } from './core/point-cloud-format-error.js';
export { PointCloudAllocationError } from './core/point-cloud-allocation.js';
export { readPointCloud, sniffPointCloudFormat } from './read-point-cloud.js';
export type { ReadPointCloudStreamOptions, ReadPointCloudBlobOptions } from './read-point-cloud-stream.js';
export { readPointCloudStream, readPointCloudBlob } from './read-point-cloud-stream.js';
export type { RandomAccessByteSource } from './core/random-access-source.js';
export type { PointCloudByteStream, ReadProgress } from './core/byte-stream-reader.js';
export { readPly } from './ply/ply-reader.js';
export { readPcd } from './pcd/pcd-reader.js';
export { readLas } from './las/las-reader.js';
export { readKittiBin } from './kitti/kitti-reader.js';
export { readXyzrgbBin } from './kitti/xyzrgb-bin-reader.js';
export type { ReadSemanticKittiLabelsOptions, SemanticKittiLabels } from './kitti/semantickitti-label-reader.js';
export { readSemanticKittiLabels, attachSemanticKittiLabels } from './kitti/semantickitti-label-reader.js';
export type { PointLabels, AttachPointLabelsOptions } from './labels/point-labels.js';
export { attachPointLabels } from './labels/point-labels.js';
export { readNpyPointCloud } from './npy/npy-point-cloud.js';
export type { NpyArray, NpyDataType, NpyTypedArray, NpyReaderOptions, NpyHeader } from './npy/npy-reader.js';
export { readNpy, parseNpyHeader } from './npy/npy-reader.js';
export type { LasPointCloud, LasPointCloudMetadata } from './las/las-reader.js';
export type { LasHeader } from './las/las-header.js';
export { ASPRS_CLASS_NAMES } from './las/las-reader.js';
export { LAZ_MAXIMUM_COMPRESSION_RATIO } from './las/laszip-layout.js';
export { writePly, writePlyChunks } from './ply/ply-writer.js';
export type { ChunkedFile, ChunkedWriteOptions } from './core/chunked-file.js';
export { DEFAULT_CHUNK_BYTES } from './core/chunked-file.js';
export type { WriteLabelsJsonOptions, ReadLabelsOptions, LabelsFile } from './labels/labels-json.js';
export { writeLabelsJson, readLabelsJson } from './labels/labels-json.js';
export { writeLabelsCsv, readLabelsCsv } from './labels/labels-csv.js';
export { findPointCloudProblems } from './core/point-cloud-validation.js';
export { computeCrc32 } from './core/crc32-checksum.js';
export { S3DIS_CLASS_NAMES } from './classes/s3dis-class-names.js';
export type { WriteLasOptions } from './las/las-writer.js';
export { writeLas, writeLasChunks } from './las/las-writer.js';
export { writeLaz, writeLazChunks, LASZIP_CHUNK_POINTS } from './las/laz-writer.js';
export { writeSemanticKittiLabels, writeSemanticKittiLabelChunks } from './kitti/semantickitti-label-writer.js';
export type { ScanNetAnnotationInput, ScanNetAnnotationFiles } from './scenes/scannet-annotation-writer.js';
export { writeScanNetAnnotation } from './scenes/scannet-annotation-writer.js';
export type { ScannetLabelTable } from './scenes/scannet-label-table.js';
export { parseScannetLabelTable } from './scenes/scannet-label-table.js';
export type { S3disRoomInput } from './scenes/s3dis-room-writer.js';
export { writeS3disRoom } from './scenes/s3dis-room-writer.js';
export type { LabelSpace } from './classes/class-conversion.js';
export { LABEL_SPACES, ClassMappingError, convertSemanticId, convertSemanticIds, findClassId, listClassNames } from './classes/class-conversion.js';
export {
  NYU40_CLASS_NAMES,
  SCANNET20_NYU40_IDS,
  SEMANTIC_KITTI_CLASS_NAMES,
  SEMANTIC_KITTI_LEARNING_MAP,
  SEMANTIC_KITTI_RAW_NAMES,
} from './classes/dataset-class-lists.js';
export type { S3disAnnotationFile } from './scenes/s3dis-room-parser.js';
export { parseS3disRoom } from './scenes/s3dis-room-parser.js';
