import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@pointclick/io/node';
import { decodeSceneCache, encodeSceneCache } from '../cache/scene-cache-format.js';
import type { PreprocessedScene } from '../training/scene-preprocessing.js';

/** Why {@link SceneCache.load} built a scene instead of reading it. */
export type SceneCacheRebuildReason = 'missing' | 'corrupt' | 'stale';

/** Options of {@link SceneCache}. */
export interface SceneCacheOptions {
  /** Called whenever a scene is (re)built, with the reason and, for corrupt files, the decoding error. */
  onRebuild?: (sceneId: string, reason: SceneCacheRebuildReason, error?: unknown) => void;
}

/**
 * One compact binary file per preprocessed scene (`<directory>/<scene id>.pcscene`, layout in
 * `encodeSceneCache`). A file with a bad checksum, another layout version or another `sourceKey` is
 * rebuilt; writes go to a temporary file that is renamed into place, so a crash never leaves a half file.
 */
export class SceneCache {
  /** Folder holding the cache files. */
  readonly directory: string;
  private readonly options: SceneCacheOptions;

  constructor(directory: string, options: SceneCacheOptions = {}) {
    this.directory = directory;
    this.options = options;
  }

  /** Path of a scene's cache file ('/' in ids becomes '__'). */
  pathOf(sceneId: string): string {
    return join(this.directory, `${sceneId.replace(/[\\/]/g, '__')}.pcscene`);
  }

  /**
   * Reads a scene from the cache, or builds, writes and returns it when its file is missing, corrupt,
   * of another version, or was built from another `sourceKey`.
   *
   * @param sceneId - Scene id.
   * @param sourceKey - Identifies the source and the preprocessing settings (e.g. source path, size, mtime
   *   and voxel size); a different key marks the file stale.
   * @param build - Produces the scene when the cache cannot.
   */
  async load(sceneId: string, sourceKey: string, build: () => PreprocessedScene | Promise<PreprocessedScene>): Promise<PreprocessedScene> {
    const path = this.pathOf(sceneId);
    let reason: SceneCacheRebuildReason = 'missing';
    let failure: unknown;
    let bytes: Uint8Array | undefined;
    try {
      const buffer = await readFile(path);
      bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch {
      bytes = undefined;
    }
    if (bytes) {
      try {
        const decoded = decodeSceneCache(bytes, path);
        if (decoded.sourceKey === sourceKey && decoded.scene.id === sceneId) return decoded.scene;
        reason = 'stale';
      } catch (error) {
        reason = 'corrupt';
        failure = error;
      }
    }
    this.options.onRebuild?.(sceneId, reason, failure);
    const scene = await build();
    await mkdir(this.directory, { recursive: true });
    await writeFileAtomic(path, encodeSceneCache(scene, sourceKey));
    return scene;
  }

  /**
   * Streams scenes in the given order through the cache, holding one in memory at a time.
   *
   * @param entries - Scene ids with their source keys and builders.
   */
  async *stream(
    entries: Iterable<{ sceneId: string; sourceKey: string; build: () => PreprocessedScene | Promise<PreprocessedScene> }>,
  ): AsyncGenerator<PreprocessedScene> {
    for (const entry of entries) yield await this.load(entry.sceneId, entry.sourceKey, entry.build);
  }
}
