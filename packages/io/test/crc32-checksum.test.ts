import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { computeCrc32 } from '../src/index.js';

describe('computeCrc32', () => {
  it('gives the IEEE check value of "123456789" and 0 for no bytes', () => {
    expect(computeCrc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(computeCrc32(new Uint8Array(0))).toBe(0);
  });

  const bytes = Uint8Array.from({ length: 4099 }, (_, index) => (index * 2654435761) >>> 24);

  it('checks a byte range as the same bytes copied out', () => {
    expect(computeCrc32(bytes, 17, 3001)).toBe(computeCrc32(bytes.slice(17, 3001)));
    expect(computeCrc32(bytes, 17, 3001)).not.toBe(computeCrc32(bytes, 18, 3001));
  });

  // zlib.crc32 exists from Node 20.15 on.
  it.skipIf(typeof zlib.crc32 !== 'function')('matches zlib on 4 kB of data', () => {
    expect(computeCrc32(bytes)).toBe(zlib.crc32(bytes));
  });
});
