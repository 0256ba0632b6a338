import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MOSD_VALIDATION_SCENE_IDS } from '@pointclick/datasets';
import { describe, expect, it } from 'vitest';
import { ConfigError, applyOverrides, readTrainingConfigFile, validateTrainingConfig } from '../src/config/training-config.js';
import { learningRateAt } from '../src/training/learning-rate-schedule.js';
import { renderTrainingPlot } from '../src/output/training-plot.js';

describe('training configuration', () => {
  it('fills every default from an empty file and applies overrides', () => {
    const config = validateTrainingConfig(applyOverrides({}, ['schedule.steps=50', 'schedule.warmupSteps=5', 'optimizer.kind=adam', 'preset=tiny']));
    expect(config.schedule.steps).toBe(50);
    expect(config.optimizer.kind).toBe('adam');
    expect(config.preset).toBe('tiny');
    expect(config.data.minClicks).toBe(30);
    expect(config.data.maxClicks).toBe(50);
  });

  it('names every invalid field', () => {
    expect(() => validateTrainingConfig({ schedule: { steps: -1 }, optimizer: { learningRate: 'fast' } }, 'run.yaml')).toThrow(ConfigError);
    try {
      validateTrainingConfig({ schedule: { steps: -1 }, optimizer: { learningRate: 'fast' }, unknownField: 1 }, 'run.yaml');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('run.yaml');
      expect(message).toContain('schedule.steps');
      expect(message).toContain('optimizer.learningRate');
    }
    expect(() => validateTrainingConfig({ data: { minClicks: 60, maxClicks: 50 } })).toThrow(/minClicks/);
  });
});

describe('the shipped training configurations (apps/trainer/configs)', () => {
  const directory = fileURLToPath(new URL('../configs/', import.meta.url));
  const files = readdirSync(directory).filter((name) => name.endsWith('.yaml'));
  /** The ScanNet rooms every evaluation table reports: no recipe may train on them. */
  const validationRooms = ['scene0007_00', 'scene0010_00', 'scene0010_01'];
  /** The proxy lineage's never-seen rooms (session 17): its configs must leave them and the rescan 0001_01 out. */
  const proxyHeldOut = ['scene0001_00', 'scene0001_01', 'scene0004_00', 'scene0008_00'];

  it('are all valid and none trains on the ScanNet validation rooms or the tabletop evaluation scans; the proxy lineage leaves its held-out rooms out', async () => {
    expect(files.length).toBeGreaterThan(10);
    let proxyConfigs = 0;
    let tabletopConfigs = 0;
    for (const name of files) {
      const config = validateTrainingConfig(await readTrainingConfigFile(directory + name), name);
      // The 15 mOSD evaluation scans are every table's held-out tabletops: no recipe may train on them.
      for (const source of config.data.sources) {
        if (source.kind !== 'folder' || !source.directory.endsWith('osd-learn')) continue;
        tabletopConfigs++;
        expect(MOSD_VALIDATION_SCENE_IDS.filter((scan) => !source.exclude.includes(scan)), `${name} trains on tabletop evaluation scans`).toEqual([]);
      }
      const scannet = config.data.sources.filter((source) => source.kind === 'folder' && source.directory.endsWith('scannet-votenet'));
      for (const source of scannet) {
        if (source.kind !== 'folder') continue;
        const missing = validationRooms.filter((room) => !source.exclude.includes(room));
        expect(missing, `${name} trains on validation rooms`).toEqual([]);
        if (/(^|-)proxy/.test(name)) {
          proxyConfigs++;
          expect(proxyHeldOut.filter((room) => !source.exclude.includes(room)), `${name} trains on the proxy's held-out rooms`).toEqual([]);
        }
      }
    }
    expect(proxyConfigs).toBeGreaterThanOrEqual(5);
    expect(tabletopConfigs).toBeGreaterThanOrEqual(2);
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly, peaks, then decays by a cosine to the final fraction', () => {
    const options = { peak: 1, warmupSteps: 10, totalSteps: 110, finalFraction: 0.1 };
    expect(learningRateAt(0, options)).toBeCloseTo(0.1);
    expect(learningRateAt(9, options)).toBeCloseTo(1);
    expect(learningRateAt(10, options)).toBeCloseTo(1);
    expect(learningRateAt(60, options)).toBeCloseTo(0.55);
    expect(learningRateAt(110, options)).toBeCloseTo(0.1);
  });
});

describe('training plot', () => {
  it('draws the loss and validation series', () => {
    const svg = renderTrainingPlot([
      { kind: 'train', step: 1, loss: 3, bce: 1, dice: 1, ce: 1 },
      { kind: 'train', step: 2, loss: 2, bce: 0.5, dice: 1, ce: 0.5 },
      { kind: 'validation', step: 2, 'iou@1': 40, 'iou@3': 50, 'iou@5': 60, 'noc@85': 12 },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<polyline/g) ?? []).length).toBe(8);
  });
});
