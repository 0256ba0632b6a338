// Usage: node scripts/gpu-train-tiny-room.mjs SOURCE_DIR SCENE OUT_DIR POINTS
// Writes the first POINTS rows of a votenet-layout scene (<scene>_vert.npy, _ins_label.npy, _sem_label.npy) to
// OUT_DIR: the rooms are randomly subsampled, so the first rows are a sparser copy of the whole room. Used by
// scripts/gpu-train.sh in its tiny mode (SwiftShader), where a whole 50k-point room takes too long.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [sourceDirectory, scene, outputDirectory, pointText] = process.argv.slice(2);
const points = Number(pointText);
if (!sourceDirectory || !scene || !outputDirectory || !(Number.isInteger(points) && points > 0)) {
  console.error('usage: node scripts/gpu-train-tiny-room.mjs SOURCE_DIR SCENE OUT_DIR POINTS');
  process.exit(2);
}

/** Copies the first `rows` rows of a little-endian NPY array (format 1.x or 2.x) into a format-1.0 file. */
function copyRows(source, destination, rows) {
  const bytes = readFileSync(source);
  if (bytes.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error(`${source}: not an NPY file (bad magic at offset 0)`);
  const major = bytes[6];
  const headerStart = major === 1 ? 10 : 12;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const header = bytes.subarray(headerStart, headerStart + headerLength).toString('latin1');
  const descr = /'descr':\s*'([<|]?[a-z])(\d+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape || /'fortran_order':\s*True/.test(header)) throw new Error(`${source}: expected a C-order array with descr and shape in its header, got ${header.trim()}`);
  const dimensions = shape[1].split(',').map((part) => part.trim()).filter(Boolean).map(Number);
  if (dimensions[0] < rows) throw new Error(`${source}: has ${dimensions[0]} rows, fewer than the ${rows} asked for`);
  const rowBytes = Number(descr[2]) * dimensions.slice(1).reduce((product, size) => product * size, 1);
  const data = bytes.subarray(headerStart + headerLength, headerStart + headerLength + rows * rowBytes);
  const newShape = [rows, ...dimensions.slice(1)];
  let text = `{'descr': '${descr[1]}${descr[2]}', 'fortran_order': False, 'shape': (${newShape.join(', ')}${newShape.length === 1 ? ',' : ''}), }`;
  text = text.padEnd(Math.ceil((10 + text.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(text.length, 8);
  writeFileSync(destination, Buffer.concat([prefix, Buffer.from(text, 'latin1'), data]));
}

mkdirSync(outputDirectory, { recursive: true });
for (const part of ['vert', 'ins_label', 'sem_label']) {
  copyRows(join(sourceDirectory, `${scene}_${part}.npy`), join(outputDirectory, `${scene}_${part}.npy`), points);
}
console.log(`wrote the first ${points} points of ${scene} to ${outputDirectory}`);
