/**
 * Mutation fuzzing of every reader readPointCloud dispatches to, over every fixture in shared/data/fixtures (whole
 * and sliced), three osd-learn scans and generated variants: ≥ 50,000 cases with a fixed seed, half of them editing
 * header fields on purpose (counts, offsets, sizes, types), half damaging random bytes. Each case runs in a worker
 * thread under a watchdog, so a hang is reported with its reproduction instead of stalling the run. Every outcome
 * must be a valid cloud or a PointCloudFormatError, within 10 × the unmutated read time. PCD and LAZ cases are also
 * read by their streaming paths (readPointCloudStream in 4093-byte chunks; LAZ chunk by chunk from a Blob too).
 *
 * Rerun single cases with FUZZ_CASES='<base index>:<case index>,…' (printed with every failure).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { PointCloud } from '../src/core/point-cloud.js';
import { PointCloudFormatError } from '../src/core/point-cloud-format-error.js';
import { readSemanticKittiLabels } from '../src/kitti/semantickitti-label-reader.js';
import { readLabelsCsv, writeLabelsCsv } from '../src/labels/labels-csv.js';
import { readLabelsJson, writeLabelsJson } from '../src/labels/labels-json.js';
import { FUZZ_SEED, fuzzCorpusAvailable, loadFuzzBases, mutateFuzzBase, type FuzzBase } from './fuzz/fuzz-corpus.js';
import { runFuzzPool, type FuzzWorkerData, type FuzzWorkerTask } from './fuzz/fuzz-pool.js';
import { SHARED_DATA_DIRECTORY } from './shared-data.js';

const WORKER_ENTRY = new URL('./fuzz/fuzz-worker-entry.mjs', import.meta.url);
/** A case slower than this many times its unmutated base fails (issue 22). */
const SLOW_FACTOR = 10;
/** Per-case limit floor (ms): below it, timer and garbage-collection noise would decide, not the reader. */
const FLOOR_MILLISECONDS = 250;
/** Two workers: the CI machine has two cores. */
const WORKER_COUNT = Math.max(1, Math.min(2, cpus().length));
const MINIMUM_CASES = 50_000;

const corpusAvailable = fuzzCorpusAvailable(SHARED_DATA_DIRECTORY);
if (!corpusAvailable) console.warn(`fuzz.slow.test: skipped, fixtures, osd-learn scans or semantickitti/scannet-votenet files missing under ${SHARED_DATA_DIRECTORY}`);

const workerData: FuzzWorkerData = { directory: SHARED_DATA_DIRECTORY, seed: FUZZ_SEED, slowFactor: SLOW_FACTOR, floorMilliseconds: FLOOR_MILLISECONDS, loadCorpus: true };
/** The worker reads a slow case twice before reporting it; past that, and generous slack, it is hung. */
const watchdogMilliseconds = (baseline: number): number => 2 * Math.max(SLOW_FACTOR * baseline, FLOOR_MILLISECONDS) + 5_000;

describe.skipIf(!corpusAvailable)('fuzzing readPointCloud with mutated real fixtures', () => {
  it(`returns a valid cloud or a PointCloudFormatError within ${SLOW_FACTOR} × the unmutated read time for ≥ ${MINIMUM_CASES} cases`, async () => {
    const bases = loadFuzzBases(SHARED_DATA_DIRECTORY);
    const only = process.env.FUZZ_CASES?.split(',').map((entry) => entry.split(':').map(Number) as [number, number]);
    const tasks: FuzzWorkerTask[] = only
      ? only.map(([baseIndex, caseIndex]) => ({ kind: 'case', baseIndex, caseIndex }))
      : bases.flatMap((base, baseIndex) => Array.from({ length: base.caseCount }, (_, caseIndex) => ({ kind: 'case' as const, baseIndex, caseIndex })));
    const describeTask = (task: FuzzWorkerTask): string =>
      task.kind === 'case' ? `${bases[task.baseIndex].name} case ${task.caseIndex} (seed ${FUZZ_SEED}, FUZZ_CASES='${task.baseIndex}:${task.caseIndex}')` : 'planted loop';
    const start = performance.now();
    const report = await runFuzzPool({ entry: WORKER_ENTRY, workerData, workerCount: WORKER_COUNT, tasks, watchdogMilliseconds, describe: describeTask });
    const seconds = (performance.now() - start) / 1000;
    console.log(`fuzz: ${report.caseCount} cases on ${WORKER_COUNT} workers in ${seconds.toFixed(1)} s (seed ${FUZZ_SEED})`);
    console.table(
      bases.map((base, baseIndex) => ({
        base: base.name,
        cases: base.caseCount,
        unmutatedMs: Number(report.baselines[baseIndex]?.milliseconds.toFixed(2)),
        valid: report.tallies.get(baseIndex)?.valid ?? 0,
        rejected: report.tallies.get(baseIndex)?.rejected ?? 0,
        slowestMs: Number(report.tallies.get(baseIndex)?.slowestMilliseconds.toFixed(1) ?? 0),
      })),
    );
    expect(report.failures.slice(0, 20)).toEqual([]);
    // Every unmutated base reads (otherwise its mutations test only the refusal path); the label file is no cloud.
    const unreadable = report.baselines.filter((baseline) => baseline.error !== undefined && !/segmentation bin/.test(baseline.name));
    expect(unreadable).toEqual([]);
    if (only) {
      // A rerun of listed cases (FUZZ_CASES) checks just those.
      expect(report.caseCount).toBe(only.length);
    } else {
      expect(report.caseCount).toBeGreaterThanOrEqual(MINIMUM_CASES);
      // Mutations must bite: every base has refused cases, and every base whose original reads has read cases too.
      bases.forEach((base, baseIndex) => {
        const tally = report.tallies.get(baseIndex);
        expect(tally?.rejected ?? 0, base.name).toBeGreaterThan(0);
        if (report.baselines[baseIndex]?.error === undefined) expect(tally?.valid ?? 0, base.name).toBeGreaterThan(0);
      });
    }
  }, 30 * 60_000);

  it('reports a case that never returns as a hang with its description, and carries on', async () => {
    const report = await runFuzzPool({
      entry: WORKER_ENTRY,
      workerData: { ...workerData, loadCorpus: false },
      workerCount: 1,
      tasks: [{ kind: 'spin' }, { kind: 'spin' }],
      watchdogMilliseconds: () => 500,
      describe: () => 'planted case',
    });
    expect(report.caseCount).toBe(2);
    expect(report.failures).toEqual([
      'planted case: planted endless loop: no answer within 500 ms: hang',
      'planted case: planted endless loop: no answer within 500 ms: hang',
    ]);
  });

  it('label readers return consistent labels or throw PointCloudFormatError', () => {
    const slicePoints = 300;
    const labelBytes = new Uint8Array(readFileSync(`${SHARED_DATA_DIRECTORY}/semantickitti/000000.label`)).slice(0, slicePoints * 4);
    const labelled: PointCloud = { pointCount: slicePoints, positions: new Float32Array(slicePoints * 3), ...readSemanticKittiLabels(labelBytes) };
    const text = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'latin1'));
    const sources: [string, Uint8Array, (bytes: Uint8Array) => { semantic?: Int32Array; instance?: Int32Array }][] = [
      ['semantickitti label', labelBytes, (bytes) => readSemanticKittiLabels(bytes, { expectedPointCount: slicePoints })],
      ['labels json', text(writeLabelsJson(labelled, { classNames: { 10: 'car' } })), (bytes) => readLabelsJson(bytes, { expectedPointCount: slicePoints })],
      ['labels csv', text(writeLabelsCsv(labelled)), (bytes) => readLabelsCsv(bytes, { expectedPointCount: slicePoints })],
    ];
    const failures: string[] = [];
    let rejected = 0;
    sources.forEach(([name, bytes, read], sourceIndex) => {
      const base: FuzzBase = {
        name,
        format: 'ply',
        fileName: name,
        bytes,
        headerEnd: Math.min(64, bytes.length),
        textHeader: name !== 'semantickitti label',
        binaryFields: [],
        float32Rows: false,
        exactLength: false,
        caseCount: 900,
      };
      for (let caseIndex = 0; caseIndex < base.caseCount; caseIndex++) {
        const mutation = mutateFuzzBase(base, 1000 + sourceIndex, caseIndex);
        try {
          const labels = read(mutation.bytes);
          for (const array of [labels.semantic, labels.instance]) {
            if (array !== undefined && array.length !== slicePoints) failures.push(`${name} / ${mutation.description}: ${array.length} labels`);
          }
        } catch (error) {
          if (error instanceof PointCloudFormatError) rejected++;
          else failures.push(`${name} / ${mutation.description}: ${(error as Error).message}`);
        }
      }
    });
    expect(failures.slice(0, 20)).toEqual([]);
    expect(rejected).toBeGreaterThan(0);
  });
});
