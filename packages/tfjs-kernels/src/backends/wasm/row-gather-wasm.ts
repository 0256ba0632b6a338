import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { GATHER_ROWS, type GatherRowsInputs } from '../../kernels/kernel-names.js';
import { KernelArgumentError } from '../../ops/argument-error.js';
import type { WasmBackendLike } from './wasm-backend-like.js';

/**
 * Row gather as one `copyWithin` per row inside the wasm heap: no per-element index arithmetic,
 * which is what makes the stock wasm `GatherV2` slow for wide rows.
 */
const gatherRowsWasm: KernelFunc = ({ inputs, backend }) => {
  const { x, indices } = inputs as GatherRowsInputs;
  const wasm = backend as unknown as WasmBackendLike;
  const [rowCount, channels] = x.shape;
  const gatherCount = indices.shape[0];
  const output = wasm.makeOutput([gatherCount, channels], x.dtype);
  const source = wasm.typedArrayFromHeap(x);
  const rows = wasm.typedArrayFromHeap(indices) as Int32Array;
  const target = wasm.typedArrayFromHeap(output);
  // One heap-wide view, so rows are moved with copyWithin instead of per-row subarray objects.
  const heap = new (source.constructor as Float32ArrayConstructor)(source.buffer);
  const sourceStart = source.byteOffset / 4;
  const targetStart = target.byteOffset / 4;
  for (let index = 0; index < gatherCount; index++) {
    const row = rows[index];
    if (!(row >= 0 && row < rowCount)) {
      wasm.disposeData(output.dataId, true);
      throw new KernelArgumentError('gatherRows', `indices[${index}]`, `in [0, ${rowCount})`, String(row));
    }
    const from = sourceStart + row * channels;
    heap.copyWithin(targetStart + index * channels, from, from + channels);
  }
  return output;
};

/** `PointclickGatherRows` on wasm. */
export const gatherRowsWasmConfig: KernelConfig = { kernelName: GATHER_ROWS, backendName: 'wasm', kernelFunc: gatherRowsWasm };
