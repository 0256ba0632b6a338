import { PointCloudFormatError } from './point-cloud-format-error.js';

/**
 * Thrown when the arrays a reader needs for a claimed size, one that passed every check against the bytes present,
 * cannot be allocated (beyond the engine's typed-array limit or the memory available). Says how much was asked for.
 * A subclass of {@link PointCloudFormatError}, so callers that catch reader errors catch this one too.
 */
export class PointCloudAllocationError extends PointCloudFormatError {
  override readonly name: string = 'PointCloudAllocationError';
  /** Bytes the failed allocation asked for, when known. */
  readonly requestedBytes?: number;

  constructor(options: { format: string; fileName?: string; field?: string; requestedBytes?: number; what: string; cause: unknown }) {
    const amount = options.requestedBytes !== undefined ? ` (${options.requestedBytes} bytes, ${(options.requestedBytes / 2 ** 20).toFixed(1)} MiB)` : '';
    super({
      format: options.format,
      fileName: options.fileName,
      field: options.field,
      cause: options.cause,
      message: `could not allocate ${options.what}${amount}: more than this engine can hold (${(options.cause as Error)?.message ?? String(options.cause)})`,
    });
    this.requestedBytes = options.requestedBytes;
  }
}

/** Where an allocation happens, for {@link PointCloudAllocationError}. */
export interface AllocationContext {
  /** Format being read. */
  format: string;
  /** File name, when known. */
  fileName?: string;
  /** Field or array the allocation is for, e.g. `'positions'`. */
  field?: string;
}

/** Typed-array constructors the readers allocate. */
export type TypedArrayConstructor<Array> = { new (length: number): Array; readonly BYTES_PER_ELEMENT: number; readonly name: string };

const ALLOCATION_FAILURE = /Array buffer allocation failed|Invalid typed array length|Invalid array buffer length|Invalid array length/;

/** Whether `error` is the RangeError an engine throws for an allocation it cannot make. */
export function isAllocationFailure(error: unknown): error is RangeError {
  return error instanceof RangeError && ALLOCATION_FAILURE.test(error.message);
}

/**
 * `new ArrayType(length)`, with an allocation failure turned into a {@link PointCloudAllocationError} that names the
 * array, its length and its size in bytes.
 */
export function allocateArray<Array>(ArrayType: TypedArrayConstructor<Array>, length: number, context: AllocationContext): Array {
  try {
    return new ArrayType(length);
  } catch (error) {
    if (!isAllocationFailure(error)) throw error;
    throw new PointCloudAllocationError({
      ...context,
      requestedBytes: length * ArrayType.BYTES_PER_ELEMENT,
      what: `${context.field ?? 'an array'} of ${length} ${ArrayType.name.replace('Array', '').toLowerCase()} values`,
      cause: error,
    });
  }
}

/**
 * Runs a reader, turning an allocation failure at any of its allocations into a {@link PointCloudAllocationError}
 * (with the length the engine reports, in elements, when it reports one). Every other error passes unchanged.
 */
export async function guardAllocations<Result>(context: AllocationContext, read: () => Result | Promise<Result>): Promise<Result> {
  try {
    return await read();
  } catch (error) {
    throw toAllocationError(error, context);
  }
}

function toAllocationError(error: unknown, context: AllocationContext): unknown {
  if (!isAllocationFailure(error)) return error;
  const reportedLength = /length: (\d+)/.exec(error.message)?.[1];
  return new PointCloudAllocationError({
    ...context,
    what: reportedLength !== undefined ? `an array of ${reportedLength} elements` : 'the arrays of the cloud',
    cause: error,
  });
}
