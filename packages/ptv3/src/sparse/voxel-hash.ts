/**
 * Open-addressing hash table from integer voxel coordinates (each 0 … 2^16 - 1) to voxel indices; the
 * neighbour search of submanifold sparse convolution.
 */
export class VoxelHash {
  private readonly keys: Float64Array;
  private readonly values: Int32Array;
  private readonly mask: number;

  /** @param gridCoordinates `count*3` integer coordinates, all distinct. */
  constructor(gridCoordinates: Int32Array) {
    const count = gridCoordinates.length / 3;
    let capacity = 16;
    while (capacity < count * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.keys = new Float64Array(capacity).fill(-1);
    this.values = new Int32Array(capacity);
    for (let index = 0; index < count; index++) {
      const x = gridCoordinates[3 * index];
      const y = gridCoordinates[3 * index + 1];
      const z = gridCoordinates[3 * index + 2];
      let slot = this.slotOf(x, y, z);
      const key = packKey(x, y, z);
      while (this.keys[slot] !== -1) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.values[slot] = index;
    }
  }

  /** Index of the voxel at (x, y, z), or -1 when unoccupied or outside the coordinate range. */
  find(x: number, y: number, z: number): number {
    if (x < 0 || y < 0 || z < 0 || x > 0xffff || y > 0xffff || z > 0xffff) return -1;
    const key = packKey(x, y, z);
    let slot = this.slotOf(x, y, z);
    for (;;) {
      const stored = this.keys[slot];
      if (stored === key) return this.values[slot];
      if (stored === -1) return -1;
      slot = (slot + 1) & this.mask;
    }
  }

  private slotOf(x: number, y: number, z: number): number {
    return (Math.imul(x, 73856093) ^ Math.imul(y, 19349663) ^ Math.imul(z, 83492791)) & this.mask;
  }
}

function packKey(x: number, y: number, z: number): number {
  return x * 4294967296 + y * 65536 + z;
}

/**
 * Neighbour table of a submanifold convolution with a cubic kernel: for every voxel and every kernel
 * offset, the index of the occupied voxel at that offset, or `count` (a zero row) when unoccupied.
 * Offsets are ordered (dx, dy, dz) lexicographically, each from -radius to +radius.
 * @param gridCoordinates `count*3` distinct integer coordinates.
 * @param kernelSize odd edge length of the kernel in voxels (3 or 5).
 * @returns `count*kernelSize³` indices, voxel-major.
 */
export function buildNeighbourTable(gridCoordinates: Int32Array, kernelSize: number): Int32Array {
  const count = gridCoordinates.length / 3;
  const radius = (kernelSize - 1) / 2;
  const volume = kernelSize ** 3;
  const hash = new VoxelHash(gridCoordinates);
  const table = new Int32Array(count * volume);
  for (let voxel = 0; voxel < count; voxel++) {
    const x = gridCoordinates[3 * voxel];
    const y = gridCoordinates[3 * voxel + 1];
    const z = gridCoordinates[3 * voxel + 2];
    let slot = voxel * volume;
    for (let dx = -radius; dx <= radius; dx++) {
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dz = -radius; dz <= radius; dz++) {
          const neighbour = dx === 0 && dy === 0 && dz === 0 ? voxel : hash.find(x + dx, y + dy, z + dz);
          table[slot++] = neighbour < 0 ? count : neighbour;
        }
      }
    }
  }
  return table;
}
