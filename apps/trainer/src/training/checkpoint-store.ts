import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serializeCheckpoint, type InteractiveSegmentationModel } from '@pointclick/segmenter';
import { writeFileAtomic } from '@pointclick/io/node';
import type { AdamOptimizer } from './adam-optimizer.js';
import { readModelDirectory } from './checkpoint-source.js';

/** Everything besides weights that a resumed run needs. */
export interface TrainingState {
  /** Steps completed. */
  step: number;
  /** Best validation figure so far, if any. */
  bestValidation?: Record<string, number>;
}

/** Where the checkpoints of one run live: `<run>/checkpoints/step-<n>/` plus `latest.json` pointing at one. */
export class CheckpointStore {
  /** `<run>/checkpoints` */
  readonly directory: string;
  private readonly keep: number;

  constructor(runDirectory: string, keep: number) {
    this.directory = join(runDirectory, 'checkpoints');
    this.keep = keep;
  }

  /**
   * Writes a complete checkpoint directory under a temporary name, renames it into place, then atomically
   * repoints `latest.json`. Killing the process at any moment leaves `latest.json` pointing at a complete one.
   */
  async save(
    model: InteractiveSegmentationModel,
    optimizer: AdamOptimizer,
    state: TrainingState,
    metadata: Record<string, unknown>,
  ): Promise<string> {
    await mkdir(this.directory, { recursive: true });
    const name = `step-${String(state.step).padStart(7, '0')}`;
    const partial = join(this.directory, `.${name}.partial-${process.pid}`);
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial);
    // Read every weight back asynchronously first: serialisation then finds the values cached on the CPU
    // (WebGPU in Node cannot read synchronously; the cached copy is dropped at the next update).
    await Promise.all([...model.namedVariables().values()].map((variable) => variable.data()));
    const { document, weights } = serializeCheckpoint(model, { metadata: { ...metadata, step: state.step } });
    await writeFile(join(partial, document.weights.file), weights);
    await writeFile(join(partial, 'model.json'), `${JSON.stringify(document, null, 1)}\n`);
    const optimizerState = await optimizer.exportState();
    let byteLength = 0;
    const manifest = optimizerState.tensors.map(({ name: tensorName, shape, values }) => {
      const entry = { name: tensorName, shape, byteOffset: byteLength, byteLength: values.byteLength };
      byteLength += values.byteLength;
      return entry;
    });
    const blob = new Uint8Array(byteLength);
    optimizerState.tensors.forEach(({ values }, index) => blob.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), manifest[index].byteOffset));
    await writeFile(join(partial, 'optimizer.bin'), blob);
    await writeFile(join(partial, 'optimizer.json'), JSON.stringify({ stepCount: optimizerState.stepCount, byteLength, manifest }));
    await writeFile(join(partial, 'state.json'), JSON.stringify(state));
    const final = join(this.directory, name);
    await rm(final, { recursive: true, force: true });
    await rename(partial, final);
    await writeFileAtomic(join(this.directory, 'latest.json'), JSON.stringify({ step: state.step, directory: name }));
    await this.prune(name);
    return final;
  }

  /** Path of the latest complete checkpoint, or undefined when the run has none. */
  async latest(): Promise<string | undefined> {
    const text = await readFile(join(this.directory, 'latest.json'), 'utf8').catch(() => undefined);
    if (!text) return undefined;
    const pointer = JSON.parse(text) as { directory: string };
    return join(this.directory, pointer.directory);
  }

  /** Loads model weights, optimizer moments and the training state of a checkpoint directory. */
  static async load(
    directory: string,
    optimizer: AdamOptimizer,
  ): Promise<{ model: InteractiveSegmentationModel; state: TrainingState }> {
    const { model } = await readModelDirectory(directory);
    const optimizerIndex = JSON.parse(await readFile(join(directory, 'optimizer.json'), 'utf8')) as {
      stepCount: number;
      byteLength: number;
      manifest: Array<{ name: string; shape: number[]; byteOffset: number; byteLength: number }>;
    };
    const blob = await readFile(join(directory, 'optimizer.bin'));
    if (blob.byteLength !== optimizerIndex.byteLength) {
      model.dispose();
      throw new Error(`${directory}/optimizer.bin has ${blob.byteLength} bytes, expected ${optimizerIndex.byteLength}`);
    }
    const aligned = new Uint8Array(blob).buffer;
    optimizer.importState({
      stepCount: optimizerIndex.stepCount,
      tensors: optimizerIndex.manifest.map((entry) => ({
        name: entry.name,
        shape: entry.shape,
        values: new Float32Array(aligned, entry.byteOffset, entry.byteLength / 4),
      })),
    });
    const state = JSON.parse(await readFile(join(directory, 'state.json'), 'utf8')) as TrainingState;
    return { model, state };
  }

  private async prune(current: string): Promise<void> {
    const entries = (await readdir(this.directory)).filter((entry) => /^step-\d+$/.test(entry)).sort();
    const stale = entries.filter((entry) => entry !== current).slice(0, Math.max(0, entries.length - this.keep));
    for (const entry of stale) await rm(join(this.directory, entry), { recursive: true, force: true });
  }
}
