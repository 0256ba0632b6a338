import { float32ToSafetensors, loadWeights, safetensorsToFloat32, WeightLoadError, type SafetensorsTensor, type WeightEntry } from '@pointclick/nn';
import type { PointTransformerV3 } from '../model/point-transformer-v3.js';

/**
 * How one of our backbone variables is stored in Pointcept's PointTransformerV3 (v3m1) state_dict.
 * - `same`: identical values and shape (biases, norm scales and shifts, running statistics).
 * - `linear`: `torch.nn.Linear.weight` is `[out, in]`, ours `[in, out]`: transposed.
 * - `sparse-convolution`: spconv `SubMConv3d.weight` is `[out, k, k, k, in]` (kernel axes in grid_coord's x, y, z
 *   order, cross-correlation: offset index k ↦ neighbour at p + k − r); ours is `[k³·in, out]` with rows
 *   `((kx·k + ky)·k + kz)·in + i`, the same offset order, so the layout change is a transpose and a reshape.
 */
export type PointceptLayout = 'same' | 'linear' | 'sparse-convolution';

/** One entry of the key map between our backbone and Pointcept's. */
export interface PointceptKeyMapping {
  /** Our variable path, relative to the backbone (`enc.enc0.block0.attn.qkv.weight`). */
  ours: string;
  /** Pointcept's state_dict key, relative to the backbone (`enc.enc0.block0.attn.qkv.weight`). */
  theirs: string;
  /** How the values are laid out there. */
  layout: PointceptLayout;
}

/**
 * Renames of module paths, ours → Pointcept's. Pointcept wraps single layers in `PointSequential`, which numbers
 * its children (`norm1.0`, `mlp.0`, `down.norm.0`), and keeps the unpooling norms inside the projection sequences.
 */
const PATH_RENAMES: [RegExp, string][] = [
  [/\.norm1\./, '.norm1.0.'],
  [/\.norm2\./, '.norm2.0.'],
  [/\.mlp\./, '.mlp.0.'],
  [/\.down\.norm\./, '.down.norm.0.'],
  [/\.up\.proj\./, '.up.proj.0.'],
  [/\.up\.proj_norm\./, '.up.proj.1.'],
  [/\.up\.proj_skip\./, '.up.proj_skip.0.'],
  [/\.up\.proj_skip_norm\./, '.up.proj_skip.1.'],
];

/** Parameter names, ours → torch's (`LayerNorm`/`BatchNorm1d` call scale and shift weight and bias). */
const PARAMETER_RENAMES: Record<string, string> = { gamma: 'weight', beta: 'bias', running_variance: 'running_var' };

/** Pointcept's BatchNorm1d (eps 1e-3, momentum 0.01) carries this buffer; we have no counterpart and write 0. */
const BATCH_COUNT = 'num_batches_tracked';

/** The Pointcept key of one of our backbone variable paths, and its layout. */
export function pointceptKeyOf(ours: string, shape: readonly number[]): PointceptKeyMapping {
  const cut = ours.lastIndexOf('.');
  let path = `.${ours.slice(0, cut)}.`;
  for (const [pattern, replacement] of PATH_RENAMES) path = path.replace(pattern, replacement);
  const parameter = ours.slice(cut + 1);
  const theirs = `${path.slice(1)}${PARAMETER_RENAMES[parameter] ?? parameter}`;
  const isConvolution = /^embedding\.stem\.conv\.weight$|\.cpe\.0\.weight$/.test(ours);
  const layout: PointceptLayout = isConvolution ? 'sparse-convolution' : parameter === 'weight' && shape.length === 2 ? 'linear' : 'same';
  return { ours, theirs, layout };
}

/** The key map of a backbone: one entry per variable, in our registration order. */
export function mapPointceptKeys(backbone: PointTransformerV3): PointceptKeyMapping[] {
  return [...backbone.namedVariables()].map(([path, variable]) => pointceptKeyOf(path, variable.shape));
}

/** `[rows, columns]` row-major → `[columns, rows]` row-major. */
function transpose(values: Float32Array, rows: number, columns: number): Float32Array {
  const result = new Float32Array(values.length);
  for (let row = 0; row < rows; row++) for (let column = 0; column < columns; column++) result[column * rows + row] = values[row * columns + column];
  return result;
}

/**
 * One of our tensors (`values` of `shape`) in Pointcept's layout: Linear weights `[in, out]` → `[out, in]`, sparse
 * convolution kernels `[k³·in, out]` → spconv's `[out, k, k, k, in]`.
 */
export function toPointceptLayout(values: Float32Array, shape: readonly number[], layout: PointceptLayout, kernelSize: number): { values: Float32Array; shape: number[] } {
  const converted = layout === 'same' ? values : transpose(values, shape[0], values.length / shape[0]);
  return { values: converted, shape: theirShape(layout, shape, kernelSize) };
}

/**
 * A Pointcept (PyTorch) tensor in our layout, as float32: the inverse of {@link toPointceptLayout}.
 * @param key Named in errors.
 */
export function fromPointceptLayout(tensor: SafetensorsTensor, layout: PointceptLayout, key: string): Float32Array {
  const values = safetensorsToFloat32(tensor, key);
  return layout === 'same' ? values : transpose(values, tensor.shape[0], values.length / tensor.shape[0]);
}

/** Pointcept's shape of one of our variables. */
function theirShape(layout: PointceptLayout, shape: readonly number[], kernelSize: number): number[] {
  if (layout === 'same') return [...shape];
  if (layout === 'linear') return [shape[1], shape[0]];
  const inputChannels = shape[0] / kernelSize ** 3;
  return [shape[1], kernelSize, kernelSize, kernelSize, inputChannels];
}

function kernelSizeOf(backbone: PointTransformerV3, ours: string): number {
  return ours.startsWith('embedding.') ? backbone.config.stemKernelSize : 3;
}

/**
 * The backbone's weights as Pointcept PT-v3m1 state_dict tensors (float32, or float16), keys prefixed with `prefix`
 * (`backbone.` as in Pointcept's `DefaultSegmentorV2`), with a zero `num_batches_tracked` (int64) after every
 * BatchNorm so that `load_state_dict(strict=True)` accepts the backbone. Order: ours, Pointcept's within a module.
 */
export function exportPointceptStateDict(backbone: PointTransformerV3, options: { prefix?: string; dtype?: 'F32' | 'F16' } = {}): Map<string, SafetensorsTensor> {
  const prefix = options.prefix ?? 'backbone.';
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [path, variable] of backbone.namedVariables()) {
    const mapping = pointceptKeyOf(path, variable.shape);
    const converted = toPointceptLayout(variable.dataSync() as Float32Array, variable.shape, mapping.layout, kernelSizeOf(backbone, path));
    tensors.set(prefix + mapping.theirs, float32ToSafetensors(converted.values, converted.shape, options.dtype));
    if (mapping.theirs.endsWith('.running_var')) {
      tensors.set(`${prefix}${mapping.theirs.slice(0, -'running_var'.length)}${BATCH_COUNT}`, { dtype: 'I64', shape: [], data: new Uint8Array(8) });
    }
  }
  return tensors;
}

/**
 * Loads Pointcept PT-v3m1 backbone weights (keys under `prefix`) into `backbone`, converting layouts. Every one of our
 * variables must be present with Pointcept's shape for it; nothing is assigned otherwise. Keys under the prefix
 * that are not ours (the `num_batches_tracked` counters) are ignored; keys outside it are returned.
 *
 * @param source Named in errors (the file).
 * @returns the tensors' keys that were not used (outside the prefix: a segmentation head, our decoder, …).
 * @throws WeightLoadError naming the first missing key or the first shape that differs.
 */
export function importPointceptStateDict(
  backbone: PointTransformerV3,
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  options: { prefix?: string; source?: string } = {},
): string[] {
  const prefix = options.prefix ?? 'backbone.';
  const source = options.source ?? 'state_dict';
  const manifest: WeightEntry[] = [];
  const blocks: Float32Array[] = [];
  let byteOffset = 0;
  const used = new Set<string>();
  for (const [path, variable] of backbone.namedVariables()) {
    const mapping = pointceptKeyOf(path, variable.shape);
    const key = prefix + mapping.theirs;
    const tensor = tensors.get(key);
    if (!tensor) throw new WeightLoadError(`${source}: no tensor '${key}' (for our '${path}')`);
    const shape = theirShape(mapping.layout, variable.shape, kernelSizeOf(backbone, path));
    if (tensor.shape.join(',') !== shape.join(',')) {
      throw new WeightLoadError(`${source}: '${key}' has shape [${tensor.shape}] but this backbone needs [${shape}] (for our '${path}')`);
    }
    const values = fromPointceptLayout(tensor, mapping.layout, key);
    blocks.push(values);
    manifest.push({ name: path, shape: [...variable.shape], dtype: 'float32', byteOffset, byteLength: values.byteLength });
    byteOffset += values.byteLength;
    used.add(key);
  }
  const data = new Uint8Array(byteOffset);
  const floats = new Float32Array(data.buffer);
  let offset = 0;
  for (const block of blocks) {
    floats.set(block, offset);
    offset += block.length;
  }
  loadWeights(backbone, manifest, data, source);
  return [...tensors.keys()].filter((key) => !key.startsWith(prefix));
}
