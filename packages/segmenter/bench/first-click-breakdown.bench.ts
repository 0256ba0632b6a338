/**
 * Where the bench's first click goes: the same lite model, synthetic room and 10 clicks as `segmenter.bench.ts`,
 * the segmenter's first-click steps run one by one through the public API, each timed (median of
 * `REPEATS`): backbone hierarchy (grid sampling, serialization, pooling maps; JavaScript), backbone network,
 * decoder scene (keys and values), geodesic graph (`SurfaceGraph` over the finest voxels), the 10 graph
 * searches (the first one prunes the rows), the decoder pass with read-back. A whole first click through
 * `Segmenter` (after `setScene`, as in the bench) is timed beside them, and `setScene` (superpoints) too; where
 * `models/default` sets a `geodesicGraph.flatEdgeFactor`, the graph and searches with it are timed as well.
 * Reference: a 1024³ matMul in the same run. Prints figures; never fails.
 * Run: pnpm --filter @pointclick/segmenter bench:first-click (node --expose-gc: garbage is collected before each
 * step, so a step is not charged for collecting what the steps before it left; without the flag it is not).
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { generateIndoorScene } from '@pointclick/datasets';
import { ClickGeodesicDistances, InteractiveSegmentationModel, Segmenter, type SegmenterConfig } from '../src/index.js';
import { createLiteConfig, makeBenchClicks, median, timeMatMul } from './bench-reference.js';

const REPEATS = 3;
const CLICK_COUNT = 10;
/** `models/default`'s `geodesicGraph.flatEdgeFactor` (1 when unset): its graph and searches are timed beside the plain ones. */
const SHIPPED_FLAT_EDGE_FACTOR =
  (JSON.parse(readFileSync(new URL('../../../models/default/model.json', import.meta.url), 'utf8')) as { config: SegmenterConfig }).config.geodesicGraph?.flatEdgeFactor ?? 1;

async function main(): Promise<void> {
  await initializeBackend({ preferred: 'wasm', strict: true });
  const matMulMilliseconds = await timeMatMul();
  const scene = generateIndoorScene({ seed: 7, pointCount: 72_000 });
  const classNames = Array.from({ length: 40 }, (_, index) => `class ${index + 1}`);
  const model = new InteractiveSegmentationModel(createLiteConfig(classNames));
  const segmenter = new Segmenter(model);
  const clicks = makeBenchClicks(scene.instance, CLICK_COUNT, 0);
  segmenter.setScene(scene);
  segmenter.segment(clicks); // warm-up

  const samples = new Map<string, number[]>();
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  const timed = <T>(step: string, work: () => T): T => {
    collectGarbage?.();
    const start = performance.now();
    const result = work();
    const list = samples.get(step) ?? [];
    list.push(performance.now() - start);
    samples.set(step, list);
    return result;
  };
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    timed('setScene (validation, superpoints)', () => segmenter.setScene(scene));
    timed('whole first click (Segmenter.segment after setScene)', () => segmenter.segment(clicks));

    const hierarchy = timed('backbone hierarchy (grid, serialization, pooling; JS)', () =>
      model.backbone.buildHierarchy({ positions: scene.positions, colors: scene.colors }),
    );
    const backboneOutput = timed('backbone network (applyHierarchy)', () => {
      const output = model.backbone.applyHierarchy(hierarchy);
      output.levels[output.levels.length - 1].features.dataSync(); // wait for the kernels
      return output;
    });
    const { levels, inputToFinest } = backboneOutput;
    const decoderScene = timed('decoder scene (prepareScene)', () => model.decoder.prepareScene(levels));
    const geodesic = timed('geodesic graph (SurfaceGraph over the finest voxels)', () =>
      ClickGeodesicDistances.forModel(model, levels[levels.length - 1].coordinates, scene.colors, inputToFinest)!,
    );
    const clickVoxelIndices = Int32Array.from(clicks, (click) => inputToFinest['pointIndex' in click ? click.pointIndex : 0]);
    const clickPositions = new Float32Array(CLICK_COUNT * 3);
    clicks.forEach((click, index) => {
      const point = 'pointIndex' in click ? click.pointIndex : 0;
      clickPositions.set(scene.positions.subarray(point * 3, point * 3 + 3), index * 3);
    });
    const clickGeodesicDistances = timed(`${CLICK_COUNT} graph searches (the first prunes the rows) + assembly`, () => geodesic.distances(clickVoxelIndices));
    if (SHIPPED_FLAT_EDGE_FACTOR !== 1) {
      // models/default's graph: the same voxels, edges along flat surfaces discounted (normals by PCA).
      const flatModel = { decoder: model.decoder, geodesicGraph: { ...model.geodesicGraph, flatEdgeFactor: SHIPPED_FLAT_EDGE_FACTOR } };
      const flat = timed(`  instead: geodesic graph, flatEdgeFactor ${SHIPPED_FLAT_EDGE_FACTOR} (models/default)`, () =>
        ClickGeodesicDistances.forModel(flatModel, levels[levels.length - 1].coordinates, scene.colors, inputToFinest)!,
      );
      timed(`  instead: ${CLICK_COUNT} graph searches on it + assembly`, () => flat.distances(clickVoxelIndices));
    }
    timed('decoder pass + read-back', () => {
      const output = model.decoder.apply({ levels, clickVoxelIndices, clickPositions, clickGeodesicDistances, scene: decoderScene });
      const last = output.stages[output.stages.length - 1];
      last.maskLogits.dataSync();
      last.classLogits.dataSync();
      tf.dispose(output.stages.flatMap((stage) => [stage.maskLogits, stage.classLogits]));
    });
    decoderScene.dispose();
    backboneOutput.dispose();
  }
  segmenter.dispose();

  console.log(
    `first click, ${CLICK_COUNT} clicks, 72,000 points → 49,825 voxels; reference 1024³ matMul ${matMulMilliseconds.toFixed(1)} ms; ` +
      `medians of ${REPEATS}; garbage collected before each step: ${collectGarbage ? 'yes' : 'no (run node with --expose-gc)'}`,
  );
  let stepSum = 0;
  for (const [step, list] of samples) {
    const value = median(list);
    if (!step.startsWith('whole') && !step.startsWith('setScene') && !step.startsWith('  instead')) stepSum += value;
    console.log(`  ${step.padEnd(62)} ${value.toFixed(1).padStart(8)} ms  (${(value / matMulMilliseconds).toFixed(2).padStart(5)}× matMul)`);
  }
  console.log(`  ${'sum of the steps from the hierarchy on (post-processing not included)'.padEnd(62)} ${stepSum.toFixed(1).padStart(8)} ms`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
