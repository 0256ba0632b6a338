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
 * x/y flips and positional jitter (about the scene centre), and colour jitter. Click candidates are carried
 * over to the kept points; instances whose candidates were all cropped away lose their entry.
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
      const value = scene.colors[source * 3 + channel] + brightness + gaussian(random) * colorNoise;
      colors[point * 3 + channel] = value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
    }
    instance[point] = scene.instance[source];
    semantic[point] = scene.semantic[source];
  }
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
