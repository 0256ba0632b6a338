import type { SeededRandom } from '@pointclick/sampling';
import type { PreprocessedScene } from './scene-preprocessing.js';

/** Options of {@link augmentScene}; every field is optional, with the defaults noted. */
export interface AugmentationOptions {
  /** Largest rotation about z in radians, drawn uniformly in ±this. Default π (any heading). */
  maximumRotation?: number;
  /** Uniform scale range [minimum, maximum]. Default [0.9, 1.1]. */
  scaleRange?: [number, number];
  /** Probability of mirroring x, and independently y. Default 0.5. */
  flipProbability?: number;
  /** Positional jitter standard deviation in metres, clamped to 3 σ. Default 0.005. */
  jitterDeviation?: number;
  /** Colour jitter: brightness shift range ± (0..255 units) and per-point noise σ. Default 20 and 3. */
  colorBrightnessRange?: number;
  /** Per-point colour noise standard deviation, 0..255 units. Default 3. */
  colorNoiseDeviation?: number;
  /** Crop scenes with more points than this to this many (the nearest to a random centre in x/y). Default: no crop. */
  pointBudget?: number;
  /**
   * Largest tilt in radians about the x axis and, independently, about the y axis (through the centroid), each
   * drawn uniformly in ±this: a scanner that was not quite level. Default 0 (none; nothing is drawn).
   */
  tiltRange?: number;
  /**
   * Elastic distortion: for each [granularity, magnitude] pair in metres, every point moves by `magnitude` times a
   * smooth random field (Gaussian noise on a grid of `granularity` cells, blurred twice along each axis by a 3-cell
   * box, interpolated trilinearly), so shapes bend a little while neighbourhoods hold together. Applied after the
   * rigid transforms and jitter, pairs in order. Default none (nothing is drawn).
   */
  elasticDistortion?: readonly (readonly [granularity: number, magnitude: number])[];
  /** Colour shift per channel, drawn independently in ± this (0..255 units), on top of the brightness shift. Default 0 (none drawn). */
  colorChannelShiftRange?: number;
  /**
   * Probability of chromatic auto-contrast: each channel stretched to span 0..255 over the scene, blended with the
   * colour as it was by a factor drawn uniformly in [0, 1). Default 0 (nothing is drawn).
   */
  autoContrastProbability?: number;
}

/** An augmented copy of a scene, with the index of each kept point in the source scene. */
export interface AugmentedScene extends PreprocessedScene {
  /** Source point index of every point. [pointCount] */
  sourceIndices: Int32Array;
}

function gaussian(random: SeededRandom): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/**
 * Seeded augmentation of a preprocessed scene: optional crop to a point budget (the `pointBudget` points
 * nearest in x/y to a random point, so crops are compact regions), then rotation about z, uniform scaling,
 * x/y flips and positional jitter (about the scene centre), and colour jitter; optionally (off by default) a small
 * tilt, elastic distortion, a colour shift per channel and chromatic auto-contrast, the augmentations of
 * Pointcept's ScanNet recipe for Point Transformer V3. The optional ones draw from `random` only when on, so a call
 * without them draws exactly what it always did. Click candidates are carried over to the kept points; instances
 * whose candidates were all cropped away lose their entry.
 * @throws RangeError on a negative range or probability outside [0, 1], or a distortion pair that is not two
 *   positive finite numbers of metres.
 */
export function augmentScene(scene: PreprocessedScene, random: SeededRandom, options: AugmentationOptions = {}): AugmentedScene {
  let sourceIndices: Int32Array;
  const budget = options.pointBudget;
  if (budget !== undefined && scene.pointCount > budget) {
    const center = random.nextInt(scene.pointCount);
    const centerX = scene.positions[center * 3];
    const centerY = scene.positions[center * 3 + 1];
    const distances = new Float64Array(scene.pointCount);
    for (let point = 0; point < scene.pointCount; point++) {
      distances[point] = (scene.positions[point * 3] - centerX) ** 2 + (scene.positions[point * 3 + 1] - centerY) ** 2;
    }
    const order = Int32Array.from({ length: scene.pointCount }, (_, index) => index);
    order.sort((first, second) => distances[first] - distances[second]);
    sourceIndices = order.subarray(0, budget).sort();
  } else {
    sourceIndices = Int32Array.from({ length: scene.pointCount }, (_, index) => index);
  }
  const pointCount = sourceIndices.length;
  const maximumRotation = options.maximumRotation ?? Math.PI;
  const angle = (random.next() * 2 - 1) * maximumRotation;
  const [minimumScale, maximumScale] = options.scaleRange ?? [0.9, 1.1];
  const scale = minimumScale + random.next() * (maximumScale - minimumScale);
  const flipProbability = options.flipProbability ?? 0.5;
  const flipX = random.next() < flipProbability ? -1 : 1;
  const flipY = random.next() < flipProbability ? -1 : 1;
  const jitter = options.jitterDeviation ?? 0.005;
  const brightness = (random.next() * 2 - 1) * (options.colorBrightnessRange ?? 20);
  const colorNoise = options.colorNoiseDeviation ?? 3;
  const tiltRange = options.tiltRange ?? 0;
  const shiftRange = options.colorChannelShiftRange ?? 0;
  const autoContrastProbability = options.autoContrastProbability ?? 0;
  const distortions = options.elasticDistortion ?? [];
  if (!(tiltRange >= 0 && tiltRange <= Math.PI)) throw new RangeError(`augmentScene: tiltRange must be in [0, π] radians, got ${tiltRange}`);
  if (!(shiftRange >= 0 && shiftRange <= 255)) throw new RangeError(`augmentScene: colorChannelShiftRange must be in [0, 255], got ${shiftRange}`);
  if (!(autoContrastProbability >= 0 && autoContrastProbability <= 1)) {
    throw new RangeError(`augmentScene: autoContrastProbability must be in [0, 1], got ${autoContrastProbability}`);
  }
  for (const [index, pair] of distortions.entries()) {
    if (pair.length !== 2 || !pair.every((value) => value > 0 && Number.isFinite(value))) {
      throw new RangeError(`augmentScene: elasticDistortion[${index}] must be [granularity, magnitude], two positive numbers of metres, got ${JSON.stringify(pair)}`);
    }
  }
  const tilt = tiltRange > 0 ? [(random.next() * 2 - 1) * tiltRange, (random.next() * 2 - 1) * tiltRange] : undefined;
  const channelShift = shiftRange > 0 ? [0, 1, 2].map(() => (random.next() * 2 - 1) * shiftRange) : [0, 0, 0];
  const cosine = Math.cos(angle) * scale;
  const sine = Math.sin(angle) * scale;
  const positions = new Float32Array(pointCount * 3);
  const colors = new Uint8Array(pointCount * 3);
  const instance = new Int32Array(pointCount);
  const semantic = new Int32Array(pointCount);
  for (let point = 0; point < pointCount; point++) {
    const source = sourceIndices[point];
    const x = scene.positions[source * 3] * flipX;
    const y = scene.positions[source * 3 + 1] * flipY;
    const z = scene.positions[source * 3 + 2];
    const clamp = 3 * jitter;
    const noise = () => Math.max(-clamp, Math.min(clamp, gaussian(random) * jitter));
    positions[point * 3] = cosine * x - sine * y + noise();
    positions[point * 3 + 1] = sine * x + cosine * y + noise();
    positions[point * 3 + 2] = z * scale + noise();
    for (let channel = 0; channel < 3; channel++) {
      const value = scene.colors[source * 3 + channel] + brightness + channelShift[channel] + gaussian(random) * colorNoise;
      colors[point * 3 + channel] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
    }
    instance[point] = scene.instance[source];
    semantic[point] = scene.semantic[source];
  }
  if (tilt) tiltAboutCentroid(positions, tilt[0], tilt[1]);
  for (const [granularity, magnitude] of distortions) distortElastically(positions, granularity, magnitude, random);
  if (autoContrastProbability > 0 && random.next() < autoContrastProbability) autoContrast(colors, random.next());
  const newIndex = new Int32Array(scene.pointCount).fill(-1);
  sourceIndices.forEach((source, point) => {
    newIndex[source] = point;
  });
  const clickCandidates = new Map<number, Int32Array>();
  for (const [id, candidates] of scene.clickCandidates) {
    const kept = Int32Array.from(Array.from(candidates, (candidate) => newIndex[candidate]).filter((index) => index >= 0));
    if (kept.length > 0) clickCandidates.set(id, kept);
  }
  return { ...scene, pointCount, positions, colors, instance, semantic, clickCandidates, sourceIndices };
}

/**
 * Mix3D (Nekrasov et al., 3DV 2021, "Mix3D: Out-of-Context Data Augmentation for 3D Scenes"): two augmented
 * scenes overlaid in one, each moved so that the centre of its x/y bounding box is at the origin (heights kept: both
 * floors stay at z ≈ 0). The network then meets objects out of their usual context and has to separate them by
 * their own geometry. Points of `first` come first; the instance ids of `second` are shifted past the largest of
 * `first` (0, no object, stays 0), and so are the keys of its click candidates, whose point indices are shifted by
 * `first.pointCount`. `sourceIndices` keeps each point's index in its own source scene; `offset` is zero (the
 * points come from two sources) and the id is `<first>+<second>`.
 *
 * @throws RangeError when the scenes' class lists or voxel sizes differ (their labels would not mean the same).
 */
export function mixScenes(first: AugmentedScene, second: AugmentedScene): AugmentedScene {
  if (first.classNames.length !== second.classNames.length || first.classNames.some((name, index) => name !== second.classNames[index])) {
    throw new RangeError(`mixScenes: scenes ${first.id} and ${second.id} have different class lists; only scenes labelled alike can be mixed`);
  }
  if (first.voxelSize !== second.voxelSize) {
    throw new RangeError(`mixScenes: scenes ${first.id} (${first.voxelSize} m voxels) and ${second.id} (${second.voxelSize} m) were preprocessed at different voxel sizes`);
  }
  const pointCount = first.pointCount + second.pointCount;
  const positions = new Float32Array(pointCount * 3);
  const place = (scene: AugmentedScene, start: number) => {
    let minimumX = Infinity, maximumX = -Infinity, minimumY = Infinity, maximumY = -Infinity;
    for (let point = 0; point < scene.pointCount; point++) {
      const x = scene.positions[point * 3], y = scene.positions[point * 3 + 1];
      if (x < minimumX) minimumX = x;
      if (x > maximumX) maximumX = x;
      if (y < minimumY) minimumY = y;
      if (y > maximumY) maximumY = y;
    }
    const centreX = scene.pointCount > 0 ? (minimumX + maximumX) / 2 : 0;
    const centreY = scene.pointCount > 0 ? (minimumY + maximumY) / 2 : 0;
    for (let point = 0; point < scene.pointCount; point++) {
      const target = (start + point) * 3;
      positions[target] = scene.positions[point * 3] - centreX;
      positions[target + 1] = scene.positions[point * 3 + 1] - centreY;
      positions[target + 2] = scene.positions[point * 3 + 2];
    }
  };
  place(first, 0);
  place(second, first.pointCount);
  const idShift = first.instance.reduce((largest, id) => Math.max(largest, id), 0);
  const instance = new Int32Array(pointCount);
  instance.set(first.instance);
  for (let point = 0; point < second.pointCount; point++) instance[first.pointCount + point] = second.instance[point] > 0 ? second.instance[point] + idShift : 0;
  const semantic = new Int32Array(pointCount);
  semantic.set(first.semantic);
  semantic.set(second.semantic, first.pointCount);
  const colors = new Uint8Array(pointCount * 3);
  colors.set(first.colors);
  colors.set(second.colors, first.pointCount * 3);
  const sourceIndices = new Int32Array(pointCount);
  sourceIndices.set(first.sourceIndices);
  sourceIndices.set(second.sourceIndices, first.pointCount);
  const clickCandidates = new Map(first.clickCandidates);
  for (const [id, candidates] of second.clickCandidates) clickCandidates.set(id + idShift, candidates.map((index) => index + first.pointCount));
  return { ...first, id: `${first.id}+${second.id}`, pointCount, positions, colors, instance, semantic, clickCandidates, sourceIndices, offset: [0, 0, 0] };
}

/** Rotates the points about the x axis by `aboutX` and then about the y axis by `aboutY` radians, through their centroid. */
function tiltAboutCentroid(positions: Float32Array, aboutX: number, aboutY: number): void {
  const pointCount = positions.length / 3;
  if (pointCount === 0) return;
  const centroid = [0, 0, 0];
  for (let point = 0; point < pointCount; point++) for (let axis = 0; axis < 3; axis++) centroid[axis] += positions[point * 3 + axis];
  for (let axis = 0; axis < 3; axis++) centroid[axis] /= pointCount;
  const [cosineX, sineX, cosineY, sineY] = [Math.cos(aboutX), Math.sin(aboutX), Math.cos(aboutY), Math.sin(aboutY)];
  for (let point = 0; point < pointCount; point++) {
    const x = positions[point * 3] - centroid[0];
    const y = positions[point * 3 + 1] - centroid[1];
    const z = positions[point * 3 + 2] - centroid[2];
    // About x: y, z turn; then about y: z, x turn.
    const y1 = cosineX * y - sineX * z;
    const z1 = sineX * y + cosineX * z;
    positions[point * 3] = cosineY * x + sineY * z1 + centroid[0];
    positions[point * 3 + 1] = y1 + centroid[1];
    positions[point * 3 + 2] = -sineY * x + cosineY * z1 + centroid[2];
  }
}

/**
 * Elastic distortion in place: a grid of cells `granularity` metres wide covering the points with one cell to spare
 * on every side, a Gaussian 3-vector per grid node, blurred twice along x, y and z by a 3-node box (zero outside),
 * and every point moved by `magnitude` times the field interpolated trilinearly at it. The facts follow Pointcept's
 * `ElasticDistortion` (nodes at min − g + i·g, i < ⌊extent / g⌋ + 3).
 */
function distortElastically(positions: Float32Array, granularity: number, magnitude: number, random: SeededRandom): void {
  const pointCount = positions.length / 3;
  if (pointCount === 0) return;
  const minimum = [Infinity, Infinity, Infinity];
  const maximum = [-Infinity, -Infinity, -Infinity];
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) {
      minimum[axis] = Math.min(minimum[axis], positions[point * 3 + axis]);
      maximum[axis] = Math.max(maximum[axis], positions[point * 3 + axis]);
    }
  }
  const size = [0, 1, 2].map((axis) => Math.floor((maximum[axis] - minimum[axis]) / granularity) + 3);
  const nodeCount = size[0] * size[1] * size[2];
  // Node (i, j, k) at index (i·size[1] + j)·size[2] + k, three channels each.
  let field = new Float64Array(nodeCount * 3);
  for (let index = 0; index < field.length; index++) field[index] = gaussian(random);
  const strides = [size[1] * size[2], size[2], 1];
  let blurred = new Float64Array(field.length);
  for (let round = 0; round < 2; round++) {
    for (let axis = 0; axis < 3; axis++) {
      const stride = strides[axis];
      for (let node = 0; node < nodeCount; node++) {
        const position = Math.floor(node / stride) % size[axis];
        for (let channel = 0; channel < 3; channel++) {
          let sum = field[node * 3 + channel];
          if (position > 0) sum += field[(node - stride) * 3 + channel];
          if (position < size[axis] - 1) sum += field[(node + stride) * 3 + channel];
          blurred[node * 3 + channel] = sum / 3;
        }
      }
      [field, blurred] = [blurred, field];
    }
  }
  // A point's eight surrounding nodes and their trilinear weights, shared by its three channels.
  const lower = [0, 0, 0];
  const fraction = [0, 0, 0];
  const cornerNodes = new Int32Array(8);
  const cornerWeights = new Float64Array(8);
  for (let point = 0; point < pointCount; point++) {
    for (let axis = 0; axis < 3; axis++) {
      const coordinate = (positions[point * 3 + axis] - minimum[axis] + granularity) / granularity; // in [1, size − 2)
      lower[axis] = Math.min(size[axis] - 2, Math.floor(coordinate));
      fraction[axis] = coordinate - lower[axis];
    }
    for (let corner = 0; corner < 8; corner++) {
      let weight = 1;
      let node = 0;
      for (let axis = 0; axis < 3; axis++) {
        const upper = (corner >> (2 - axis)) & 1;
        weight *= upper === 1 ? fraction[axis] : 1 - fraction[axis];
        node += (lower[axis] + upper) * strides[axis];
      }
      cornerWeights[corner] = weight;
      cornerNodes[corner] = node;
    }
    for (let channel = 0; channel < 3; channel++) {
      let value = 0;
      for (let corner = 0; corner < 8; corner++) value += cornerWeights[corner] * field[cornerNodes[corner] * 3 + channel];
      positions[point * 3 + channel] += magnitude * value;
    }
  }
}

/** Chromatic auto-contrast in place: each channel stretched to 0..255 over the points, blended with the colour by `blend`. */
function autoContrast(colors: Uint8Array, blend: number): void {
  const pointCount = colors.length / 3;
  for (let channel = 0; channel < 3; channel++) {
    let low = 255, high = 0;
    for (let point = 0; point < pointCount; point++) {
      low = Math.min(low, colors[point * 3 + channel]);
      high = Math.max(high, colors[point * 3 + channel]);
    }
    if (high <= low) continue;
    const scale = 255 / (high - low);
    for (let point = 0; point < pointCount; point++) {
      const value = colors[point * 3 + channel];
      const stretched = (value - low) * scale;
      colors[point * 3 + channel] = Math.round((1 - blend) * value + blend * stretched);
    }
  }
}
