import type { LabeledScene } from '@pointclick/datasets';
import {
  computeCalibration,
  computeClassAccuracy,
  computeClassConfusion,
  estimateCalibrationNoise,
  evaluateInteractive,
  type Calibration,
  type CalibrationNoise,
  type ClassAccuracy,
  type ClassPrediction,
} from '@pointclick/metrics';
import type { InteractiveSegmentationModel } from '@pointclick/segmenter';
import type { PointCloud } from '@pointclick/io';
import { createModelSegmentFunction, toEvaluationScenes } from './validation.js';

/** Classes left out of the non-structural figures, by name. */
export const STRUCTURAL_CLASS_NAMES = ['wall', 'floor', 'ceiling'];

/** Options of {@link evaluateClasses}. */
export interface ClassEvaluationOptions {
  /** Clicks per object at which classes are scored, ascending. Default [1, 3, 5]. */
  clickCounts?: readonly number[];
  /** Objects with fewer points are not targets. Default 300. */
  minimumObjectPoints?: number;
  /** Confidence bins of the calibration error. Default 15. */
  binCount?: number;
  /** Called after each scene. */
  onProgress?: (scene: string, objectCount: number) => void;
}

/** One target object's class prediction at some number of clicks per object. */
export interface ClassRecord extends ClassPrediction {
  /** Scene id. */
  scene: string;
  /** Instance id of the object. */
  objectId: number;
  /** Clicks per object the prediction was made after. */
  clicksPerObject: number;
  /** The class probabilities shown (the object's mean over its clicks), by class index. */
  probabilities: number[];
}

/** Class figures at one number of clicks per object. */
export interface ClassFiguresAtClicks {
  /** Top-1 / top-3 accuracy over every target object. */
  all: ClassAccuracy;
  /** The same without wall, floor and ceiling. */
  nonStructural: ClassAccuracy;
  /** Expected calibration error of the shown confidence and its reliability bins. */
  calibration: Calibration;
  /** The ECE a perfectly calibrated head with the same confidences would score on these objects (sampling noise); absent without objects. */
  calibrationNoise?: CalibrationNoise;
}

/** A per-class row with names. */
export interface ClassTableRow {
  className: string;
  count: number;
  /** Fraction right (0…1). */
  accuracy: number;
  /** Most frequent wrong class, when any. */
  confusedWith?: string;
  confusedCount: number;
}

/** What {@link evaluateClasses} returns. */
export interface ClassEvaluationReport {
  /** Target objects scored per scene. */
  objectCounts: Record<string, number>;
  /** Figures by clicks per object. */
  figuresAt: Record<number, ClassFiguresAtClicks>;
  /** Per-class table at the first click count (one click per object by default). */
  perClass: ClassTableRow[];
  /** Every recorded prediction (for fitting a temperature). */
  records: ClassRecord[];
}

/** Instance id → its point count and majority semantic class (the checkpoint's class index; ties: the lower id). */
export function findLabeledObjects(cloud: PointCloud & { instance: Int32Array; semantic: Int32Array }): Map<number, { pointCount: number; trueClass: number }> {
  const votes = new Map<number, Map<number, number>>();
  for (let point = 0; point < cloud.pointCount; point++) {
    const id = cloud.instance[point];
    if (id <= 0) continue;
    let perClass = votes.get(id);
    if (!perClass) votes.set(id, (perClass = new Map<number, number>()));
    perClass.set(cloud.semantic[point], (perClass.get(cloud.semantic[point]) ?? 0) + 1);
  }
  const objects = new Map<number, { pointCount: number; trueClass: number }>();
  for (const [id, perClass] of votes) {
    let pointCount = 0;
    let trueClass = -1;
    let best = -1;
    for (const [classIndex, count] of perClass) {
      pointCount += count;
      if (count > best || (count === best && classIndex < trueClass)) [best, trueClass] = [count, classIndex];
    }
    objects.set(id, { pointCount, trueClass });
  }
  return objects;
}

/**
 * Per-object class accuracy as a person meets it: in every scene, every object of at least
 * `minimumObjectPoints` points with a known class is a target; round 0 clicks each target once at its
 * interior-most point (near its middle), later clicks follow AGILE3D's multi-object simulator (the deepest
 * error region), and the class shown for each object (the argmax of its clicks' mean probabilities) is
 * scored at each click count per object. Scene class ids must be the checkpoint's class indices (NYU40 ids
 * for ScanNet and the synthetic rooms).
 */
export async function evaluateClasses(
  model: InteractiveSegmentationModel,
  scenes: readonly LabeledScene[],
  options: ClassEvaluationOptions = {},
): Promise<ClassEvaluationReport> {
  const clickCounts = [...(options.clickCounts ?? [1, 3, 5])].sort((a, b) => a - b);
  if (clickCounts.length === 0 || clickCounts.some((count) => !Number.isInteger(count) || count < 1)) {
    throw new RangeError(`class evaluation: click counts must be positive integers, got ${clickCounts.join(', ')}`);
  }
  const minimumObjectPoints = options.minimumObjectPoints ?? 300;
  const classNames = model.config.classNames;
  const records: ClassRecord[] = [];
  const objectCounts: Record<string, number> = {};
  const previousMaxClicks = model.config.maxClicks;
  try {
    for (const scene of scenes) {
      const objects = findLabeledObjects(scene.cloud);
      const targets = [...objects]
        .filter(([, object]) => object.pointCount >= minimumObjectPoints && object.trueClass > 0 && object.trueClass < classNames.length)
        .map(([id]) => id)
        .sort((a, b) => a - b);
      objectCounts[scene.id] = targets.length;
      if (targets.length === 0) continue;
      // Every target is clicked at once: the segmenter's click guard must allow them all.
      model.config.maxClicks = Math.max(previousMaxClicks ?? 0, targets.length * clickCounts[clickCounts.length - 1]);
      const recordAt = new Map(clickCounts.map((count) => [count * targets.length, count]));
      const onResult = (_cloud: PointCloud, clickCount: number, result: { objects: Array<{ objectId: number; classProbabilities: Float32Array }> }) => {
        const clicksPerObject = recordAt.get(clickCount);
        if (clicksPerObject === undefined) return;
        for (const objectId of targets) {
          const shown = result.objects.find((object) => object.objectId === objectId);
          if (!shown) throw new Error(`class evaluation: scene ${scene.id}: object ${objectId} was clicked but has no result`);
          records.push({ scene: scene.id, objectId, clicksPerObject, trueClass: objects.get(objectId)!.trueClass, probabilities: [...shown.classProbabilities] });
        }
      };
      const { segment, release } = createModelSegmentFunction(model, [scene], onResult);
      try {
        await evaluateInteractive(toEvaluationScenes([scene]), segment, {
          targetIds: { [scene.id]: targets },
          maxClicksPerObject: clickCounts[clickCounts.length - 1],
        });
      } finally {
        release();
      }
      options.onProgress?.(scene.id, targets.length);
    }
  } finally {
    model.config.maxClicks = previousMaxClicks;
  }
  const structural = STRUCTURAL_CLASS_NAMES.map((name) => classNames.indexOf(name)).filter((index) => index >= 0);
  const figuresAt: Record<number, ClassFiguresAtClicks> = {};
  for (const count of clickCounts) {
    const atCount = records.filter((record) => record.clicksPerObject === count);
    figuresAt[count] = {
      all: computeClassAccuracy(atCount),
      nonStructural: computeClassAccuracy(atCount, { excludeClasses: structural }),
      calibration: computeCalibration(atCount, options.binCount ?? 15),
      calibrationNoise: atCount.length > 0 ? estimateCalibrationNoise(atCount, { binCount: options.binCount ?? 15 }) : undefined,
    };
  }
  const nameOf = (index: number) => classNames[index] ?? `class ${index}`;
  const perClass = computeClassConfusion(records.filter((record) => record.clicksPerObject === clickCounts[0])).map(
    (row): ClassTableRow => ({
      className: nameOf(row.trueClass),
      count: row.count,
      accuracy: row.accuracy,
      confusedWith: row.confusedWith === undefined ? undefined : nameOf(row.confusedWith),
      confusedCount: row.confusedCount,
    }),
  );
  return { objectCounts, figuresAt, perClass, records };
}

/** A calibration-noise estimate as 'median [lower–upper]'. */
function formatNoise(noise: CalibrationNoise | undefined): string {
  return noise ? `${noise.median.toFixed(3)} [${noise.lower.toFixed(3)}–${noise.upper.toFixed(3)}]` : '—';
}

const percent = (fraction: number) => (Number.isNaN(fraction) ? '—' : (fraction * 100).toFixed(1));

/** The class report as text tables: accuracy and calibration by clicks per object, then the per-class table. */
export function formatClassReport(report: ClassEvaluationReport): string {
  const total = Object.values(report.objectCounts).reduce((sum, count) => sum + count, 0);
  const lines = [
    `class accuracy (${total} objects; per scene ${Object.entries(report.objectCounts).map(([scene, count]) => `${scene} ${count}`).join(', ')})`,
    `${'clicks/object'.padEnd(14)}${'top-1'.padStart(8)}${'top-3'.padStart(8)}${'top-1 ns'.padStart(10)}${'top-3 ns'.padStart(10)}${'ns objects'.padStart(12)}${'ECE'.padStart(8)}  ECE if calibrated`,
  ];
  for (const [count, figures] of Object.entries(report.figuresAt)) {
    lines.push(
      `${count.padEnd(14)}${percent(figures.all.accuracyAt[1]).padStart(8)}${percent(figures.all.accuracyAt[3]).padStart(8)}` +
        `${percent(figures.nonStructural.accuracyAt[1]).padStart(10)}${percent(figures.nonStructural.accuracyAt[3]).padStart(10)}` +
        `${String(figures.nonStructural.count).padStart(12)}${figures.calibration.expectedCalibrationError.toFixed(3).padStart(8)}  ${formatNoise(figures.calibrationNoise)}`,
    );
  }
  lines.push(
    "(ns: without wall, floor and ceiling; accuracies in %; ECE of the shown confidence, 0…1; 'ECE if calibrated': what a head right exactly as often as its",
    " confidences say would score on these objects, median [5–95 %] over 2,000 simulated outcomes — an ECE inside that range is sampling noise)",
  );
  const firstCount = Object.keys(report.figuresAt)[0];
  lines.push(`per class at ${firstCount} click(s) per object:`);
  lines.push(`${'class'.padEnd(18)}${'count'.padStart(6)}${'top-1 %'.padStart(9)}  most frequent confusion`);
  for (const row of report.perClass) {
    lines.push(`${row.className.padEnd(18)}${String(row.count).padStart(6)}${percent(row.accuracy).padStart(9)}  ${row.confusedWith ? `${row.confusedWith} (${row.confusedCount})` : '—'}`);
  }
  return lines.join('\n');
}
