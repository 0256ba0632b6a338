import type { SurfaceSearchImage } from './surface-search-wasm.js';

/**
 * A started helper thread, as much of it as the searches need: Node's `worker_threads.Worker` and the browser's
 * `Worker` both fit.
 */
export interface SearchWorkerHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/**
 * Starts a helper thread running `source`, a self-contained JavaScript script (CommonJS in Node, a classic
 * script in browsers). Node: `(source) => new Worker(source, { eval: true })` from `node:worker_threads`
 * (unref it so it never keeps a process alive); browsers: a `Worker` of a `blob:` URL of `source`.
 */
export type SearchWorkerSpawner = (source: string) => SearchWorkerHandle;

/** Helper threads for {@link SurfaceGraph.distancesFromEach}: how many, and how to start one. */
export interface SurfaceSearchThreads {
  /** Helper threads beside the calling one (≥ 1). */
  count: number;
  /** Starts one helper thread. */
  spawn: SearchWorkerSpawner;
}

/** Positions of the control words each helper shares with the calling thread (an Int32Array over a SharedArrayBuffer). */
const Slot = { command: 0, ready: 1, count: 2, sources: 3 } as const;
/** Values of the command word. */
const Command = { idle: 0, work: 1, done: 2, exit: 3 } as const;

/** Sources one helper searches per round: its result buffer holds this many distance rows. */
const HELPER_ROUND_CAPACITY = 8;

/**
 * How long the calling thread waits for a helper's round before doing that round's searches itself and dropping
 * the helper (a helper that died mid-round, say); milliseconds. A round takes a few to a few hundred.
 */
const ROUND_TIMEOUT_MILLISECONDS = 20_000;

/**
 * The helper's script. It receives the wasm module and a copy of the calling thread's kernel memory (pruned rows,
 * search buffers in their between-search state), instantiates its own copy, then waits on the control words:
 * a work command runs `search_buckets` from each listed source into the shared result rows, then answers done; exit ends it.
 * The same script runs as a Node eval worker (CommonJS: `require` exists) and as a browser worker.
 */
const HELPER_SOURCE = `'use strict';
const inNode = typeof require === 'function';
const port = inNode ? require('node:worker_threads').parentPort : self;
const start = ({ module, memory, pointers, pointCount, control, parameters, results }) => {
  const exports = new WebAssembly.Instance(module, {}).exports;
  const pages = Math.ceil(memory.byteLength / 65536) - exports.memory.buffer.byteLength / 65536;
  if (pages > 0) exports.memory.grow(pages);
  new Uint8Array(exports.memory.buffer).set(new Uint8Array(memory));
  const state = new Int32Array(control);
  const values = new Float64Array(parameters);
  const output = new Float32Array(results);
  const result = new Float32Array(exports.memory.buffer, pointers.result, pointCount);
  Atomics.store(state, ${Slot.ready}, 1);
  for (;;) {
    Atomics.wait(state, ${Slot.command}, ${Command.idle});
    const command = Atomics.load(state, ${Slot.command});
    if (command === ${Command.exit}) break;
    if (command !== ${Command.work}) continue;
    const limit = values[0], width = values[1], bucketCount = values[2];
    for (let slot = 0, count = state[${Slot.count}]; slot < count; slot++) {
      result.fill(limit);
      exports.search_buckets(pointers.offsets, pointers.targets, pointers.costs, pointers.tentative, pointers.next, pointers.previous,
        pointers.bucketOf, pointers.heads, pointers.settled, pointCount, state[${Slot.sources} + slot], limit, width, bucketCount, pointers.result);
      output.set(result, slot * pointCount);
    }
    Atomics.store(state, ${Slot.command}, ${Command.done});
    Atomics.notify(state, ${Slot.command});
  }
  if (inNode) port.close(); else self.close();
};
if (inNode) port.once('message', start); else self.onmessage = (event) => start(event.data);
`;

/** One helper thread and the shared memory it answers through. */
class SearchHelper {
  private readonly state: Int32Array;
  private readonly values: Float64Array;
  private readonly output: Float32Array;
  private readonly worker: SearchWorkerHandle;
  private readonly pointCount: number;
  /** False once a round timed out: the helper gets no more work. */
  private healthy = true;

  constructor(image: SurfaceSearchImage, spawn: SearchWorkerSpawner) {
    const control = new SharedArrayBuffer(4 * (Slot.sources + HELPER_ROUND_CAPACITY));
    const parameters = new SharedArrayBuffer(8 * 3);
    const results = new SharedArrayBuffer(4 * image.pointCount * HELPER_ROUND_CAPACITY);
    this.state = new Int32Array(control);
    this.values = new Float64Array(parameters);
    this.output = new Float32Array(results);
    this.pointCount = image.pointCount;
    this.worker = spawn(HELPER_SOURCE);
    this.worker.postMessage({ ...image, control, parameters, results });
  }

  /** Whether the helper has its kernel and takes work. */
  get ready(): boolean {
    return this.healthy && Atomics.load(this.state, Slot.ready) === 1;
  }

  /** Starts a round: up to {@link HELPER_ROUND_CAPACITY} searches, all capped at `limit` metres. */
  begin(sources: ArrayLike<number>, limit: number, width: number, bucketCount: number): void {
    this.values[0] = limit;
    this.values[1] = width;
    this.values[2] = bucketCount;
    for (let slot = 0; slot < sources.length; slot++) this.state[Slot.sources + slot] = sources[slot];
    this.state[Slot.count] = sources.length;
    Atomics.store(this.state, Slot.command, Command.work);
    Atomics.notify(this.state, Slot.command);
  }

  /**
   * Waits for the round begun last and returns its distance rows (new arrays), or undefined when the helper did
   * not answer within the timeout (it is then dropped).
   */
  finish(count: number): Float32Array[] | undefined {
    const deadline = performance.now() + ROUND_TIMEOUT_MILLISECONDS;
    while (Atomics.load(this.state, Slot.command) === Command.work) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.state, Slot.command, Command.work, left) === 'timed-out') {
        this.healthy = false;
        this.dispose();
        return undefined;
      }
    }
    const rows = Array.from({ length: count }, (_, slot) => this.output.slice(slot * this.pointCount, (slot + 1) * this.pointCount));
    Atomics.store(this.state, Slot.command, Command.idle);
    return rows;
  }

  /** Ends the thread. */
  dispose(): void {
    Atomics.store(this.state, Slot.command, Command.exit);
    Atomics.notify(this.state, Slot.command);
    void this.worker.terminate();
  }
}

/**
 * Capped searches shared out between the calling thread and helper threads, each with its own instance of the
 * search kernel over the same pruned rows (so every distance is the calling thread's to the bit). Helpers start
 * in the background; until one is ready the calling thread does its share. The calling thread blocks in
 * `Atomics.wait` while helpers finish, so it must be allowed to: Node's main thread or a web worker, not a
 * page's main thread; and `SharedArrayBuffer` must exist (browsers: a cross-origin isolated context).
 */
export class SurfaceSearchPool {
  private readonly helpers: SearchHelper[];

  /**
   * @param image The calling thread's kernel, as {@link SurfaceSearchKernel.image} gives it.
   * @param threads How many helpers, and how to start one.
   */
  constructor(image: SurfaceSearchImage, threads: SurfaceSearchThreads) {
    this.helpers = Array.from({ length: threads.count }, () => new SearchHelper(image, threads.spawn));
  }

  /** Whether `SharedArrayBuffer` and `Atomics.wait` exist here (the pool needs both). */
  static get supported(): boolean {
    return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object' && typeof Atomics.wait === 'function';
  }

  /** Helpers ready for work now. */
  get readyCount(): number {
    return this.helpers.filter((helper) => helper.ready).length;
  }

  /**
   * Distances from each source, capped at `limit` metres with buckets `width` metres wide: the ready helpers
   * search about an equal share each, the calling thread (`searchHere`) the rest while they run.
   */
  run(sources: ArrayLike<number>, limit: number, width: number, bucketCount: number, searchHere: (source: number) => Float32Array): Float32Array[] {
    const results = new Array<Float32Array>(sources.length);
    let next = 0;
    while (next < sources.length) {
      const ready = this.helpers.filter((helper) => helper.ready);
      const left = sources.length - next;
      const evenShare = Math.floor(left / (ready.length + 1));
      const share = Math.min(HELPER_ROUND_CAPACITY, evenShare);
      if (ready.length === 0 || share === 0) {
        for (; next < sources.length; next++) results[next] = searchHere(sources[next]);
        break;
      }
      const rounds = ready.map((helper) => {
        const first = next;
        next += share;
        helper.begin(Array.prototype.slice.call(sources, first, next) as number[], limit, width, bucketCount);
        return { helper, first };
      });
      // The calling thread's share of this round: as many as each helper's, or at the last round the remainder.
      const own = evenShare <= HELPER_ROUND_CAPACITY ? left - share * ready.length : share;
      for (const end = next + own; next < end; next++) results[next] = searchHere(sources[next]);
      for (const { helper, first } of rounds) {
        const rows = helper.finish(share);
        for (let slot = 0; slot < share; slot++) results[first + slot] = rows ? rows[slot] : searchHere(sources[first + slot]);
      }
    }
    return results;
  }

  /** Ends every helper thread. */
  dispose(): void {
    for (const helper of this.helpers) helper.dispose();
    this.helpers.length = 0;
  }
}
