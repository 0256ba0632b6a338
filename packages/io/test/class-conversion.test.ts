import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClassMappingError, convertSemanticId, convertSemanticIds, findClassId, LABEL_SPACES, listClassNames } from '../src/classes/class-conversion.js';
import { readSemanticKittiLabels } from '../src/kitti/semantickitti-label-reader.js';
import { SHARED_DATA_DIRECTORY } from './shared-data.js';

const labelPath = join(SHARED_DATA_DIRECTORY, 'semantickitti', '000000.label');

function mappingError(action: () => unknown): ClassMappingError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ClassMappingError);
    return error as ClassMappingError;
  }
  throw new Error('expected a ClassMappingError');
}

describe('class conversion between label spaces', () => {
  it('lists the classes of every space', () => {
    expect(Object.keys(listClassNames('nyu40'))).toHaveLength(40);
    expect(Object.keys(listClassNames('scannet20'))).toHaveLength(20);
    expect(Object.keys(listClassNames('s3dis13'))).toHaveLength(13);
    expect(Object.keys(listClassNames('semantickitti19'))).toHaveLength(19);
    expect(listClassNames('scannet20')[13]).toBe('desk');
  });

  it('converts ScanNet20 to NYU40 and back for all 20 classes, and S3DIS via NYU40 to ScanNet20', () => {
    for (let id = 1; id <= 20; id++) {
      const nyu40 = convertSemanticId(id, 'scannet20', 'nyu40');
      expect(listClassNames('nyu40')[nyu40]).toBe(listClassNames('scannet20')[id]);
      expect(convertSemanticId(nyu40, 'nyu40', 'scannet20')).toBe(id);
    }
    expect(listClassNames('scannet20')[convertSemanticId(findClassId('s3dis13', 'chair'), 's3dis13', 'scannet20')]).toBe('chair');
    expect(listClassNames('nyu40')[convertSemanticId(findClassId('s3dis13', 'bookcase'), 's3dis13', 'nyu40')]).toBe('bookshelf');
    expect(Array.from(convertSemanticIds([0, 5, 5, 1], 'nyu40', 's3dis13'))).toEqual([0, findClassId('s3dis13', 'chair'), findClassId('s3dis13', 'chair'), findClassId('s3dis13', 'wall')]);
  });

  it('names the class that has no counterpart instead of zeroing it', () => {
    const beam = mappingError(() => convertSemanticIds([1, findClassId('s3dis13', 'beam')], 's3dis13', 'nyu40'));
    expect(beam).toMatchObject({ className: 'beam', from: 's3dis13', to: 'nyu40' });
    expect(beam.message).toContain("'beam'");
    const otherprop = mappingError(() => convertSemanticId(40, 'nyu40', 'scannet20'));
    expect(otherprop.className).toBe('otherprop');
    const car = mappingError(() => convertSemanticId(findClassId('semantickitti19', 'car'), 'semantickitti19', 'scannet20'));
    expect(car.className).toBe('car');
    expect(mappingError(() => convertSemanticId(41, 'nyu40', 'nyu40')).message).toContain('not a class of nyu40');
    expect(mappingError(() => findClassId('s3dis13', 'spaceship')).className).toBe('spaceship');
  });

  it('meets outdoors and indoors in person; finds names in any spelling', () => {
    const person = findClassId('semantickitti19', 'person');
    expect(listClassNames('nyu40')[convertSemanticId(person, 'semantickitti19', 'nyu40')]).toBe('person');
    expect(listClassNames('scannet20')[0]).toBeUndefined();
    expect(mappingError(() => convertSemanticId(30, 'semantickitti', 'scannet20')).className).toBe('person');
    expect(findClassId('semantickitti19', 'Traffic_Sign')).toBe(19);
    expect(findClassId('nyu40', 'night-stand')).toBe(32);
    expect(LABEL_SPACES).toHaveLength(5);
  });

  it.skipIf(!existsSync(labelPath))('maps the real SemanticKITTI scan raw → 19 → raw, refusing outlier / other-structure / other-object by name', () => {
    const { semantic } = readSemanticKittiLabels(new Uint8Array(readFileSync(labelPath)));
    const error = mappingError(() => convertSemanticIds(semantic, 'semantickitti', 'semantickitti19'));
    expect(['outlier', 'other-structure', 'other-object']).toContain(error.className);
    // Once those points are deliberately unlabelled, every other raw id has an evaluation class.
    const cleaned = semantic.map((id) => (id === 1 || id === 52 || id === 99 ? 0 : id));
    const nineteen = convertSemanticIds(cleaned, 'semantickitti', 'semantickitti19');
    const raw = convertSemanticIds(nineteen, 'semantickitti19', 'semantickitti');
    const movingCar = cleaned.indexOf(252);
    expect(movingCar).toBeGreaterThanOrEqual(0);
    expect(listClassNames('semantickitti19')[nineteen[movingCar]]).toBe('car');
    expect(raw[movingCar]).toBe(10);
    // Static raw ids come back as they were (lane-marking joins road); moving ones as their static class.
    const changed = cleaned.filter((id, point) => id < 252 && raw[point] !== (id === 60 ? 40 : id));
    expect(changed).toHaveLength(0);
  });
});
