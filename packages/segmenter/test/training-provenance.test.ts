import { beforeAll, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  createModelFromCheckpoint,
  describeSeenScene,
  findSeenScene,
  mergeTrainingProvenance,
  parseCheckpointDocument,
  serializeCheckpoint,
  type TrainingProvenance,
} from '../src/index.js';
import { createTestModel, useCpuBackend } from './segmenter-fixtures.js';

/** A lineage's provenance as the default model records it: ScanNet rooms, one extra room, generated rooms. */
const provenance: TrainingProvenance = {
  trainedOn: [
    { dataset: 'scannet-votenet', scenes: ['scene0000_00', 'scene0001_01', 'scene0004_00'] },
    { dataset: 'scannet-extra', scenes: ['scene0451_01'] },
    { dataset: 'osd-learn', scenes: ['learn0', 'learn1'] },
    { dataset: 'synthetic-indoor', seeds: { first: 1000, last: 1047 } },
  ],
};

beforeAll(async () => {
  await useCpuBackend();
});

describe('training provenance', () => {
  it('matches ScanNet scans by room: a rescan of a trained room is seen, another room is not', () => {
    const rescan = findSeenScene(provenance, { dataset: 'scannet-votenet', id: 'scene0001_00' });
    expect(rescan).toEqual({ scene: 'scene0001_00', dataset: 'scannet-votenet', seen: true, trainingScene: 'scene0001_01', trainingDataset: 'scannet-votenet', room: 'scene0001' });
    expect(describeSeenScene(rescan)).toBe('scene0001_00: seen in training (room scene0001 via scene0001_01 of scannet-votenet)');
    // The same scan itself is named when it was trained on, and rooms match across folders.
    expect(findSeenScene(provenance, { dataset: 'scannet-votenet', id: 'scene0004_00' }).trainingScene).toBe('scene0004_00');
    expect(findSeenScene(provenance, { dataset: 'scannet', id: 'scene0451_00' })).toMatchObject({ seen: true, trainingScene: 'scene0451_01', trainingDataset: 'scannet-extra' });
    const validation = findSeenScene(provenance, { dataset: 'scannet-votenet', id: 'scene0007_00' });
    expect(validation.seen).toBe(false);
    expect(describeSeenScene(validation)).toBe('scene0007_00: not seen in training');
  });

  it('matches other ids by dataset and id, and generated scenes by seed range', () => {
    expect(findSeenScene(provenance, { dataset: 'osd-learn', id: 'learn1' }).seen).toBe(true);
    expect(findSeenScene(provenance, { dataset: 'osd-learn', id: 'learn2' }).seen).toBe(false);
    expect(findSeenScene(provenance, { dataset: 'other-tabletops', id: 'learn1' }).seen).toBe(false);
    expect(findSeenScene(provenance, { dataset: 'synthetic-indoor', id: 'synthetic-indoor-1047' }).seen).toBe(true);
    expect(findSeenScene(provenance, { dataset: 'synthetic-indoor', id: 'synthetic-indoor-1048' }).seen).toBe(false);
    expect(findSeenScene(provenance, { dataset: 'synthetic-outdoor', id: 'synthetic-outdoor-1000' }).seen).toBe(false);
  });

  it('keeps unknown provenance visible: no record, or a lineage with an unknown part, is never "not seen"', () => {
    const none = findSeenScene(undefined, { dataset: 'scannet-votenet', id: 'scene0007_00' });
    expect(none.seen).toBe('unknown');
    expect(describeSeenScene(none)).toMatch(/^scene0007_00: unknown whether seen in training/);
    const partial = mergeTrainingProvenance(provenance, { trainedOn: [], unknownSources: ['runs/old-model'] });
    expect(partial.unknownSources).toEqual(['runs/old-model']);
    expect(findSeenScene(partial, { dataset: 'scannet-votenet', id: 'scene0007_00' }).seen).toBe('unknown');
    // What is recorded still counts as seen.
    expect(findSeenScene(partial, { dataset: 'scannet-votenet', id: 'scene0001_00' }).seen).toBe(true);
  });

  it('unites provenances: scene ids per dataset, seed ranges merged when they touch', () => {
    const merged = mergeTrainingProvenance(
      { trainedOn: [{ dataset: 'scannet-votenet', scenes: ['scene0002_00', 'scene0000_00'] }, { dataset: 'synthetic-indoor', seeds: { first: 1000, last: 1007 } }] },
      { trainedOn: [{ dataset: 'scannet-votenet', scenes: ['scene0000_00', 'scene0001_01'] }, { dataset: 'synthetic-indoor', seeds: { first: 1008, last: 1047 } }, { dataset: 'synthetic-indoor', seeds: { first: 2000, last: 2001 } }] },
    );
    expect(merged).toEqual({
      trainedOn: [
        { dataset: 'scannet-votenet', scenes: ['scene0000_00', 'scene0001_01', 'scene0002_00'] },
        { dataset: 'synthetic-indoor', seeds: { first: 1000, last: 1047 } },
        { dataset: 'synthetic-indoor', seeds: { first: 2000, last: 2001 } },
      ],
    });
  });

  it('round-trips through a checkpoint; a checkpoint without it loads unchanged; a bad record names its field', () => {
    const model = createTestModel();
    const { document: old, weights } = serializeCheckpoint(model);
    expect(old.config.provenance).toBeUndefined();
    const oldText = JSON.stringify(old);
    const parsedOld = parseCheckpointDocument(oldText, 'old.json');
    expect(parsedOld).toEqual(JSON.parse(oldText));
    expect('provenance' in parsedOld.config).toBe(false);
    const loadedOld = createModelFromCheckpoint(parsedOld, weights, 'old.json');
    expect(loadedOld.config.provenance).toBeUndefined();
    loadedOld.dispose();

    const withProvenance = { ...old, config: { ...old.config, provenance } };
    const loaded = createModelFromCheckpoint(parseCheckpointDocument(JSON.stringify(withProvenance), 'new.json'), weights, 'new.json');
    // Serialised again (as export does), the record is carried.
    expect(serializeCheckpoint(loaded).document.config.provenance).toEqual(provenance);
    loaded.dispose();
    model.dispose();

    const bad = (value: unknown) => () => parseCheckpointDocument(JSON.stringify({ ...old, config: { ...old.config, provenance: value } }), 'bad.json');
    expect(bad({ trainedOn: [{ dataset: 'synthetic-indoor', seeds: { first: 5, last: 2 } }] })).toThrow(CheckpointError);
    expect(bad({ trainedOn: [{ dataset: 'synthetic-indoor', seeds: { first: 5, last: 2 } }] })).toThrow(/bad\.json: field 'config\.provenance\.trainedOn\[0\]\.seeds'/);
    expect(bad({ trainedOn: [{ dataset: 'x', scenes: ['a'] }, { dataset: 'y' }] })).toThrow(/'config\.provenance\.trainedOn\[1\]': expected exactly one of 'scenes'/);
    expect(bad({ scenes: [] })).toThrow(/'config\.provenance\.trainedOn': expected an array/);
    expect(bad({ trainedOn: [], unknownSources: [3] })).toThrow(/'config\.provenance\.unknownSources'/);
  });
});
