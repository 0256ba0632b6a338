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

/**
 * Positions of the control words each helper shares with the calling thread (an Int32Array over a SharedArrayBuffer):
 * the command, whether the kernel is ready, how many searches of the round it did, and which (their positions in
 * the round's queue, in the order of its result rows).
 */
const Slot = { command: 0, ready: 1, count: 2, claimed: 3 } as const;
/** Values of the command word. */
const Command = { idle: 0, work: 1, done: 2, exit: 3 } as const;
/**
 * Positions in the round's queue, shared by the calling thread and every helper: the next unclaimed position (each
 * thread takes the next search with `Atomics.add`), how many sources the round has, then the sources.
 */
const Queue = { next: 0, count: 1, sources: 2 } as const;

/** Searches one helper does per round at most: its result buffer holds this many distance rows. */
const HELPER_ROUND_CAPACITY = 8;

/**
 * How long the calling thread waits for a helper's round before doing that round's searches itself and dropping
 * the helper (a helper that died mid-round, say); milliseconds. A round takes a few to a few hundred.
 */
const ROUND_TIMEOUT_MILLISECONDS = 20_000;

/**
 * The helper's script. It receives the wasm module and a copy of the calling thread's kernel memory (pruned rows,
 * search buffers in their between-search state), instantiates its own copy, then waits on the control words:
 * on a work command it takes the round's sources one at a time from the shared queue (as the calling thread and
 * the other helpers do, so a thread that finishes early takes more), runs `search_buckets` from each into its next
 * result row and notes the source's queue position, up to its capacity; then it answers done. Exit ends it.
 * The same script runs as a Node eval worker (CommonJS: `require` exists) and as a browser worker.
 */
const HELPER_SOURCE = `'use strict';
const inNode = typeof require === 'function';
const port = inNode ? require('node:worker_threads').parentPort : self;
const start = ({ module, memory, pointers, pointCount, control, queue, parameters, results }) => {
  const exports = new WebAssembly.Instance(module, {}).exports;
  const pages = Math.ceil(memory.byteLength / 65536) - exports.memory.buffer.byteLength / 65536;
  if (pages > 0) exports.memory.grow(pages);
  new Uint8Array(exports.memory.buffer).set(new Uint8Array(memory));
  const state = new Int32Array(control);
  const shared = new Int32Array(queue);
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
    const count = Atomics.load(shared, ${Queue.count});
    let row = 0;
    for (; row < ${HELPER_ROUND_CAPACITY}; row++) {
      const position = Atomics.add(shared, ${Queue.next}, 1);
      if (position >= count) break;
      result.fill(limit);
      exports.search_buckets(pointers.offsets, pointers.targets, pointers.costs, pointers.tentative, pointers.next, pointers.previous,
        pointers.bucketOf, pointers.heads, pointers.settled, pointCount, shared[${Queue.sources} + position], limit, width, bucketCount, pointers.result);
      output.set(result, row * pointCount);
      state[${Slot.claimed} + row] = position;
    }
    state[${Slot.count}] = row;
    Atomics.store(state, ${Slot.command}, ${Command.done});
    Atomics.notify(state, ${Slot.command});
  }
  if (inNode) port.close(); else self.close();
};
if (inNode) port.once('message', start); else self.onmessage = (event) => start(event.data);
`;

/** Searches begun by `SurfaceSearchPool.start` (or `SurfaceGraph.startDistancesFromEach`), not yet collected. */
export interface PendingSurfaceSearches {
  /**
   * Does what is left on the calling thread, waits for the helpers and returns one row of distances per source, in
   * the order of the sources; later calls return the same rows.
   */
  finish(): Float32Array[];
}

/** One round of a pool's searches: queue positions `first` … `first + count − 1`, and the helpers that took part. */
interface SearchRound {
  first: number;
  count: number;
  ready: SearchHelper[];
}

/** One helper thread and the shared memory it answers through. */
class SearchHelper {
  private readonly state: Int32Array;
  private readonly values: Float64Array;
  private readonly output: Float32Array;
  private readonly worker: SearchWorkerHandle;
  private readonly pointCount: number;
  /** False once a round timed out: the helper gets no more work. */
  private healthy = true;

  constructor(image: SurfaceSearchImage, spawn: SearchWorkerSpawner, queue: SharedArrayBuffer) {
    const control = new SharedArrayBuffer(4 * (Slot.claimed + HELPER_ROUND_CAPACITY));
    const parameters = new SharedArrayBuffer(8 * 3);
    const results = new SharedArrayBuffer(4 * image.pointCount * HELPER_ROUND_CAPACITY);
    this.state = new Int32Array(control);
    this.values = new Float64Array(parameters);
    this.output = new Float32Array(results);
    this.pointCount = image.pointCount;
    this.worker = spawn(HELPER_SOURCE);
    this.worker.postMessage({ ...image, control, queue, parameters, results });
  }

  /** Whether the helper has its kernel and takes work. */
  get ready(): boolean {
    return this.healthy && Atomics.load(this.state, Slot.ready) === 1;
  }

  /** Starts a round: the helper takes searches from the shared queue, all capped at `limit` metres. */
  begin(limit: number, width: number, bucketCount: number): void {
    this.values[0] = limit;
    this.values[1] = width;
    this.values[2] = bucketCount;
    Atomics.store(this.state, Slot.command, Command.work);
    Atomics.notify(this.state, Slot.command);
  }

  /**
   * Waits for the round begun last and returns the searches the helper did: their queue positions and distance rows
   * (new arrays), in the same order; undefined when the helper did not answer within the timeout (it is then dropped).
   */
  finish(): { positions: Int32Array; rows: Float32Array[] } | undefined {
    const deadline = performance.now() + ROUND_TIMEOUT_MILLISECONDS;
    while (Atomics.load(this.state, Slot.command) === Command.work) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.state, Slot.command, Command.work, left) === 'timed-out') {
        this.healthy = false;
        this.dispose();
        return undefined;
      }
    }
    const count = this.state[Slot.count];
    const positions = this.state.slice(Slot.claimed, Slot.claimed + count);
    const rows = Array.from({ length: count }, (_, row) => this.output.slice(row * this.pointCount, (row + 1) * this.pointCount));
    Atomics.store(this.state, Slot.command, Command.idle);
    return { positions, rows };
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
  /** The round's queue (see `Queue`), shared with every helper. */
  private readonly queue: Int32Array;
  /** Sources one round holds: each helper's capacity, and as many again for the calling thread. */
  private readonly roundCapacity: number;
  /** Searches the helpers have delivered since the pool was made. */
  private helperSearches = 0;
  /** The searches started and not yet finished, if any (one at a time: the helpers share one queue). */
  private pending?: PendingSurfaceSearches;

  /**
   * @param image The calling thread's kernel, as {@link SurfaceSearchKernel.image} gives it.
   * @param threads How many helpers, and how to start one.
   */
  constructor(image: SurfaceSearchImage, threads: SurfaceSearchThreads) {
    this.roundCapacity = HELPER_ROUND_CAPACITY * (threads.count + 1);
    const queue = new SharedArrayBuffer(4 * (Queue.sources + this.roundCapacity));
    this.queue = new Int32Array(queue);
    this.helpers = Array.from({ length: threads.count }, () => new SearchHelper(image, threads.spawn, queue));
  }

  /** Whether `SharedArrayBuffer` and `Atomics.wait` exist here (the pool needs both). */
  static get supported(): boolean {
    return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object' && typeof Atomics.wait === 'function';
  }

  /** Helpers ready for work now. */
  get readyCount(): number {
    return this.helpers.filter((helper) => helper.ready).length;
  }

  /** Searches the helpers have delivered since the pool was made (the rest ran on the calling thread). */
  get helperSearchCount(): number {
    return this.helperSearches;
  }

  /**
   * Distances from each source, capped at `limit` metres with buckets `width` metres wide. Each round queues up to
   * 8 sources per thread; the ready helpers and the calling thread (`searchHere`) take them one at a time
   * until none is left (a helper at most its capacity), so the threads finish together however uneven the searches.
   * A helper that does not answer is dropped and whatever it took is searched here.
   */
  run(sources: ArrayLike<number>, limit: number, width: number, bucketCount: number, searchHere: (source: number) => Float32Array): Float32Array[] {
    return this.start(sources, limit, width, bucketCount, searchHere).finish();
  }

  /**
   * {@link run} in two steps: the ready helpers start on the first round now, while the calling thread goes on with
   * other work; `finish` then does the calling thread's share and the later rounds, and returns what `run` would
   * (the same rows to the bit). A search started while another is pending finishes that one first.
   */
  start(sources: ArrayLike<number>, limit: number, width: number, bucketCount: number, searchHere: (source: number) => Float32Array): PendingSurfaceSearches {
    this.pending?.finish();
    const list = Int32Array.from(sources);
    const results = new Array<Float32Array | undefined>(list.length);
    const beginRound = (first: number): SearchRound => {
      const count = Math.min(this.roundCapacity, list.length - first);
      const ready = this.helpers.filter((helper) => helper.ready);
      if (ready.length > 0) {
        for (let position = 0; position < count; position++) this.queue[Queue.sources + position] = list[first + position];
        Atomics.store(this.queue, Queue.count, count);
        Atomics.store(this.queue, Queue.next, 0);
        for (const helper of ready) helper.begin(limit, width, bucketCount);
      }
      return { first, count, ready };
    };
    const completeRound = ({ first, count, ready }: SearchRound): void => {
      if (ready.length === 0) {
        for (let index = first; index < first + count; index++) results[index] = searchHere(list[index]);
        return;
      }
      for (let position = Atomics.add(this.queue, Queue.next, 1); position < count; position = Atomics.add(this.queue, Queue.next, 1)) {
        results[first + position] = searchHere(list[first + position]);
      }
      for (const helper of ready) {
        const done = helper.finish();
        if (!done) continue;
        done.positions.forEach((position, row) => (results[first + position] = done.rows[row]));
        this.helperSearches += done.rows.length;
      }
      // What a dropped helper took and never delivered.
      for (let index = first; index < first + count; index++) results[index] ??= searchHere(list[index]);
    };
    const firstRound = list.length > 0 ? beginRound(0) : undefined;
    let rows: Float32Array[] | undefined;
    const pending: PendingSurfaceSearches = {
      finish: () => {
        if (rows) return rows;
        if (firstRound) completeRound(firstRound);
        for (let first = this.roundCapacity; first < list.length; first += this.roundCapacity) completeRound(beginRound(first));
        rows = results as Float32Array[];
        if (this.pending === pending) this.pending = undefined;
        return rows;
      },
    };
    this.pending = pending;
    return pending;
  }

  /** Ends every helper thread. */
  dispose(): void {
    for (const helper of this.helpers) helper.dispose();
    this.helpers.length = 0;
  }
}
