import {
  add,
  concat,
  customGrad,
  engine,
  fill,
  getBackend,
  greaterEqual,
  less,
  logicalOr,
  matMul,
  reshape,
  sum,
  tensor2d,
  Tensor,
  tidy,
  where,
  zeros,
  type NamedTensorMap,
  type Tensor1D,
  type Tensor2D,
} from '@tensorflow/tfjs-core';
import {
  SPARSE_CONVOLUTION,
  SPARSE_CONVOLUTION_FEATURE_GRAD,
  SPARSE_CONVOLUTION_WEIGHT_GRAD,
  type SparseConvolutionFeatureGradAttrs,
  type SparseConvolutionWeightGradAttrs,
} from '../kernels/kernel-names.js';
import { KernelArgumentError } from '../kernels/kernel-argument-error.js';
import { hasKernel } from './kernel-dispatch.js';
import { gatherRows } from './row-gather-op.js';
import { unsortedSegmentSum } from './segment-sum-op.js';
import { toTensor } from './tensor-conversion.js';

const OP = 'sparseConvolution';

/**
 * Submanifold sparse convolution (spconv `SubMConv3d` given its neighbour table):
 * `out[v, :] = bias + Σ_k W_k · features[neighbours[v, k], :]`, with `W_k` rows `k·channels … (k+1)·channels − 1`
 * of `weights`. A neighbour of -1 or `sourceRows` is absent and contributes nothing.
 *
 * Uses the backend's `PointclickSparseConvolution` kernel where registered (wasm: gather fused into a
 * packed SIMD product on the backend's memory; WebGPU: a WGSL shader reading neighbour rows in place; no
 * `[rows, offsets·channels]` buffer), else the composition row gather (with an appended zero row) +
 * reshape + matMul. The gradient uses the backend's `PointclickSparseConvolutionWeightGrad` and
 * `…FeatureGrad` kernels where both are registered (WebGPU: no im2col buffer either), else stock and this
 * package's ops: `dW = columnsᵀ dy`, `dFeatures` = `unsortedSegmentSum` of `dy Wᵀ` by neighbour;
 * `dBias = Σ_rows dy` everywhere.
 *
 * @param features Input rows, [sourceRows, channels] float32.
 * @param neighbours Neighbour of every output row at every kernel offset, [rows, offsets] int32, or a flat
 *   `Int32Array` of `rows·offsets` (offsets = `weights.shape[0] / channels`); each in [-1, sourceRows].
 *   Values are range-checked by the wasm kernel, and for an `Int32Array` here on other backends (a tensor's
 *   values are not read back there).
 * @param weights [offsets·channels, outputChannels] float32, rows offset-major.
 * @param bias Optional [outputChannels] float32.
 * @returns [rows, outputChannels] float32.
 */
export function sparseConvolution(features: Tensor2D, neighbours: Tensor2D | Int32Array, weights: Tensor2D, bias?: Tensor1D): Tensor2D {
  const input = toTensor(features, OP, 'features');
  const kernel = toTensor(weights, OP, 'weights');
  if (input.rank !== 2) throw new KernelArgumentError(OP, 'features.rank', '2', String(input.rank));
  if (kernel.rank !== 2) throw new KernelArgumentError(OP, 'weights.rank', '2', String(kernel.rank));
  if (input.dtype !== 'float32') throw new KernelArgumentError(OP, 'features.dtype', "'float32'", `'${input.dtype}'`);
  const [sourceRows, channels] = input.shape;
  const [kernelRows, outputChannels] = kernel.shape;
  if (channels === 0 || kernelRows % channels !== 0) {
    throw new KernelArgumentError(OP, 'weights.shape[0]', `a multiple of features.shape[1] = ${channels}`, String(kernelRows));
  }
  const offsets = kernelRows / channels;
  if (bias != null && (bias.rank !== 1 || bias.shape[0] !== outputChannels)) {
    throw new KernelArgumentError(OP, 'bias.shape', `[${outputChannels}]`, `[${bias.shape.join(', ')}]`);
  }
  if (neighbours instanceof Int32Array) {
    if (neighbours.length % offsets !== 0) throw new KernelArgumentError(OP, 'neighbours.length', `a multiple of ${offsets} offsets`, String(neighbours.length));
    // The wasm kernel checks the range itself on its heap (one pass is enough); other backends' kernels
    // never see the values on the CPU, so they are checked here.
    if (!(getBackend() === 'wasm' && hasKernel(SPARSE_CONVOLUTION))) checkNeighbourRange(neighbours, sourceRows);
  } else if (!(neighbours instanceof Tensor) || neighbours.rank !== 2 || neighbours.dtype !== 'int32' || neighbours.shape[1] !== offsets) {
    const received = neighbours instanceof Tensor ? `${neighbours.dtype} [${neighbours.shape.join(', ')}]` : typeof neighbours;
    throw new KernelArgumentError(OP, 'neighbours', `an int32 [rows, ${offsets}] tensor or an Int32Array`, received);
  }
  // The tidy disposes an index tensor made here; the gradient keeps it through `save`.
  return tidy(() => {
    const table = neighbours instanceof Int32Array ? tensor2d(neighbours, [neighbours.length / offsets, offsets], 'int32') : neighbours;
    const run = customGrad((...args: unknown[]) => {
      const save = args[args.length - 1] as (tensors: Tensor[]) => void;
      const [x, w, b] = args.slice(0, -1) as [Tensor2D, Tensor2D, Tensor1D | undefined];
      // Saved, not closed over: tensors made inside a tf.grad function are disposed before backprop.
      save([table, x, w]);
      return {
        value: runSparseConvolution(x, table, w, b),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [savedTable, savedFeatures, savedWeights] = saved as [Tensor2D, Tensor2D, Tensor2D];
          const gradients = sparseConvolutionGradients(dy as Tensor2D, savedTable, savedFeatures, savedWeights);
          return b == null ? gradients : [...gradients, sum(dy, 0)];
        },
      };
    });
    return (bias == null ? run(input, kernel) : run(input, kernel, bias));
  });
}

/** Throws a {@link KernelArgumentError} naming the first neighbour outside [-1, sourceRows]. */
function checkNeighbourRange(neighbours: Int32Array, sourceRows: number): void {
  for (let index = 0; index < neighbours.length; index++) {
    const neighbour = neighbours[index];
    if (!(neighbour >= -1 && neighbour <= sourceRows)) throw new KernelArgumentError(OP, `neighbours[${index}]`, `in [-1, ${sourceRows}]`, String(neighbour));
  }
}

/** Forward pass: the fused kernel where the backend has one, else {@link composeSparseConvolution}. */
function runSparseConvolution(features: Tensor2D, table: Tensor2D, weights: Tensor2D, bias?: Tensor1D): Tensor2D {
  if (hasKernel(SPARSE_CONVOLUTION)) {
    const inputs: NamedTensorMap = { features, neighbours: table, weights };
    if (bias != null) inputs.bias = bias;
    return engine().runKernel(SPARSE_CONVOLUTION, inputs) as Tensor2D;
  }
  return composeSparseConvolution(features, table, weights, bias);
}

/** Flat [rows·offsets] ids: absent neighbours (-1 or sourceRows) replaced by `absent`. */
function mapAbsent(table: Tensor2D, sourceRows: number, absent: number): Tensor1D {
  return tidy(() => {
    const flat = reshape(table, [-1]) as Tensor1D;
    const missing = logicalOr(less(flat, 0), greaterEqual(flat, sourceRows));
    return where(missing, fill(flat.shape, absent, 'int32'), flat) as Tensor1D;
  });
}

/** The im2col buffer [rows, offsets·channels]: neighbour rows side by side, zeros for absent ones. */
function gatherColumns(features: Tensor2D, table: Tensor2D): Tensor2D {
  return tidy(() => {
    const [sourceRows, channels] = features.shape;
    const padded = concat([features, zeros([1, channels])], 0) as Tensor2D; // [sourceRows + 1, channels]
    const gathered = gatherRows(padded, mapAbsent(table, sourceRows, sourceRows)); // [rows·offsets, channels]
    return reshape(gathered, [table.shape[0], table.shape[1] * channels]) as Tensor2D;
  });
}

/**
 * The stock-op composition (what `@pointclick/ptv3` ran before the op existed): gather into the im2col
 * buffer, one matMul, bias. No custom gradient; the reference for tests and the fallback of the op.
 * @returns [rows, outputChannels]
 */
export function composeSparseConvolution(features: Tensor2D, table: Tensor2D, weights: Tensor2D, bias?: Tensor1D): Tensor2D {
  return tidy(() => {
    const product = matMul(gatherColumns(features, table), weights);
    return (bias == null ? product : add(product, bias)) as Tensor2D;
  });
}

/** Output rows per chunk of the weight-gradient kernel (each chunk's partial sums are added by the op). */
const WEIGHT_GRADIENT_CHUNK_ROWS = 1024;

/** `[dFeatures [sourceRows, channels], dWeights [offsets·channels, outputChannels]]` for output gradient `dy`. */
function sparseConvolutionGradients(dy: Tensor2D, table: Tensor2D, features: Tensor2D, weights: Tensor2D): [Tensor2D, Tensor2D] {
  if (hasKernel(SPARSE_CONVOLUTION_FEATURE_GRAD) && hasKernel(SPARSE_CONVOLUTION_WEIGHT_GRAD)) {
    return tidy(() => {
      const featureAttrs: SparseConvolutionFeatureGradAttrs = { sourceRows: features.shape[0] };
      const weightAttrs: SparseConvolutionWeightGradAttrs = { chunkRows: WEIGHT_GRADIENT_CHUNK_ROWS };
      const featureGradient = engine().runKernel(SPARSE_CONVOLUTION_FEATURE_GRAD, { outputGradient: dy, neighbours: table, weights }, featureAttrs) as Tensor2D;
      // [chunks, offsets·channels, outputChannels] partial sums.
      const chunked = engine().runKernel<Tensor>(SPARSE_CONVOLUTION_WEIGHT_GRAD, { features, neighbours: table, outputGradient: dy }, weightAttrs);
      return [featureGradient, sum(chunked, 0) as Tensor2D];
    });
  }
  return tidy(() => {
    const [sourceRows, channels] = features.shape;
    const weightGradient = matMul(gatherColumns(features, table), dy, true, false) as Tensor2D;
    const columnGradient = reshape(matMul(dy, weights, false, true), [-1, channels]) as Tensor2D; // [rows·offsets, channels]
    const featureGradient = unsortedSegmentSum(columnGradient, mapAbsent(table, sourceRows, -1), sourceRows) as Tensor2D;
    return [featureGradient, weightGradient];
  });
}
