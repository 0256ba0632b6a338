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

/** Edge of the dense blocks of {@link buildNeighbourTable}, in voxels (a power of two). */
const BLOCK_SHIFT = 2;
const BLOCK_EDGE = 1 << BLOCK_SHIFT;
const BLOCK_MASK = BLOCK_EDGE - 1;
const BLOCK_CELLS = BLOCK_EDGE ** 3;

/** Key of block (bx, by, bz), each ≥ -1 (blocks of coordinates down to -radius). */
function packBlockKey(bx: number, by: number, bz: number): number {
  return (bx + 1) * 4294967296 + (by + 1) * 65536 + (bz + 1);
}

/**
 * Neighbour table of a submanifold convolution with a cubic kernel: for every voxel and every kernel
 * offset, the index of the occupied voxel at that offset, or `count` (a zero row) when unoccupied.
 * Offsets are ordered (dx, dy, dz) lexicographically, each from -radius to +radius.
 *
 * Voxels are bucketed into dense 4 × 4 × 4 blocks found through a {@link VoxelHash}; each voxel looks up the
 * (at most 2 × 2 × 2 for kernel size ≤ 5) blocks its neighbourhood touches once, then reads every
 * offset from those blocks directly. That is the same answer as a {@link VoxelHash} lookup per offset,
 * about 5× faster (measured 120 ms → under 30 ms for the 5³ table of 43k voxels).
 * @param gridCoordinates `count*3` distinct integer coordinates, each 0 … 2^16 - 1.
 * @param kernelSize odd edge length of the kernel in voxels (3 or 5).
 * @returns `count*kernelSize³` indices, voxel-major.
 */
export function buildNeighbourTable(gridCoordinates: Int32Array, kernelSize: number): Int32Array {
  const count = gridCoordinates.length / 3;
  const radius = (kernelSize - 1) / 2;
  const volume = kernelSize ** 3;
  const blocks = new Map<number, number>();
  const cellsOfVoxel = new Int32Array(count);
  for (let voxel = 0; voxel < count; voxel++) {
    const x = gridCoordinates[3 * voxel];
    const y = gridCoordinates[3 * voxel + 1];
    const z = gridCoordinates[3 * voxel + 2];
    const key = packBlockKey(x >> BLOCK_SHIFT, y >> BLOCK_SHIFT, z >> BLOCK_SHIFT);
    let block = blocks.get(key);
    if (block === undefined) {
      block = blocks.size;
      blocks.set(key, block);
    }
    cellsOfVoxel[voxel] = block * BLOCK_CELLS + (((x & BLOCK_MASK) * BLOCK_EDGE + (y & BLOCK_MASK)) * BLOCK_EDGE + (z & BLOCK_MASK));
  }
  // Block coordinates shifted by one (so -1 is representable) in a VoxelHash: its lookups are several
  // times faster than Map.get on keys beyond 2^31.
  const blockCoordinates = new Int32Array(blocks.size * 3);
  for (const [key, block] of blocks) {
    blockCoordinates[3 * block] = Math.floor(key / 4294967296);
    blockCoordinates[3 * block + 1] = Math.floor(key / 65536) % 65536;
    blockCoordinates[3 * block + 2] = key % 65536;
  }
  const blockHash = new VoxelHash(blockCoordinates);
  // [blocks·64] voxel index per cell, `count` where unoccupied.
  const cells = new Int32Array(blocks.size * BLOCK_CELLS).fill(count);
  for (let voxel = 0; voxel < count; voxel++) cells[cellsOfVoxel[voxel]] = voxel;
  // Blocks touched per axis by a window of kernelSize cells.
  const span = Math.floor((kernelSize - 2) / BLOCK_EDGE) + 2;
  const touched = new Int32Array(span * span * span);
  const table = new Int32Array(count * volume);
  for (let voxel = 0; voxel < count; voxel++) {
    const x = gridCoordinates[3 * voxel];
    const y = gridCoordinates[3 * voxel + 1];
    const z = gridCoordinates[3 * voxel + 2];
    const bx = (x - radius) >> BLOCK_SHIFT;
    const by = (y - radius) >> BLOCK_SHIFT;
    const bz = (z - radius) >> BLOCK_SHIFT;
    for (let ix = 0; ix < span; ix++) {
      for (let iy = 0; iy < span; iy++) {
        for (let iz = 0; iz < span; iz++) {
          touched[(ix * span + iy) * span + iz] = blockHash.find(bx + ix + 1, by + iy + 1, bz + iz + 1);
        }
      }
    }
    let slot = voxel * volume;
    for (let nx = x - radius; nx <= x + radius; nx++) {
      const ix = (nx >> BLOCK_SHIFT) - bx;
      const cx = (nx & BLOCK_MASK) * BLOCK_EDGE;
      for (let ny = y - radius; ny <= y + radius; ny++) {
        const iy = (ny >> BLOCK_SHIFT) - by;
        const cy = (cx + (ny & BLOCK_MASK)) * BLOCK_EDGE;
        for (let nz = z - radius; nz <= z + radius; nz++) {
          const block = touched[(ix * span + iy) * span + ((nz >> BLOCK_SHIFT) - bz)];
          table[slot++] = block < 0 ? count : cells[block * BLOCK_CELLS + cy + (nz & BLOCK_MASK)];
        }
      }
    }
  }
  return table;
}
