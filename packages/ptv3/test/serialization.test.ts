import { describe, expect, it } from 'vitest';
import { PointTransformerInputError, sampleGrid } from '../src/index.js';
import { PointLevel, poolLevel } from '../src/levels/point-level.js';
import { argsortCodes, invertPermutation } from '../src/serialization/code-sort.js';
import { computePatchPadding } from '../src/serialization/patch-padding.js';
import { computeSerializationDepth, encodeHilbert, encodeSerializationCodes, encodeZOrder } from '../src/serialization/serialization-codes.js';
import { buildNeighbourTable, VoxelHash } from '../src/sparse/voxel-hash.js';

function cube(depth: number): Int32Array {
  const side = 2 ** depth;
  const coordinates = new Int32Array(side ** 3 * 3);
  let index = 0;
  for (let x = 0; x < side; x++) for (let y = 0; y < side; y++) for (let z = 0; z < side; z++) coordinates.set([x, y, z], 3 * index++);
  return coordinates;
}

describe('z-order', () => {
  it('interleaves bits with x most significant in each triplet', () => {
    expect(encodeZOrder(0, 0, 1)).toBe(1);
    expect(encodeZOrder(0, 1, 0)).toBe(2);
    expect(encodeZOrder(1, 0, 0)).toBe(4);
    expect(encodeZOrder(2, 0, 0)).toBe(32);
    expect(encodeZOrder(3, 3, 3)).toBe(63);
    expect(encodeZOrder(5, 0, 3)).toBe(0b100_001_101);
  });

  it('is exact above 32 bits', () => {
    // x = 2^15 puts its bit at position 3·15 + 2 = 47.
    expect(encodeZOrder(2 ** 15, 0, 0)).toBe(2 ** 47);
    expect(encodeZOrder(0xffff, 0xffff, 0xffff)).toBe(2 ** 48 - 1);
  });

  it('z-trans swaps x and y', () => {
    const coordinates = Int32Array.from([1, 0, 0, 0, 1, 0]);
    expect([...encodeSerializationCodes(coordinates, 1, 'z-trans')]).toEqual([2, 4]);
  });
});

describe('Hilbert', () => {
  for (const depth of [1, 2, 3]) {
    it(`is a bijection onto 0 … 8^${depth} - 1 whose consecutive codes are face-adjacent cells (depth ${depth})`, () => {
      const coordinates = cube(depth);
      for (const order of ['hilbert', 'hilbert-trans'] as const) {
        const codes = encodeSerializationCodes(coordinates, depth, order);
        const cellOfCode = new Int32Array(codes.length).fill(-1);
        codes.forEach((code, cell) => {
          expect(Number.isInteger(code) && code >= 0 && code < codes.length).toBe(true);
          expect(cellOfCode[code]).toBe(-1);
          cellOfCode[code] = cell;
        });
        for (let code = 1; code < codes.length; code++) {
          const a = cellOfCode[code - 1];
          const b = cellOfCode[code];
          const distance =
            Math.abs(coordinates[3 * a] - coordinates[3 * b]) +
            Math.abs(coordinates[3 * a + 1] - coordinates[3 * b + 1]) +
            Math.abs(coordinates[3 * a + 2] - coordinates[3 * b + 2]);
          expect(distance).toBe(1);
        }
      }
    });
  }

  it('keeps the parent cell in the top bits (code >> 3 is constant over each 2×2×2 block)', () => {
    const coordinates = cube(3);
    const codes = encodeSerializationCodes(coordinates, 3, 'hilbert');
    const parentCode = new Map<string, number>();
    codes.forEach((code, cell) => {
      const key = `${coordinates[3 * cell] >> 1},${coordinates[3 * cell + 1] >> 1},${coordinates[3 * cell + 2] >> 1}`;
      const parent = Math.floor(code / 8);
      if (parentCode.has(key)) expect(parentCode.get(key)).toBe(parent);
      parentCode.set(key, parent);
    });
    expect(parentCode.size).toBe(64);
  });

  it('starts at the origin', () => {
    expect(encodeHilbert(0, 0, 0, 4)).toBe(0);
  });
});

describe('serialization depth', () => {
  it('is the bit length of the largest coordinate + 1', () => {
    expect(computeSerializationDepth(Int32Array.from([0, 0, 0]))).toBe(1);
    expect(computeSerializationDepth(Int32Array.from([0, 6, 0]))).toBe(3);
    expect(computeSerializationDepth(Int32Array.from([7, 0, 0]))).toBe(4);
  });
  it('rejects extents beyond 16 bits and negative coordinates', () => {
    expect(() => computeSerializationDepth(Int32Array.from([65535, 0, 0]))).toThrow(PointTransformerInputError);
    expect(() => computeSerializationDepth(Int32Array.from([0, -1, 0]))).toThrow(/offset 1/);
  });
});

describe('code sorting', () => {
  it('argsorts 48-bit codes like a comparison sort and inverts the permutation', () => {
    let state = 12345;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const codes = Float64Array.from({ length: 5000 }, () => Math.floor(random() * 2 ** 24) * 2 ** 24 + Math.floor(random() * 2 ** 24));
    codes[10] = codes[20]; // a tie
    const order = argsortCodes(codes);
    const expected = [...codes.keys()].sort((a, b) => codes[a] - codes[b] || a - b);
    expect([...order]).toEqual(expected);
    // Small and degenerate inputs: empty, one code, all equal, codes that differ in one digit only, many ties.
    const cases = [
      new Float64Array(0),
      Float64Array.of(7),
      new Float64Array(40).fill(2 ** 40 + 5),
      Float64Array.from({ length: 300 }, (_, index) => ((index * 37) % 11) * 2 ** 32),
      Float64Array.from({ length: 300 }, (_, index) => ((index * 37) % 13) * 2 ** 16),
      Float64Array.from({ length: 3000 }, () => Math.floor(random() * 6) * 2 ** 32 + Math.floor(random() * 4) * 2 ** 16 + Math.floor(random() * 3)),
    ];
    for (const values of cases) {
      expect([...argsortCodes(values)]).toEqual([...values.keys()].sort((a, b) => values[a] - values[b] || a - b));
    }
    const inverse = invertPermutation(order);
    for (let position = 0; position < order.length; position++) expect(inverse[order[position]]).toBe(position);
  });
});

describe('patch padding (Pointcept rule)', () => {
  it('repeats the positions one patch earlier to fill the last patch', () => {
    const padding = computePatchPadding(10, 4);
    expect(padding.patchSize).toBe(4);
    expect(padding.patchCount).toBe(3);
    expect([...padding.paddedPositions]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 6, 7]);
  });
  it('does not pad a multiple of the patch size', () => {
    expect([...computePatchPadding(8, 4).paddedPositions]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
  it('uses one short patch when the cloud is not longer than the patch size', () => {
    const padding = computePatchPadding(3, 4);
    expect(padding).toMatchObject({ patchSize: 3, patchCount: 1 });
    expect([...padding.paddedPositions]).toEqual([0, 1, 2]);
  });
  it('covers every position and only repeats the previous patch', () => {
    for (const [count, size] of [[1025, 1024], [2047, 1024], [17, 5]]) {
      const { paddedPositions, patchCount, patchSize } = computePatchPadding(count, size);
      expect(paddedPositions.length).toBe(patchCount * patchSize);
      expect(new Set(paddedPositions).size).toBe(count);
      for (let slot = count; slot < paddedPositions.length; slot++) expect(paddedPositions[slot]).toBe(slot - size);
    }
  });
});

describe('grid sampling', () => {
  it('merges points per voxel with mean position and colour, and maps every input point', () => {
    const positions = Float32Array.from([0.01, 0.01, 0.01, 0.03, 0.01, 0.01, 0.015, 0.005, 0.012, -0.01, 0, 0]);
    const colors = Uint8Array.from([10, 20, 30, 0, 0, 0, 30, 40, 50, 1, 1, 1]);
    const sample = sampleGrid(positions, colors, 0.02);
    expect(sample.voxelCount).toBe(3);
    // floor(x / 0.02): 0, 1, 0, -1 → shifted by +1: 1, 2, 1, 0; lexicographic numbering.
    expect([...sample.inputToVoxel]).toEqual([1, 2, 1, 0]);
    expect([...sample.gridCoordinates]).toEqual([0, 0, 0, 1, 0, 0, 2, 0, 0]);
    expect(sample.meanPositions[3]).toBeCloseTo(0.0125, 6);
    expect([...sample.meanColors!.subarray(3, 6)]).toEqual([20, 30, 40]);
  });
  it('rejects bad input with the field and offset', () => {
    expect(() => sampleGrid(Float32Array.from([0, 0]), undefined, 0.02)).toThrow(/positions/);
    expect(() => sampleGrid(Float32Array.from([0, NaN, 0]), undefined, 0.02)).toThrow(/positions at offset 1/);
    expect(() => sampleGrid(Float32Array.from([0, 0, 0]), Uint8Array.from([1]), 0.02)).toThrow(/colors/);
  });
});

describe('neighbour table and pooling geometry', () => {
  it('finds the occupied 3×3×3 neighbours and marks absent ones with the zero row', () => {
    const coordinates = Int32Array.from([5, 5, 5, 6, 5, 5, 5, 5, 7]);
    const table = buildNeighbourTable(coordinates, 3);
    // Offsets are (dx, dy, dz) lexicographic: centre = 13, (+1, 0, 0) = 22, (-1, 0, 0) = 4.
    expect(table[0 * 27 + 13]).toBe(0);
    expect(table[0 * 27 + 22]).toBe(1);
    expect(table[1 * 27 + 4]).toBe(0);
    expect(table[0 * 27 + 14]).toBe(3); // (0, 0, +1) is empty: z = 6
    expect([...table.subarray(2 * 27, 3 * 27)].filter((index) => index !== 3)).toEqual([2]);
  });

  it.each([3, 5])('equals one VoxelHash lookup per offset for kernel size %i (blocks, block edges, coordinate 0)', (kernelSize) => {
    // Random distinct voxels in a 13³ box from the origin: crosses 4-voxel block edges and the lower bound.
    const occupied = new Set<number>();
    let state = 7;
    while (occupied.size < 600) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      occupied.add(state % 2197);
    }
    const coordinates = Int32Array.from([...occupied].flatMap((cell) => [Math.floor(cell / 169), Math.floor(cell / 13) % 13, cell % 13]));
    const count = occupied.size;
    const table = buildNeighbourTable(coordinates, kernelSize);
    const hash = new VoxelHash(coordinates);
    const radius = (kernelSize - 1) / 2;
    const expected: number[] = [];
    for (let voxel = 0; voxel < count; voxel++) {
      for (let dx = -radius; dx <= radius; dx++) {
        for (let dy = -radius; dy <= radius; dy++) {
          for (let dz = -radius; dz <= radius; dz++) {
            const found = hash.find(coordinates[3 * voxel] + dx, coordinates[3 * voxel + 1] + dy, coordinates[3 * voxel + 2] + dz);
            expected.push(found < 0 ? count : found);
          }
        }
      }
    }
    expect([...table]).toEqual(expected);
    expect(expected.filter((index) => index !== count).length).toBeGreaterThan(count);
  });

  it('pools children sharing code >> 3 into parents with mean positions', () => {
    const grid = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 0, 0, 3, 1, 0]);
    const coordinates = Float32Array.from([0, 0, 0, 1, 1, 1, 2, 0, 0, 3, 1, 0]);
    const level = PointLevel.serialize(grid, coordinates, 1, ['z', 'hilbert']);
    const { level: parent, parentOfFine, children } = poolLevel(level);
    expect(parent.voxelCount).toBe(2);
    expect(parentOfFine[0]).toBe(parentOfFine[1]);
    expect(parentOfFine[2]).toBe(parentOfFine[3]);
    expect(parentOfFine[0]).not.toBe(parentOfFine[2]);
    const first = parentOfFine[0];
    expect([...parent.gridCoordinates.subarray(3 * first, 3 * first + 3)]).toEqual([0, 0, 0]);
    expect([...parent.coordinates.subarray(3 * first, 3 * first + 3)]).toEqual([0.5, 0.5, 0.5]);
    expect(parent.voxelSize).toBe(2);
    expect(parent.depth).toBe(level.depth - 1);
    expect([...children.offsets]).toEqual([0, 2, 4]);
  });
});
