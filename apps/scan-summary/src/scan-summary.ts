import type { PointCloud } from '@pointclick/io';

/** What `pointclick-summary` prints about a scan. */
export interface ScanSummary {
  /** Number of points. */
  pointCount: number;
  /** Axis-aligned bounds in metres. */
  bounds: { minimum: [number, number, number]; maximum: [number, number, number]; extent: [number, number, number] };
  /** Names of the per-point attributes present (colors, normals, intensity, instance, semantic and extras). */
  attributes: string[];
  /** Distinct non-zero instance ids and the number of points without an instance; absent without instance labels. */
  instances?: { count: number; unlabeledPointCount: number };
  /** Points per semantic class id, largest first, with class names where known; absent without semantic labels. */
  semanticClasses?: Array<{ id: number; name?: string; pointCount: number }>;
  /** Points present in the file but dropped while reading (for example NaN points). */
  droppedPointCount: number;
}

/** Computes the summary of a cloud in one pass per attribute. */
export function summarizeScan(cloud: PointCloud): ScanSummary {
  const minimum: [number, number, number] = [Infinity, Infinity, Infinity];
  const maximum: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  const { positions } = cloud;
  for (let index = 0; index < cloud.pointCount * 3; index += 3) {
    for (let axis = 0; axis < 3; axis++) {
      const value = positions[index + axis];
      if (value < minimum[axis]) minimum[axis] = value;
      if (value > maximum[axis]) maximum[axis] = value;
    }
  }
  if (cloud.pointCount === 0) {
    minimum.fill(0);
    maximum.fill(0);
  }
  const attributes: string[] = ['positions'];
  if (cloud.colors) attributes.push('colors');
  if (cloud.normals) attributes.push('normals');
  if (cloud.intensity) attributes.push('intensity');
  if (cloud.instance) attributes.push('instance');
  if (cloud.semantic) attributes.push('semantic');
  attributes.push(...Object.keys(cloud.attributes ?? {}));

  const summary: ScanSummary = {
    pointCount: cloud.pointCount,
    bounds: { minimum, maximum, extent: [maximum[0] - minimum[0], maximum[1] - minimum[1], maximum[2] - minimum[2]] },
    attributes,
    droppedPointCount: cloud.metadata?.droppedPointCount ?? 0,
  };
  if (cloud.instance) {
    const ids = new Set<number>();
    let unlabeledPointCount = 0;
    for (const id of cloud.instance) {
      if (id === 0) unlabeledPointCount++;
      else ids.add(id);
    }
    summary.instances = { count: ids.size, unlabeledPointCount };
  }
  if (cloud.semantic) {
    const counts = new Map<number, number>();
    for (const id of cloud.semantic) counts.set(id, (counts.get(id) ?? 0) + 1);
    const names = cloud.metadata?.classNames ?? {};
    summary.semanticClasses = [...counts]
      .map(([id, pointCount]) => ({ id, name: names[id], pointCount }))
      .sort((left, right) => right.pointCount - left.pointCount || left.id - right.id);
  }
  return summary;
}

/** Formats a summary for a terminal. */
export function formatScanSummary(summary: ScanSummary, source: string): string {
  const metres = (values: number[]) => values.map((value) => value.toFixed(3)).join(', ');
  const lines = [
    `scan        ${source}`,
    `points      ${summary.pointCount.toLocaleString('en-US')}` +
      (summary.droppedPointCount ? ` (${summary.droppedPointCount.toLocaleString('en-US')} invalid points dropped)` : ''),
    `bounds min  [${metres(summary.bounds.minimum)}] m`,
    `bounds max  [${metres(summary.bounds.maximum)}] m`,
    `extent      [${metres(summary.bounds.extent)}] m`,
    `attributes  ${summary.attributes.join(', ')}`,
  ];
  if (summary.instances) {
    lines.push(`instances   ${summary.instances.count} (${summary.instances.unlabeledPointCount.toLocaleString('en-US')} points unlabeled)`);
  }
  if (summary.semanticClasses) {
    lines.push('classes');
    for (const entry of summary.semanticClasses) {
      lines.push(`  ${String(entry.id).padStart(4)}  ${(entry.name ?? '').padEnd(16)} ${entry.pointCount.toLocaleString('en-US').padStart(10)} points`);
    }
  }
  return lines.join('\n');
}
