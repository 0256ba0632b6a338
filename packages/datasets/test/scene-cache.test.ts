import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeCrc32, decodeSceneCache, encodeSceneCache, generateIndoorScene, NYU40_CLASS_MAP, preprocessScene, toLabeledScene } from '../src/index.js';
import { SceneCache, type SceneCacheRebuildReason } from '../src/node/index.js';

const synthetic = generateIndoorScene({ seed: 11, pointCount: 8_000, viewpointCount: 2 });
const preprocessed = preprocessScene(toLabeledScene('synthetic-11', synthetic, NYU40_CLASS_MAP), { voxelSize: 0.05 });
const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

describe('CRC-32', () => {
  it('matches the standard check value', () => {
    // The CRC-32/ISO-HDLC check value of '123456789' is 0xCBF43926.
    expect(computeCrc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('scene cache format', () => {
  it('round-trips a preprocessed scene', () => {
    const decoded = decodeSceneCache(encodeSceneCache(preprocessed, 'key-1'));
    expect(decoded.sourceKey).toBe('key-1');
    expect(decoded.scene.positions).toEqual(preprocessed.positions);
    expect(decoded.scene.colors).toEqual(preprocessed.colors);
    expect(decoded.scene.instance).toEqual(preprocessed.instance);
    expect(decoded.scene.semantic).toEqual(preprocessed.semantic);
    expect(decoded.scene.classNames).toEqual(preprocessed.classNames);
    expect(decoded.scene.clickCandidates).toEqual(preprocessed.clickCandidates);
    expect(decoded.scene.offset).toEqual(preprocessed.offset);
  });

  it('rejects a flipped byte anywhere and another version', () => {
    const bytes = encodeSceneCache(preprocessed, 'key-1');
    for (const offset of [20, Math.floor(bytes.length / 2), bytes.length - 10]) {
      const corrupt = bytes.slice();
      corrupt[offset] ^= 0x40;
      expect(() => decodeSceneCache(corrupt, 'x.pcscene')).toThrow(/x\.pcscene.*checksum/);
    }
    const old = bytes.slice();
    new DataView(old.buffer).setUint32(4, 0, true);
    expect(() => decodeSceneCache(old)).toThrow(/version 0/);
  });
});

describe('SceneCache', () => {
  it('builds once, reads back, and rebuilds corrupt, old-version and stale files atomically', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'pointclick-cache-'));
    directories.push(directory);
    const reasons: SceneCacheRebuildReason[] = [];
    const cache = new SceneCache(directory, { onRebuild: (_, reason) => reasons.push(reason) });
    let builds = 0;
    const build = () => {
      builds++;
      return preprocessed;
    };
    await cache.load('synthetic-11', 'key-1', build);
    const reread = await cache.load('synthetic-11', 'key-1', build);
    expect(builds).toBe(1);
    expect(reread.positions).toEqual(preprocessed.positions);

    const path = cache.pathOf('synthetic-11');
    const bytes = new Uint8Array(await readFile(path));
    bytes[bytes.length >> 1] ^= 0xff;
    await writeFile(path, bytes);
    await cache.load('synthetic-11', 'key-1', build);
    expect(builds).toBe(2);

    const fresh = new Uint8Array(await readFile(path));
    new DataView(fresh.buffer).setUint32(4, 0, true);
    await writeFile(path, fresh);
    await cache.load('synthetic-11', 'key-1', build);
    expect(builds).toBe(3);

    await cache.load('synthetic-11', 'key-2', build);
    expect(builds).toBe(4);
    expect(reasons).toEqual(['missing', 'corrupt', 'corrupt', 'stale']);
    // After the rebuild the file decodes again, and no temporary file is left behind.
    expect(decodeSceneCache(new Uint8Array(await readFile(path))).sourceKey).toBe('key-2');
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
