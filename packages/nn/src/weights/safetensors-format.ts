import { fromHalfBits, toHalfBits } from './half-precision.js';

/**
 * Element types of the safetensors format (https://github.com/huggingface/safetensors): the ones PyTorch state
 * dicts hold. Floating types convert to and from float32 with {@link safetensorsToFloat32} / {@link float32ToSafetensors}.
 */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each {@link SafetensorsDtype}. */
export const SAFETENSORS_ELEMENT_BYTES: Readonly<Record<SafetensorsDtype, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** One tensor of a safetensors file: little-endian, row-major (C order) element bytes. */
export interface SafetensorsTensor {
  /** Element type. */
  dtype: SafetensorsDtype;
  /** Shape; `[]` for a scalar. */
  shape: number[];
  /** `product(shape) · element bytes` bytes, little-endian. */
  data: Uint8Array;
}

/** A parsed safetensors file: tensors in file (data offset) order, and the free-form string metadata. */
export interface SafetensorsFile {
  /** Tensors by name, in the order of their data in the file. */
  tensors: Map<string, SafetensorsTensor>;
  /** The header's `__metadata__` (string keys and values), `{}` when absent. */
  metadata: Record<string, string>;
}

/** Raised for bytes that are not a valid safetensors file; the message names the source, the byte offset or tensor, and what was expected. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
}

/** Largest header the reader accepts (the reference implementation's limit), in bytes. */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Parses a safetensors file: an 8-byte little-endian header length N, N bytes of JSON header (`{"name": {"dtype",
 * "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}`, offsets relative to the data after the header), then
 * the data. Validated as the reference implementation does: known dtypes, byte ranges that match the shapes and
 * tile the data exactly (no gaps, no overlaps, nothing after the last tensor). Tensor bytes are views into `bytes`.
 *
 * @param source Named in errors (e.g. the file path).
 * @throws SafetensorsError naming the source, the offset or tensor, and what was expected.
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors'): SafetensorsFile {
  const fail = (message: string): never => {
    throw new SafetensorsError(`${source}: ${message}`);
  };
  if (bytes.byteLength < 8) fail(`${bytes.byteLength} bytes: expected at least the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) fail(`byte 0: header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + headerLength > bytes.byteLength) fail(`byte 0: header length ${headerLength} runs past the end of the ${bytes.byteLength}-byte file`);
  const headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  if (!headerText.startsWith('{')) fail("byte 8: the header must be a JSON object starting with '{'");
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (error) {
    fail(`byte 8: invalid JSON header: ${(error as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('byte 8: the header must be a JSON object');
  const data = bytes.subarray(8 + headerLength);
  const entries: { name: string; tensor: SafetensorsTensor; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((item) => typeof item === 'string')) {
        fail('header field __metadata__: expected an object of strings');
      }
      metadata = value as Record<string, string>;
      continue;
    }
    const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry !== 'object' || entry === null) fail(`tensor '${name}': expected {dtype, shape, data_offsets}`);
    if (typeof entry.dtype !== 'string' || !(entry.dtype in SAFETENSORS_ELEMENT_BYTES)) {
      fail(`tensor '${name}': dtype ${JSON.stringify(entry.dtype)} is not one of ${Object.keys(SAFETENSORS_ELEMENT_BYTES).join(', ')}`);
    }
    const dtype = entry.dtype as SafetensorsDtype;
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && (size as number) >= 0)) fail(`tensor '${name}': shape must be a list of whole numbers`);
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((offset) => Number.isSafeInteger(offset) && (offset as number) >= 0)) {
      fail(`tensor '${name}': data_offsets must be [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const elementCount = (shape as number[]).reduce((product, size) => product * size, 1);
    if (end < begin || end - begin !== elementCount * SAFETENSORS_ELEMENT_BYTES[dtype]) {
      fail(`tensor '${name}': data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtype}[${String(shape)}] needs ${elementCount * SAFETENSORS_ELEMENT_BYTES[dtype]}`);
    }
    if (end > data.byteLength) fail(`tensor '${name}': truncated: needs data bytes ${begin}..${end} but the file has ${data.byteLength}`);
    entries.push({ name, tensor: { dtype, shape: [...(shape as number[])], data: data.subarray(begin, end) }, begin, end });
  }
  entries.sort((first, second) => first.begin - second.begin);
  let expectedBegin = 0;
  for (const entry of entries) {
    if (entry.begin !== expectedBegin) fail(`tensor '${entry.name}': data starts at ${entry.begin}, expected ${expectedBegin} (tensors must tile the data without gaps or overlaps)`);
    expectedBegin = entry.end;
  }
  if (expectedBegin !== data.byteLength) fail(`${data.byteLength - expectedBegin} bytes after the last tensor's data`);
  return { tensors: new Map(entries.map((entry) => [entry.name, entry.tensor])), metadata };
}

/**
 * Writes a safetensors file: tensors in the given order, their data back to back; the header is compact JSON
 * (`__metadata__` first when non-empty, then each tensor as `{"dtype","shape","data_offsets"}`) padded with spaces to a
 * multiple of 8 bytes, as the reference writer pads it. The same input always gives the same bytes.
 *
 * @throws SafetensorsError when a tensor's byte length does not match its dtype and shape.
 */
export function serializeSafetensors(tensors: Iterable<[string, SafetensorsTensor]>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    if (name === '__metadata__' || name in header) throw new SafetensorsError(`tensor name '${name}' is reserved or repeated`);
    const expected = tensor.shape.reduce((product, size) => product * size, 1) * SAFETENSORS_ELEMENT_BYTES[tensor.dtype];
    if (tensor.data.byteLength !== expected) {
      throw new SafetensorsError(`tensor '${name}': ${tensor.data.byteLength} bytes but ${tensor.dtype}[${tensor.shape}] needs ${expected}`);
    }
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + expected] };
    parts.push(tensor.data);
    offset += expected;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padding = (8 - (headerBytes.byteLength % 8)) % 8;
  if (padding > 0) headerBytes = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padding));
  const output = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(output.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  output.set(headerBytes, 8);
  let position = 8 + headerBytes.byteLength;
  for (const part of parts) {
    output.set(part, position);
    position += part.byteLength;
  }
  return output;
}

/**
 * A floating tensor's values as float32 (F64 rounded, F16 and BF16 widened exactly).
 * @throws SafetensorsError for integer and boolean tensors.
 */
export function safetensorsToFloat32(tensor: SafetensorsTensor, name = 'tensor'): Float32Array {
  const count = tensor.data.byteLength / SAFETENSORS_ELEMENT_BYTES[tensor.dtype];
  const view = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const values = new Float32Array(count);
  switch (tensor.dtype) {
    case 'F32':
      for (let index = 0; index < count; index++) values[index] = view.getFloat32(index * 4, true);
      return values;
    case 'F64':
      for (let index = 0; index < count; index++) values[index] = view.getFloat64(index * 8, true);
      return values;
    case 'F16':
      for (let index = 0; index < count; index++) values[index] = fromHalfBits(view.getUint16(index * 2, true));
      return values;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const widened = new Uint32Array(values.buffer);
      for (let index = 0; index < count; index++) widened[index] = view.getUint16(index * 2, true) << 16;
      return values;
    }
    default:
      throw new SafetensorsError(`${name}: dtype ${tensor.dtype} is not a floating type`);
  }
}

/** float32 values as a little-endian F32 (exact) or F16 (rounded to nearest) safetensors tensor. */
export function float32ToSafetensors(values: Float32Array, shape: number[], dtype: 'F32' | 'F16' = 'F32'): SafetensorsTensor {
  const data = new Uint8Array(values.length * SAFETENSORS_ELEMENT_BYTES[dtype]);
  const view = new DataView(data.buffer);
  if (dtype === 'F32') for (let index = 0; index < values.length; index++) view.setFloat32(index * 4, values[index], true);
  else for (let index = 0; index < values.length; index++) view.setUint16(index * 2, toHalfBits(values[index]), true);
  return { dtype, shape, data };
}
