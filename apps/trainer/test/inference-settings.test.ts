import { describe, expect, it } from 'vitest';
import type { SegmenterConfig } from '@pointclick/segmenter';
import { applyInferenceSettings } from '../src/commands/inference-settings.js';

/** A config with only the fields these settings touch (the architecture is not read). */
function configWith(fields: Partial<SegmenterConfig>): SegmenterConfig {
  return { backbone: {}, decoder: {}, classNames: ['unlabeled'], ...fields } as SegmenterConfig;
}

describe('applyInferenceSettings: the geodesic cap on enlarged scenes', () => {
  it('sets scaledSceneLimit beside the graph settings, keeps them, and removes it with off', () => {
    const config = configWith({ geodesicGraph: { neighborCount: 9, colorWeight: 2 } });
    applyInferenceSettings(config, { scaledSceneGeodesicLimit: 1.5 });
    expect(config.geodesicGraph).toEqual({ neighborCount: 9, colorWeight: 2, scaledSceneLimit: 1.5 });
    applyInferenceSettings(config, { localityGain: 8 });
    expect(config.geodesicGraph).toEqual({ neighborCount: 9, colorWeight: 2, scaledSceneLimit: 1.5 });
    applyInferenceSettings(config, { scaledSceneGeodesicLimit: 'off' });
    expect(config.geodesicGraph).toEqual({ neighborCount: 9, colorWeight: 2 });
  });

  it('creates the graph settings when the config has none, and off on such a config leaves it without them', () => {
    const bare = configWith({});
    applyInferenceSettings(bare, { scaledSceneGeodesicLimit: 'off' });
    expect(bare.geodesicGraph).toBeUndefined();
    applyInferenceSettings(bare, { scaledSceneGeodesicLimit: 0.75 });
    expect(bare.geodesicGraph).toEqual({ scaledSceneLimit: 0.75 });
  });
});

describe('applyInferenceSettings: the flat edge factor of the geodesic graph', () => {
  it('sets flatEdgeFactor beside the other graph settings and replaces it on a second call', () => {
    const config = configWith({ geodesicGraph: { neighborCount: 9, scaledSceneLimit: 1 } });
    applyInferenceSettings(config, { geodesicFlatEdgeFactor: 0.5 });
    expect(config.geodesicGraph).toEqual({ neighborCount: 9, scaledSceneLimit: 1, flatEdgeFactor: 0.5 });
    applyInferenceSettings(config, { geodesicFlatEdgeFactor: 1, scaledSceneGeodesicLimit: 'off' });
    expect(config.geodesicGraph).toEqual({ neighborCount: 9, flatEdgeFactor: 1 });
  });
});

describe('applyInferenceSettings: the voxel logit weight of superpoint pooling', () => {
  it('merges voxelLogitWeight over the stored superpoint settings and keeps the others', () => {
    const config = configWith({ superpoints: { clickConstraints: true, pooling: true, scale: 1.2 } });
    applyInferenceSettings(config, { superpoints: { voxelLogitWeight: 0.5, scale: undefined } });
    expect(config.superpoints).toEqual({ clickConstraints: true, pooling: true, scale: 1.2, voxelLogitWeight: 0.5 });
  });
});

describe('applyInferenceSettings: test-time rotations', () => {
  it('writes testTimeRotations, replaces it, and removes the field for 1 (one pass is the default)', () => {
    const config = configWith({ localityGain: 16 });
    applyInferenceSettings(config, { testTimeRotations: 2 });
    expect(config.testTimeRotations).toBe(2);
    applyInferenceSettings(config, { testTimeRotations: 4 });
    expect(config.testTimeRotations).toBe(4);
    applyInferenceSettings(config, { localityGain: 8 });
    expect(config.testTimeRotations).toBe(4);
    applyInferenceSettings(config, { testTimeRotations: 1 });
    expect('testTimeRotations' in config).toBe(false);
    expect(config.localityGain).toBe(8);
  });
});

describe('applyInferenceSettings: the correction reach', () => {
  it('writes a copy of correctionReach, replaces it, keeps it through other settings, and removes it with off', () => {
    const config = configWith({ localityGain: 16 });
    const settings = { factor: 2, limit: 8 };
    applyInferenceSettings(config, { correctionReach: settings });
    expect(config.correctionReach).toEqual({ factor: 2, limit: 8 });
    expect(config.correctionReach).not.toBe(settings);
    applyInferenceSettings(config, { correctionReach: { factor: 0.5 } });
    expect(config.correctionReach).toEqual({ factor: 0.5 });
    applyInferenceSettings(config, { localityGain: 8 });
    expect(config.correctionReach).toEqual({ factor: 0.5 });
    applyInferenceSettings(config, { correctionReach: 'off' });
    expect('correctionReach' in config).toBe(false);
  });
});

describe('applyInferenceSettings: the structural reach', () => {
  it('writes a copy of structuralReach, replaces it, keeps it through other settings, and removes it with off', () => {
    const config = configWith({ localityGain: 16 });
    const settings = { factor: 0.25, classes: ['wall', 'floor'] };
    applyInferenceSettings(config, { structuralReach: settings });
    expect(config.structuralReach).toEqual({ factor: 0.25, classes: ['wall', 'floor'] });
    expect(config.structuralReach).not.toBe(settings);
    applyInferenceSettings(config, { structuralReach: { factor: 0 } });
    expect(config.structuralReach).toEqual({ factor: 0 });
    applyInferenceSettings(config, { localityGain: 8, correctionReach: { factor: 2 } });
    expect(config.structuralReach).toEqual({ factor: 0 });
    applyInferenceSettings(config, { structuralReach: 'off' });
    expect('structuralReach' in config).toBe(false);
    expect(config.correctionReach).toEqual({ factor: 2 });
  });
});

describe('applyInferenceSettings: class stages', () => {
  it('writes classStageCount, keeps it through other settings and the temperature, and removes the field for 1', () => {
    const config = configWith({ localityGain: 16, calibration: { temperature: 1.2 } });
    applyInferenceSettings(config, { classStageCount: 4 });
    expect(config.classStageCount).toBe(4);
    applyInferenceSettings(config, { temperature: 0.9, localityGain: 8 });
    expect(config.classStageCount).toBe(4);
    expect(config.calibration).toEqual({ temperature: 0.9 });
    applyInferenceSettings(config, { classStageCount: 2 });
    expect(config.classStageCount).toBe(2);
    applyInferenceSettings(config, { classStageCount: 1 });
    expect('classStageCount' in config).toBe(false);
  });
});
