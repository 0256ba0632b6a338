import { argsortCodes, invertPermutation } from '../serialization/code-sort.js';
import { computePatchPadding, type PatchPadding } from '../serialization/patch-padding.js';
import {
  computeSerializationDepth,
  encodeSerializationCodes,
  type SerializationOrder,
} from '../serialization/serialization-codes.js';
import type { SegmentLayout } from '../ops/point-ops.js';
import { buildNeighbourTable } from '../sparse/voxel-hash.js';

/** Geometry of one resolution level: voxels, their serializations and cached neighbourhoods. Pure JS. */
export class PointLevel {
  /** Occupied voxels. */
  readonly voxelCount: number;
  /** `voxelCount*3` integer grid coordinates. */
  readonly gridCoordinates: Int32Array;
  /** `voxelCount*3` voxel-mean positions in metres. */
  readonly coordinates: Float32Array;
  /** Voxel edge length in metres. */
  readonly voxelSize: number;
  /** Serialization depth (bits per axis of the codes). */
  readonly depth: number;
  /** Orders in their (possibly shuffled) use order; block i uses entry i mod length. */
  readonly orderNames: SerializationOrder[];
  /** Per order, `voxelCount` codes (exact float64 integers). */
  readonly codes: Float64Array[];
  /** Per order, voxel indices sorted by code. */
  readonly orders: Int32Array[];
  /** Per order, each voxel's position in the sorted sequence. */
  readonly inverses: Int32Array[];
  private readonly neighbourTables = new Map<number, Int32Array>();
  private readonly paddings = new Map<number, PatchPadding>();
  private readonly patchIndices = new Map<string, Int32Array>();

  constructor(options: {
    gridCoordinates: Int32Array;
    coordinates: Float32Array;
    voxelSize: number;
    depth: number;
    orderNames: SerializationOrder[];
    codes: Float64Array[];
  }) {
    this.voxelCount = options.gridCoordinates.length / 3;
    this.gridCoordinates = options.gridCoordinates;
    this.coordinates = options.coordinates;
    this.voxelSize = options.voxelSize;
    this.depth = options.depth;
    this.orderNames = options.orderNames;
    this.codes = options.codes;
    this.orders = options.codes.map((codes) => argsortCodes(codes));
    this.inverses = this.orders.map((order) => invertPermutation(order));
  }

  /** Serializes the finest level (Pointcept `Point.serialization`). */
  static serialize(
    gridCoordinates: Int32Array,
    coordinates: Float32Array,
    voxelSize: number,
    orderNames: SerializationOrder[],
  ): PointLevel {
    const depth = computeSerializationDepth(gridCoordinates);
    const codes = orderNames.map((order) => encodeSerializationCodes(gridCoordinates, depth, order));
    return new PointLevel({ gridCoordinates, coordinates, voxelSize, depth, orderNames, codes });
  }

  /** Submanifold neighbour table for a cubic kernel (see `buildNeighbourTable`), cached per size. */
  neighbourTable(kernelSize: number): Int32Array {
    return cached(this.neighbourTables, kernelSize, () => buildNeighbourTable(this.gridCoordinates, kernelSize));
  }

  /** Patch layout for a patch size, cached. */
  padding(patchSize: number): PatchPadding {
    return cached(this.paddings, patchSize, () => computePatchPadding(this.voxelCount, patchSize));
  }

  /**
   * Voxel index of every padded patch slot for an order: `order[paddedPositions[slot]]`; cached.
   * @param orderIndex block index; the order used is `orderIndex mod orderNames.length`.
   */
  patchVoxels(orderIndex: number, patchSize: number): Int32Array {
    return cached(this.patchIndices, `${orderIndex % this.orders.length}:${patchSize}`, () => {
      const order = this.orders[orderIndex % this.orders.length];
      const { paddedPositions } = this.padding(patchSize);
      const voxels = new Int32Array(paddedPositions.length);
      for (let slot = 0; slot < paddedPositions.length; slot++) voxels[slot] = order[paddedPositions[slot]];
      return voxels;
    });
  }

  /** Each voxel's position in the serialized sequence of an order. */
  inverse(orderIndex: number): Int32Array {
    return this.inverses[orderIndex % this.inverses.length];
  }
}

/** A coarser level and how the finer level's voxels map onto it. */
export interface PooledLevel {
  /** The coarser level. */
  level: PointLevel;
  /** For every finer voxel, its parent's index in `level` (Pointcept `pooling_inverse`). */
  parentOfFine: Int32Array;
  /** Finer voxels grouped by parent, for the max reduction. */
  children: SegmentLayout;
}

/**
 * Grid pooling by serialization code (Pointcept `SerializedPooling`, stride 2): parent code = code >> 3
 * of the first order, voxels sharing it are merged; parent grid coordinate = child >> 1, parent position =
 * mean of the children's, parent codes of every order = child code >> 3.
 */
export function poolLevel(fine: PointLevel): PooledLevel {
  const shift = fine.depth >= 1 ? 1 : 0;
  const divisor = shift ? 8 : 1;
  const parentCodes = new Float64Array(fine.voxelCount);
  const firstCodes = fine.codes[0];
  for (let voxel = 0; voxel < fine.voxelCount; voxel++) parentCodes[voxel] = Math.floor(firstCodes[voxel] / divisor);
  const members = argsortCodes(parentCodes);
  const parentOfFine = new Int32Array(fine.voxelCount);
  const offsetList: number[] = [0];
  for (let position = 0; position < members.length; position++) {
    if (position > 0 && parentCodes[members[position]] !== parentCodes[members[position - 1]]) offsetList.push(position);
    parentOfFine[members[position]] = offsetList.length - 1;
  }
  offsetList.push(members.length);
  const offsets = Int32Array.from(offsetList);
  const parentCount = offsets.length - 1;
  const gridCoordinates = new Int32Array(parentCount * 3);
  const coordinates = new Float32Array(parentCount * 3);
  const codes = fine.codes.map(() => new Float64Array(parentCount));
  for (let parent = 0; parent < parentCount; parent++) {
    const head = members[offsets[parent]];
    for (let axis = 0; axis < 3; axis++) gridCoordinates[3 * parent + axis] = fine.gridCoordinates[3 * head + axis] >> shift;
    for (let order = 0; order < codes.length; order++) codes[order][parent] = Math.floor(fine.codes[order][head] / divisor);
    let sumX = 0;
    let sumY = 0;
    let sumZ = 0;
    for (let member = offsets[parent]; member < offsets[parent + 1]; member++) {
      const child = members[member];
      sumX += fine.coordinates[3 * child];
      sumY += fine.coordinates[3 * child + 1];
      sumZ += fine.coordinates[3 * child + 2];
    }
    const count = offsets[parent + 1] - offsets[parent];
    coordinates[3 * parent] = sumX / count;
    coordinates[3 * parent + 1] = sumY / count;
    coordinates[3 * parent + 2] = sumZ / count;
  }
  const level = new PointLevel({
    gridCoordinates,
    coordinates,
    voxelSize: fine.voxelSize * 2 ** shift,
    depth: fine.depth - shift,
    orderNames: fine.orderNames.slice(),
    codes,
  });
  return { level, parentOfFine, children: { members, offsets, segmentOfRow: parentOfFine } };
}

/** Returns a copy of a level's order list permuted by `random` (Pointcept `shuffle_orders`). */
export function shuffleLevelOrders(level: PointLevel, random: () => number): PointLevel {
  const permutation = level.orderNames.map((_, index) => index);
  for (let index = permutation.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [permutation[index], permutation[other]] = [permutation[other], permutation[index]];
  }
  return new PointLevel({
    gridCoordinates: level.gridCoordinates,
    coordinates: level.coordinates,
    voxelSize: level.voxelSize,
    depth: level.depth,
    orderNames: permutation.map((index) => level.orderNames[index]),
    codes: permutation.map((index) => level.codes[index]),
  });
}

/** The value of `key` in `cache`, computed by `compute` and stored on first use. */
function cached<Key, Value>(cache: Map<Key, Value>, key: Key, compute: () => Value): Value {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute();
    cache.set(key, value);
  }
  return value;
}
