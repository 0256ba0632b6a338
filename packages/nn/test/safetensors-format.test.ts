import { describe, expect, it } from 'vitest';
import {
  float32ToSafetensors,
  parseSafetensors,
  safetensorsToFloat32,
  SafetensorsError,
  serializeSafetensors,
  type SafetensorsTensor,
} from '../src/index.js';

/** A safetensors file assembled by hand from a header object and the data bytes. */
function assemble(header: Record<string, unknown>, data: Uint8Array, headerLength?: number): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + text.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerLength ?? text.length), true);
  bytes.set(text, 8);
  bytes.set(data, 8 + text.length);
  return bytes;
}

describe('safetensors', () => {
  it('reads a file laid out by the format description', () => {
    // Two tensors back to back: F32 [2] = 1, -2.5 and I64 [] = 7, header as the reference writer leaves it.
    const data = new Uint8Array(16);
    const view = new DataView(data.buffer);
    view.setFloat32(0, 1, true);
    view.setFloat32(4, -2.5, true);
    view.setBigInt64(8, 7n, true);
    const file = parseSafetensors(
      assemble({ __metadata__: { format: 'pt' }, b: { dtype: 'I64', shape: [], data_offsets: [8, 16] }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data),
      'model.safetensors',
    );
    expect([...file.tensors.keys()]).toEqual(['a', 'b']);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(safetensorsToFloat32(file.tensors.get('a')!)).toEqual(new Float32Array([1, -2.5]));
    const scalar = file.tensors.get('b')!;
    expect(scalar.shape).toEqual([]);
    expect(new DataView(scalar.data.buffer, scalar.data.byteOffset).getBigInt64(0, true)).toBe(7n);
  });

  it('writes what it reads, with an 8-byte aligned header, byte for byte', () => {
    const tensors: [string, SafetensorsTensor][] = [
      ['layer.weight', float32ToSafetensors(new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), [2, 3])],
      ['layer.half', float32ToSafetensors(new Float32Array([1, 0.5, -2]), [3], 'F16')],
      ['counter', { dtype: 'I64', shape: [], data: new Uint8Array(8) }],
      ['empty', { dtype: 'F32', shape: [0, 4], data: new Uint8Array(0) }],
    ];
    const bytes = serializeSafetensors(tensors, { format: 'pt' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const file = parseSafetensors(bytes);
    expect([...file.tensors.keys()]).toEqual(['layer.weight', 'layer.half', 'counter', 'empty']);
    expect(safetensorsToFloat32(file.tensors.get('layer.weight')!)).toEqual(new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]));
    expect(safetensorsToFloat32(file.tensors.get('layer.half')!)).toEqual(new Float32Array([1, 0.5, -2]));
    expect(serializeSafetensors(file.tensors, file.metadata)).toEqual(bytes);
  });

  it('widens bfloat16 exactly', () => {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint16(0, 0x3fc0, true); // 1.5
    new DataView(data.buffer).setUint16(2, 0xc100, true); // -8
    expect(safetensorsToFloat32({ dtype: 'BF16', shape: [2], data })).toEqual(new Float32Array([1.5, -8]));
    expect(() => safetensorsToFloat32({ dtype: 'I64', shape: [], data: new Uint8Array(8) }, 'counter')).toThrow('counter: dtype I64 is not a floating type');
  });

  const f32 = (begin: number, end: number, shape = [2]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
  it.each([
    ['a file shorter than the length field', new Uint8Array(5), /w\.safetensors: 5 bytes: expected at least the 8-byte header length/],
    ['a header running past the end', assemble({ a: f32(0, 8) }, new Uint8Array(8), 500), /byte 0: header length 500 runs past the end/],
    ['an unknown dtype', assemble({ a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /tensor 'a': dtype "F8" is not one of/],
    ['offsets that disagree with the shape', assemble({ a: f32(0, 12) }, new Uint8Array(12)), /tensor 'a': data_offsets \[0, 12\] hold 12 bytes but F32\[2\] needs 8/],
    ['truncated data', assemble({ a: f32(0, 8) }, new Uint8Array(4)), /tensor 'a': truncated: needs data bytes 0\.\.8 but the file has 4/],
    ['overlapping tensors', assemble({ a: f32(0, 8), b: f32(4, 12) }, new Uint8Array(12)), /tensor 'b': data starts at 4, expected 8/],
    ['bytes after the last tensor', assemble({ a: f32(0, 8) }, new Uint8Array(10)), /2 bytes after the last tensor's data/],
    ['a header that is not JSON', (() => { const b = assemble({ a: f32(0, 8) }, new Uint8Array(8)); b[9] = 0x7b; b[10] = 0x7b; return b; })(), /byte 8: invalid JSON header/],
  ])('rejects %s with a SafetensorsError naming the place', (_case, bytes, message) => {
    expect(() => parseSafetensors(bytes, 'w.safetensors')).toThrow(SafetensorsError);
    expect(() => parseSafetensors(bytes, 'w.safetensors')).toThrow(message);
  });

  it('refuses to write a tensor whose bytes do not match its shape', () => {
    expect(() => serializeSafetensors([['a', { dtype: 'F32', shape: [3], data: new Uint8Array(8) }]])).toThrow("tensor 'a': 8 bytes but F32[3] needs 12");
  });
});
