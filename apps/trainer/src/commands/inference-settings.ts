import type { CorrectionReachSettings, SegmenterConfig, StructuralReachSettings, SuperpointSettings } from '@pointclick/segmenter';

/**
 * The inference settings a checkpoint stores (`@pointclick/segmenter`'s config), as `eval` overrides them and
 * `export` writes them. An undefined field, or superpoint field, keeps the checkpoint's value.
 */
export interface InferenceSettings {
  /** Mask probability (0…1) an object needs to claim a point. */
  objectThreshold?: number;
  /** Click locality at grouping, logits per metre of geodesic distance (0 = off). */
  localityGain?: number;
  /** Superpoint click constraints, pooling and superpoint size, field by field. */
  superpoints?: SuperpointSettings;
  /** Coordinates × this before the network, or `'auto'` per scene. */
  inputScale?: number | 'auto';
  /** Class temperature (`config.calibration.temperature`); 1 removes the calibration unless it holds a class bias. */
  temperature?: number;
  /** Online click adaptation's regularization λ, or `'off'` to remove it. */
  clickAdaptation?: number | 'off';
  /** Geodesic cap on enlarged scenes (`geodesicGraph.scaledSceneLimit`), network metres, or `'off'` to remove it. */
  scaledSceneGeodesicLimit?: number | 'off';
  /** Cost factor (0, 1] of geodesic graph edges along flat surfaces (`geodesicGraph.flatEdgeFactor`); 1 = the plain graph. */
  geodesicFlatEdgeFactor?: number;
  /** Reach of an object's later clicks (`config.correctionReach`), or `'off'` to remove it. */
  correctionReach?: CorrectionReachSettings | 'off';
  /** Reach of a click by its class (`config.structuralReach`), or `'off'` to remove it. */
  structuralReach?: StructuralReachSettings | 'off';
  /** Backbone passes over the scene turned about the vertical axis, features averaged (`testTimeRotations`): 1, 2 or 4. */
  testTimeRotations?: number;
  /** Last decoder stages whose class logits are averaged into the shown class (`classStageCount`); 1 removes the field. */
  classStageCount?: number;
}

/** Writes the defined fields of `settings` into `config` (superpoint fields merged over the config's). */
export function applyInferenceSettings(config: SegmenterConfig, settings: InferenceSettings): void {
  if (settings.objectThreshold !== undefined) config.objectThreshold = settings.objectThreshold;
  if (settings.localityGain !== undefined) config.localityGain = settings.localityGain;
  if (settings.inputScale !== undefined) config.inputScale = settings.inputScale;
  if (settings.scaledSceneGeodesicLimit === 'off' && config.geodesicGraph) {
    const { scaledSceneLimit: _removed, ...rest } = config.geodesicGraph;
    config.geodesicGraph = rest;
  } else if (typeof settings.scaledSceneGeodesicLimit === 'number') {
    config.geodesicGraph = { ...config.geodesicGraph, scaledSceneLimit: settings.scaledSceneGeodesicLimit };
  }
  if (settings.geodesicFlatEdgeFactor !== undefined) config.geodesicGraph = { ...config.geodesicGraph, flatEdgeFactor: settings.geodesicFlatEdgeFactor };
  if (settings.testTimeRotations === 1) delete config.testTimeRotations;
  else if (settings.testTimeRotations !== undefined) config.testTimeRotations = settings.testTimeRotations;
  if (settings.classStageCount === 1) delete config.classStageCount;
  else if (settings.classStageCount !== undefined) config.classStageCount = settings.classStageCount;
  if (settings.correctionReach === 'off') delete config.correctionReach;
  else if (settings.correctionReach !== undefined) config.correctionReach = { ...settings.correctionReach };
  if (settings.structuralReach === 'off') delete config.structuralReach;
  else if (settings.structuralReach !== undefined) config.structuralReach = { ...settings.structuralReach };
  if (settings.clickAdaptation === 'off') delete config.clickAdaptation;
  else if (settings.clickAdaptation !== undefined) config.clickAdaptation = { regularization: settings.clickAdaptation };
  // A stored class bias is kept: --temperature replaces only the temperature.
  if (settings.temperature === 1 && config.calibration?.classBias === undefined) delete config.calibration;
  else if (settings.temperature !== undefined) config.calibration = { ...config.calibration, temperature: settings.temperature };
  const superpoints = Object.fromEntries(Object.entries(settings.superpoints ?? {}).filter(([, value]) => value !== undefined)) as SuperpointSettings;
  if (Object.keys(superpoints).length > 0) config.superpoints = { ...config.superpoints, ...superpoints };
}
