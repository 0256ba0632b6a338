import { add, customGrad, engine, mul, neg, reshape, sub, sum, tidy, type Scalar, type Tensor, type Tensor2D } from '@tensorflow/tfjs-core';
import { MASK_LOGITS_WITH_PRIORS, type MaskLogitsWithPriorsInputs } from '../kernels/kernel-names.js';
import { KernelArgumentError } from '../kernels/kernel-argument-error.js';
import { hasKernel } from './kernel-dispatch.js';

const OP = 'maskLogitsWithPriors';

/** A per-voxel, per-click prior with a learned scalar gain and bias. */
export interface MaskPriorTerm {
  /** The prior's values, `[rows, columns]` like the product (a kernel in [0, 1], or distances in metres). */
  values: Tensor2D;
  /** Learned gain, a float32 scalar (per metre for distances). */
  gain: Scalar;
  /** Learned bias, a float32 scalar (a logit). */
  bias: Scalar;
}

/** The terms {@link maskLogitsWithPriors} adds to the product; each is optional. */
export interface MaskLogitsPriors {
  /** Added to every row, `[columns]` or `[1, columns]` (the decoder's `b φmᵀ`). */
  rowBias?: Tensor;
  /** Click distance prior, added as `values·gain + bias`. */
  distance?: MaskPriorTerm;
  /** Geodesic click prior, added as `bias − values·gain` (the logit falls with distance). */
  geodesic?: MaskPriorTerm;
}

function checkTerm(product: Tensor2D, term: MaskPriorTerm, name: string): void {
  const [rows, columns] = product.shape;
  if (term.values.rank !== 2 || term.values.shape[0] !== rows || term.values.shape[1] !== columns) {
    throw new KernelArgumentError(OP, `${name}.values.shape`, `[${rows}, ${columns}] (the product's)`, `[${term.values.shape.join(', ')}]`);
  }
  for (const field of ['gain', 'bias'] as const) {
    if (term[field].size !== 1) throw new KernelArgumentError(OP, `${name}.${field}.shape`, 'a scalar', `[${term[field].shape.join(', ')}]`);
  }
  for (const field of ['values', 'gain', 'bias'] as const) {
    if (term[field].dtype !== 'float32') throw new KernelArgumentError(OP, `${name}.${field}.dtype`, "'float32'", `'${term[field].dtype}'`);
  }
}

/**
 * The decoder's mask logits with their click priors in one pass (Eq. 5 plus the priors):
 * `((product + rowBias) + (distance·gain + bias)) + (bias − geodesic·gain)`, each term only when given.
 * Uses the backend's `PointclickMaskLogitsWithPriors` kernel where registered (cpu, wasm, WebGPU: one
 * output, no intermediate `[rows, columns]` tensors), else {@link composeMaskLogitsWithPriors}; both add in
 * the same order, so the cpu and wasm kernels give the composite's floats exactly. Differentiable in every
 * input: the product's gradient is `dy`, the row bias's `Σ_rows dy`, a term's values' `±gain·dy`, its gain's
 * `±Σ values·dy` and its bias's `Σ dy`.
 *
 * @param product The mask product, `[rows, columns]` float32 (voxels × clicks).
 * @returns `[rows, columns]` float32.
 */
export function maskLogitsWithPriors(product: Tensor2D, priors: MaskLogitsPriors = {}): Tensor2D {
  if (product.rank !== 2) throw new KernelArgumentError(OP, 'product.rank', '2', String(product.rank));
  if (product.dtype !== 'float32') throw new KernelArgumentError(OP, 'product.dtype', "'float32'", `'${product.dtype}'`);
  const { rowBias, distance, geodesic } = priors;
  const columns = product.shape[1];
  if (rowBias && (rowBias.size !== columns || rowBias.shape[rowBias.rank - 1] !== columns || rowBias.rank > 2)) {
    throw new KernelArgumentError(OP, 'rowBias.shape', `[${columns}] or [1, ${columns}]`, `[${rowBias.shape.join(', ')}]`);
  }
  if (rowBias && rowBias.dtype !== 'float32') throw new KernelArgumentError(OP, 'rowBias.dtype', "'float32'", `'${rowBias.dtype}'`);
  if (distance) checkTerm(product, distance, 'distance');
  if (geodesic) checkTerm(product, geodesic, 'geodesic');

  // The inputs present, in a fixed order, so the gradient function can hand back one gradient each.
  const named: MaskLogitsWithPriorsInputs = { product };
  if (rowBias) named.rowBias = rowBias;
  if (distance) Object.assign(named, { distanceKernel: distance.values, distanceGain: distance.gain, distanceBias: distance.bias });
  if (geodesic) Object.assign(named, { geodesicDistances: geodesic.values, geodesicGain: geodesic.gain, geodesicBias: geodesic.bias });
  const names = Object.keys(named) as (keyof MaskLogitsWithPriorsInputs)[];
  const run = customGrad((...args: unknown[]) => {
    const save = args.pop() as (tensors: Tensor[]) => void;
    const tensors = args as Tensor[];
    const inputs = Object.fromEntries(names.map((name, index) => [name, tensors[index]])) as Record<keyof MaskLogitsWithPriorsInputs, Tensor>;
    save(tensors);
    return {
      value: runMaskLogitsWithPriors(inputs),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tidy(() => {
          const input = Object.fromEntries(names.map((name, index) => [name, saved[index]])) as Record<keyof MaskLogitsWithPriorsInputs, Tensor>;
          const dySum = sum(dy);
          const gradients: Record<string, Tensor> = { product: dy };
          if (input.rowBias) gradients.rowBias = reshape(sum(dy, 0), input.rowBias.shape);
          if (input.distanceKernel) {
            gradients.distanceKernel = mul(dy, input.distanceGain);
            gradients.distanceGain = reshape(sum(mul(input.distanceKernel, dy)), input.distanceGain.shape);
            gradients.distanceBias = reshape(dySum, input.distanceBias.shape);
          }
          if (input.geodesicDistances) {
            gradients.geodesicDistances = neg(mul(dy, input.geodesicGain));
            gradients.geodesicGain = reshape(neg(sum(mul(input.geodesicDistances, dy))), input.geodesicGain.shape);
            gradients.geodesicBias = reshape(dySum, input.geodesicBias.shape);
          }
          return names.map((name) => gradients[name]);
        }),
    };
  });
  return run(...(names.map((name) => named[name]) as unknown as Tensor[])) as Tensor2D;
}

/** Forward pass: the backend's kernel when it has one, else the composite. */
function runMaskLogitsWithPriors(inputs: Partial<Record<keyof MaskLogitsWithPriorsInputs, Tensor>>): Tensor2D {
  if (hasKernel(MASK_LOGITS_WITH_PRIORS)) return engine().runKernel(MASK_LOGITS_WITH_PRIORS, inputs) as Tensor2D;
  const { product, rowBias, distanceKernel, distanceGain, distanceBias, geodesicDistances, geodesicGain, geodesicBias } = inputs;
  return composeMaskLogitsWithPriors(product as Tensor2D, {
    rowBias,
    distance: distanceKernel ? { values: distanceKernel as Tensor2D, gain: distanceGain as Scalar, bias: distanceBias as Scalar } : undefined,
    geodesic: geodesicDistances ? { values: geodesicDistances as Tensor2D, gain: geodesicGain as Scalar, bias: geodesicBias as Scalar } : undefined,
  });
}

/**
 * {@link maskLogitsWithPriors} from stock ops, in the order the kernels add: the reference the kernels are
 * tested against, and the forward pass on backends without the kernel.
 */
export function composeMaskLogitsWithPriors(product: Tensor2D, priors: MaskLogitsPriors = {}): Tensor2D {
  return tidy(() => {
    const { rowBias, distance, geodesic } = priors;
    let logits: Tensor2D = product;
    if (rowBias) logits = add(logits, reshape(rowBias, [1, -1]));
    if (distance) logits = add(logits, add(mul(distance.values, distance.gain), distance.bias));
    if (geodesic) logits = add(logits, sub(geodesic.bias, mul(geodesic.values, geodesic.gain)));
    return logits;
  });
}
