import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readKittiBin } from '@pointclick/io';
import { colorOfObject, computePointColors, robustIntensityRange, type PointColorInput } from '../src/viewer/point-colors.js';

const kittiScan = fileURLToPath(new URL('../../../../shared/data/semantickitti/000000.bin', import.meta.url));

/** A row of `count` points along x at heights 0…count−1 m, with the given intensities. */
function pointRow(intensity: number[]): Pick<PointColorInput, 'positions' | 'heightRange' | 'intensity'> {
  const positions = new Float32Array(intensity.length * 3);
  intensity.forEach((_, point) => {
    positions[point * 3] = point;
    positions[point * 3 + 2] = point;
  });
  return { positions, heightRange: [0, intensity.length - 1], intensity: Float32Array.from(intensity) };
}

function colorsOf(input: PointColorInput): number[][] {
  const output = new Uint8Array(input.positions.length);
  computePointColors(input, output);
  return Array.from({ length: output.length / 3 }, (_, point) => Array.from(output.subarray(point * 3, point * 3 + 3)));
}

describe('robustIntensityRange', () => {
  it('clips the lowest and highest 1 % so a few bright returns do not darken the rest', () => {
    const values = Array.from({ length: 10_000 }, (_, index) => index / 100);
    values[17] = 5_000; // a retro-reflector
    const [black, white] = robustIntensityRange(Float32Array.from(values));
    expect(black).toBeCloseTo(1, 0);
    expect(white).toBeGreaterThan(98);
    expect(white).toBeLessThan(100);
  });

  it('ignores non-finite values and gives [0, 0] when none is finite', () => {
    expect(robustIntensityRange(Float32Array.from([NaN, 2, Infinity, 2]))).toEqual([2, 2]);
    expect(robustIntensityRange(Float32Array.from([NaN, NaN]))).toEqual([0, 0]);
    expect(robustIntensityRange(new Float32Array(0))).toEqual([0, 0]);
  });

  it.skipIf(!existsSync(kittiScan))('spans the remissions of the real SemanticKITTI scan (skipped: ../shared/data absent)', async () => {
    const cloud = await readKittiBin(new Uint8Array(readFileSync(kittiScan)));
    const intensity = cloud.intensity;
    expect(intensity).toBeDefined();
    const [black, white] = robustIntensityRange(intensity!);
    expect(white).toBeGreaterThan(black);
    let inside = 0;
    for (const value of intensity!) if (value >= black && value <= white) inside++;
    // About 98 % of the returns lie between black and white (the sample is every ~2nd point).
    expect(inside / intensity!.length).toBeGreaterThan(0.95);
    const greys = new Set(colorsOf({ positions: cloud.positions, heightRange: [0, 1], intensity, intensityRange: [black, white], objects: new Map(), mode: 'intensity' }).map((rgb) => rgb[0]));
    expect(greys.size).toBeGreaterThan(50);
  });
});

describe('computePointColors in the intensity mode', () => {
  const row = pointRow([0, 10, 20, 30, 40]);

  it('draws grey levels that grow with intensity, black and white at the range ends and clipped beyond', () => {
    const colors = colorsOf({ ...row, intensityRange: [10, 30], objects: new Map(), mode: 'intensity' });
    expect(colors).toEqual([[0, 0, 0], [0, 0, 0], [127, 127, 127], [255, 255, 255], [255, 255, 255]]);
  });

  it('falls back to the height colours for a scan without intensities', () => {
    const withoutIntensity = { ...row, intensity: undefined, objects: new Map(), mode: 'intensity' as const };
    expect(colorsOf(withoutIntensity)).toEqual(colorsOf({ ...withoutIntensity, mode: 'height' }));
    expect(new Set(colorsOf(withoutIntensity).map((rgb) => rgb.join())).size).toBe(5);
  });

  it('blends a visible object mask over the grey and leaves hidden ones grey', () => {
    const instance = Int32Array.from([1, 1, 2, 0, 0]);
    const objects = new Map([
      [1, { color: colorOfObject(1), classIndex: 0, visible: true }],
      [2, { color: colorOfObject(2), classIndex: 0, visible: false }],
    ]);
    const colors = colorsOf({ ...row, intensityRange: [0, 40], instance, objects, mode: 'intensity' });
    const [red, green, blue] = colorOfObject(1);
    expect(colors[0]).toEqual([Math.floor(red * 0.7), Math.floor(green * 0.7), Math.floor(blue * 0.7)]);
    expect(colors[2]).toEqual([127, 127, 127]);
  });
});
