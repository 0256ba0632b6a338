/**
 * SurfaceGraph.distancesFromEach with helper threads (Node worker_threads): the same distances to the bit as
 * one search at a time on this thread, before and after the helpers are ready, over more sources than one round
 * holds, with repeated sources; helpers that never start leave the work to the calling thread.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { SamplingInputError, SurfaceGraph, type SearchWorkerSpawner } from '../src/index.js';
import { makeRandomCloud } from './test-clouds.js';

const spawnNodeWorker: SearchWorkerSpawner = (source) => {
  const worker = new Worker(source, { eval: true });
  worker.unref();
  return worker;
};

/** Waits until `graph` has `count` ready helpers; fails after `timeoutMilliseconds`. */
async function helpersReady(graph: SurfaceGraph, count: number, timeoutMilliseconds = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (graph.readyHelperCount < count) {
    if (Date.now() > deadline) throw new Error(`only ${graph.readyHelperCount} of ${count} search helpers started within ${timeoutMilliseconds} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SurfaceGraph.distancesFromEach with helper threads', () => {
  const graphs: SurfaceGraph[] = [];
  afterEach(() => {
    for (const graph of graphs.splice(0)) graph.dispose();
  });

  const positions = makeRandomCloud(6000, 11);
  const colors = Uint8Array.from({ length: positions.length }, (_, index) => (index * 37) % 256);
  const options = { colors, flatEdgeFactor: 0.5 };
  const plain = new SurfaceGraph(positions, options);
  // 31 sources, one repeated: with two helpers a round queues up to 24 (8 per thread), so there are two rounds.
  const sources = [...Array.from({ length: 30 }, (_, index) => (index * 293) % 6000), 293];
  const limit = 1.5;
  const expected = sources.map((source) => plain.distancesFrom(source, limit));

  it('gives every distance to the bit, before and after two helpers are ready', async () => {
    const graph = new SurfaceGraph(positions, { ...options, threads: { count: 2, spawn: spawnNodeWorker } });
    graphs.push(graph);
    expect(graph.readyHelperCount).toBe(0);
    // The first capped search makes the kernel and starts the helpers; until they are ready this thread searches.
    const before = graph.distancesFromEach(sources, limit);
    before.forEach((distances, index) => expect(distances).toEqual(expected[index]));
    await helpersReady(graph, 2);
    expect(graph.helperSearchCount).toBe(0);
    // The helpers take searches from the shared queue as this thread does, once the OS runs them: on a loaded
    // machine this thread can empty the queue first, so the same call is repeated (every result checked) until
    // they have taken part, at most 50 times.
    let calls = 0;
    while (graph.helperSearchCount === 0 && calls < 50) {
      const after = graph.distancesFromEach(sources, limit);
      calls++;
      expect(after).toHaveLength(sources.length);
      after.forEach((distances, index) => {
        expect(distances).toEqual(expected[index]);
        // Each row is its own array (the cache keeps them).
        expect(distances.buffer).not.toBe(after[(index + 1) % after.length].buffer);
      });
    }
    expect(graph.helperSearchCount, `helpers took no search in ${calls} calls`).toBeGreaterThan(0);
    expect(graph.helperSearchCount).toBeLessThanOrEqual(calls * sources.length);
    // A smaller cap reuses the kernel and its helpers.
    const capped = graph.distancesFromEach(sources.slice(0, 5), 0.5);
    capped.forEach((distances, index) => expect(distances).toEqual(plain.distancesFrom(sources[index], 0.5)));
    expect(graph.readyHelperCount).toBe(2);
  });

  it('startDistancesFromEach: the helpers search while this thread waits for nothing, even a single source; a second start finishes the first', async () => {
    const graph = new SurfaceGraph(positions, { ...options, threads: { count: 1, spawn: spawnNodeWorker } });
    graphs.push(graph);
    graph.distancesFromEach(sources.slice(0, 2), limit); // makes the kernel and starts the helper
    await helpersReady(graph, 1);
    // One source, handed to the helper at start; this thread sleeps a second before finishing, so the helper has taken it.
    const single = graph.startDistancesFromEach([sources[3]], limit);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [row] = single.finish();
    expect(row).toEqual(expected[3]);
    expect(graph.helperSearchCount).toBe(1);
    expect(single.finish()[0]).toBe(row); // later calls give the same rows
    // distancesFromEach keeps a single search on this thread (no helper to wake while it waits).
    expect(graph.distancesFromEach([sources[4]], limit)[0]).toEqual(expected[4]);
    expect(graph.helperSearchCount).toBe(1);
    // Two rounds' worth, started and left pending: the next start finishes them first, and their rows stay right.
    const first = graph.startDistancesFromEach(sources, limit);
    const second = graph.startDistancesFromEach(sources.slice(0, 3), limit);
    second.finish().forEach((distances, index) => expect(distances).toEqual(expected[index]));
    first.finish().forEach((distances, index) => expect(distances).toEqual(expected[index]));
    expect(() => graph.startDistancesFromEach([6000], limit)).toThrow(/sources\[0\]/);
  });

  it('searches on this thread when the helpers never start, and after dispose', () => {
    let spawned = 0;
    const silent: SearchWorkerSpawner = () => {
      spawned++;
      return { postMessage: () => undefined, terminate: () => undefined };
    };
    const graph = new SurfaceGraph(positions, { ...options, threads: { count: 1, spawn: silent } });
    graphs.push(graph);
    graph.distancesFromEach(sources, limit).forEach((distances, index) => expect(distances).toEqual(expected[index]));
    expect(spawned).toBe(1);
    expect(graph.readyHelperCount).toBe(0);
    graph.dispose();
    graph.distancesFromEach(sources.slice(0, 3), limit).forEach((distances, index) => expect(distances).toEqual(expected[index]));
  });

  it('rejects a bad helper count and names a bad source by its position', () => {
    expect(() => new SurfaceGraph(positions, { threads: { count: 0, spawn: spawnNodeWorker } })).toThrow(SamplingInputError);
    expect(() => new SurfaceGraph(positions, { threads: { count: 0, spawn: spawnNodeWorker } })).toThrow(/options\.threads\.count/);
    expect(() => plain.distancesFromEach([0, 6000], limit)).toThrow(/sources\[1\]/);
    expect(() => plain.distancesFromEach([0], 0)).toThrow(/limit/);
  });
});
