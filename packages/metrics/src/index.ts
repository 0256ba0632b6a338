export { MetricsInputError } from './metrics-error.js';
export { computeObjectIou, computeSceneIou } from './object-iou.js';
export { computeSemanticScores } from './semantic-scores.js';
export { evaluateInstanceAveragePrecision } from './instance-average-precision.js';
export { parseAgile3dLog, summarizeInteractive, formatAgile3dLine, IOU_CLICK_COUNTS, NOC_THRESHOLDS } from './agile3d-log.js';
export { RegionDistanceIndex } from './region-distance-index.js';
export { findErrorRegions, simulateClicks } from './click-simulator.js';
export { evaluateInteractive } from './interactive-evaluation.js';
export { createGeodesicSegmenter } from './geodesic-segmenter.js';
export { measureSuperpointCeiling } from './superpoint-ceiling.js';
export { estimateCalibrationNoise } from './calibration-noise.js';
export type { CalibrationNoise, CalibrationNoiseOptions } from './calibration-noise.js';
export {
  computeClassAccuracy,
  computeClassConfusion,
  computeCalibration,
  computeNegativeLogLikelihood,
  fitTemperature,
  findShownClass,
  rankClass,
  scaleProbabilities,
} from './class-scores.js';

export type { SceneIou } from './object-iou.js';
export type { SemanticScoreOptions, SemanticScores } from './semantic-scores.js';
export type {
  PredictedInstance,
  InstanceEvaluationScene,
  InstanceAveragePrecisionOptions,
  InstanceAveragePrecision,
} from './instance-average-precision.js';
export type { Agile3dLogEntry, ParseAgile3dLogOptions, InteractiveSummary, SummarizeInteractiveOptions } from './agile3d-log.js';
export type { InteriorPoint } from './region-distance-index.js';
export type { ErrorRegion, SimulatedClick, SimulateClicksOptions, RegionCache } from './click-simulator.js';
export type {
  EvaluationClick,
  SegmentFunction,
  EvaluationScene,
  InteractiveEvaluationOptions,
  InteractiveEvaluationResult,
  ClickAveragePrecision,
} from './interactive-evaluation.js';
export type { GeodesicSegmenterOptions } from './geodesic-segmenter.js';
export type { SuperpointCeilingOptions, ObjectCeiling, SuperpointCeiling } from './superpoint-ceiling.js';
export type {
  ClassPrediction,
  ClassAccuracyOptions,
  ClassAccuracy,
  ClassConfusionRow,
  ReliabilityBin,
  Calibration,
  TemperatureFitOptions,
} from './class-scores.js';
