import { colorOfObject, computePointColors, computePointColorsOf, type ColorMode, type ObjectAppearance, type PointColorInput } from '../viewer/point-colors.js';
import type { MarkerSpec, PointCloudViewer } from '../viewer/point-cloud-viewer.js';
import type { LoadedScan, PlaygroundClick } from '../worker/worker-protocol.js';
import type { ListedObject } from './object-list-panel.js';

/** What the last paint drew with. */
interface Painted {
  scan: LoadedScan;
  /** Mode, height range and the appearance of every object, as one string. */
  coloringKey: string;
  labels: Int32Array | undefined;
  labelsVersion: number;
  clicks: readonly PlaygroundClick[];
}

/**
 * Colours the open scan and places its click markers, doing only what changed since the last paint: nothing at all
 * when nothing did (pressing N, selecting an object: no frame is drawn for them), only the octree nodes holding
 * the points whose label changed after a region's update, markers only when the clicks changed.
 */
export class ScanPainter {
  private painted?: Painted;
  /** Bumped whenever the shown labels may have changed (the page updates its label array in place). */
  private labelsVersion = 0;
  /** The points of the latest label change, when known. */
  private changedPoints?: ArrayLike<number>;

  /**
   * The shown labels may have changed; `changedPoints`, when given, are the only points whose label changed (a
   * region's update): the next paint then recolours only the octree nodes that hold one of them.
   */
  labelsChanged(changedPoints?: ArrayLike<number>): void {
    this.labelsVersion++;
    this.changedPoints = changedPoints;
  }

  /** Forgets what was painted: the next paint colours everything (a new scan, the cloud drawn anew). */
  reset(): void {
    this.painted = undefined;
  }

  /**
   * Colours the scan's points by `mode` with the listed objects over them and places the click markers. A scan
   * drawn level of detail recolours only its drawn nodes now (hidden ones when they are drawn again); a whole scan
   * refills `scan.displayColors`.
   */
  paint(
    viewer: PointCloudViewer,
    scan: LoadedScan & { displayColors: Uint8Array },
    listed: readonly ListedObject[],
    labels: Int32Array | undefined,
    mode: ColorMode,
    clicks: readonly PlaygroundClick[],
  ): void {
    const appearances = new Map<number, ObjectAppearance>();
    for (const object of listed) {
      appearances.set(object.objectId, { color: colorOfObject(object.objectId), classIndex: Math.max(0, object.classIndex), visible: object.visible });
    }
    const heightRange = viewer.heightRange;
    // The class shows only in class mode: a prediction's class must not recolour an rgb view.
    const objectsKey = [...appearances].map(([objectId, appearance]) => `${objectId}:${appearance.color}:${appearance.visible}:${mode === 'class' ? appearance.classIndex : ''}`);
    const coloringKey = `${mode}|${heightRange}|${objectsKey.join(',')}`;
    const last = this.painted?.scan === scan ? this.painted : undefined;
    const sameColoring = last !== undefined && last.coloringKey === coloringKey && last.labels === labels;
    if (!sameColoring || last.labelsVersion !== this.labelsVersion) {
      const input: PointColorInput = {
        positions: scan.positions,
        colors: scan.colors,
        intensity: scan.intensity,
        intensityRange: scan.intensityRange,
        instance: labels,
        objects: appearances,
        mode,
        heightRange,
      };
      // Only the labels of the changed points moved since the last paint: the rest keeps its colours.
      const partial = sameColoring && this.changedPoints !== undefined && last.labelsVersion + 1 === this.labelsVersion;
      if (viewer.isLevelOfDetail) {
        viewer.setPointColoring((pointIds, output) => computePointColorsOf(input, pointIds, output), partial ? this.changedPoints : undefined);
      } else {
        computePointColors(input, scan.displayColors);
        viewer.updateColors();
      }
    }
    if (last?.clicks !== clicks) {
      const markers: MarkerSpec[] = clicks.map((click) => ({
        position: Array.from(scan.positions.subarray(click.pointIndex * 3, click.pointIndex * 3 + 3)) as [number, number, number],
        color: colorOfObject(click.objectId),
        kind: click.kind,
      }));
      viewer.setMarkers(markers);
    }
    this.painted = { scan, coloringKey, labels, labelsVersion: this.labelsVersion, clicks };
  }
}
