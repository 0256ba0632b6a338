/**
 * Test helper: the unit normal of the best-fit plane (total least squares) through the points whose index passes
 * `include`: the eigenvector of the smallest eigenvalue of their covariance, found by power iteration on
 * trace·I − C. Independent of the adapters' own levelling (a height-field least-squares fit).
 */
export function fitPlaneNormal(positions: Float32Array, include: (point: number) => boolean): [number, number, number] {
  const pointCount = positions.length / 3;
  const mean = [0, 0, 0];
  let count = 0;
  for (let point = 0; point < pointCount; point++) {
    if (!include(point)) continue;
    count++;
    for (let axis = 0; axis < 3; axis++) mean[axis] += positions[point * 3 + axis];
  }
  for (let axis = 0; axis < 3; axis++) mean[axis] /= count;
  const covariance = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let point = 0; point < pointCount; point++) {
    if (!include(point)) continue;
    const dx = positions[point * 3] - mean[0];
    const dy = positions[point * 3 + 1] - mean[1];
    const dz = positions[point * 3 + 2] - mean[2];
    covariance[0] += dx * dx;
    covariance[1] += dx * dy;
    covariance[2] += dx * dz;
    covariance[4] += dy * dy;
    covariance[5] += dy * dz;
    covariance[8] += dz * dz;
  }
  covariance[3] = covariance[1];
  covariance[6] = covariance[2];
  covariance[7] = covariance[5];
  const trace = covariance[0] + covariance[4] + covariance[8];
  let vector = [0.3, 0.5, 0.8];
  for (let iteration = 0; iteration < 500; iteration++) {
    const next = [0, 1, 2].map((row) => trace * vector[row] - (covariance[row * 3] * vector[0] + covariance[row * 3 + 1] * vector[1] + covariance[row * 3 + 2] * vector[2]));
    const length = Math.hypot(...next);
    vector = next.map((value) => value / length);
  }
  return [vector[0], vector[1], vector[2]];
}

/** Median of the values. */
export function median(values: number[]): number {
  const sorted = [...values].sort((first, second) => first - second);
  return sorted[Math.floor(sorted.length / 2)];
}
