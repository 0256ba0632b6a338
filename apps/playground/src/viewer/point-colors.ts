/**
 * How points are coloured: the scan's colours (height where it has none), height, the sensor's return intensity
 * (grey; height where the scan has none), or the objects' own colours by instance or class.
 */
export type ColorMode = 'rgb' | 'height' | 'intensity' | 'instance' | 'class';

/** Colour of each segmented object and how it is drawn. */
export interface ObjectAppearance {
  /** Object colour, r g b 0…255. */
  color: [number, number, number];
  /** Semantic class index (for class colouring). */
  classIndex: number;
  /** Whether the object's mask is drawn. */
  visible: boolean;
}

/** Distinct, saturated object colours; object id `n` uses entry `(n - 1) % length`. */
export const OBJECT_PALETTE: [number, number, number][] = [
  [230, 25, 75], [60, 180, 75], [0, 130, 200], [245, 130, 48], [145, 30, 180], [70, 240, 240], [240, 50, 230],
  [210, 245, 60], [250, 190, 212], [0, 128, 128], [220, 190, 255], [170, 110, 40], [255, 225, 25], [128, 0, 0],
  [170, 255, 195], [128, 128, 0], [0, 0, 128],
];

/** Colour of object `objectId` (1…). */
export function colorOfObject(objectId: number): [number, number, number] {
  return OBJECT_PALETTE[(objectId - 1) % OBJECT_PALETTE.length];
}

/** Colour of semantic class `classIndex` (0…), distinct from neighbouring indices. */
export function colorOfClass(classIndex: number): [number, number, number] {
  // Golden-angle hues keep neighbouring classes apart.
  const hue = (classIndex * 137.508) % 360;
  return hslToRgb(hue, 0.65, 0.55);
}

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const sector = hue / 60;
  const second = chroma * (1 - Math.abs((sector % 2) - 1));
  const [red, green, blue] =
    sector < 1 ? [chroma, second, 0] : sector < 2 ? [second, chroma, 0] : sector < 3 ? [0, chroma, second] : sector < 4 ? [0, second, chroma] : sector < 5 ? [second, 0, chroma] : [chroma, 0, second];
  const offset = lightness - chroma / 2;
  return [Math.round((red + offset) * 255), Math.round((green + offset) * 255), Math.round((blue + offset) * 255)];
}

/** Inputs of {@link computePointColors}. */
export interface PointColorInput {
  /** Interleaved x y z in metres. */
  positions: Float32Array;
  /** Interleaved r g b 0…255, when the scan has colours. */
  colors?: Uint8Array;
  /** Per point: the segmented object id, 0 for none. */
  instance?: Int32Array;
  /** Appearance of each object id. */
  objects: Map<number, ObjectAppearance>;
  /** Colour mode. */
  mode: ColorMode;
  /** Lowest and highest z in metres, for height colouring. */
  heightRange: [number, number];
  /** Per point: the sensor's return intensity (format-specific scale), when the scan has it. */
  intensity?: Float32Array;
  /** Intensities drawn black and white (from {@link robustIntensityRange}); required with `intensity`. */
  intensityRange?: [number, number];
}

/** Share of the intensities below black and above white in {@link robustIntensityRange}. */
const INTENSITY_CLIP_SHARE = 0.01;
/** Intensities sampled (evenly spaced) for {@link robustIntensityRange}. */
const INTENSITY_SAMPLE_COUNT = 65_536;

/**
 * The intensities drawn black and white: the 1st and 99th percentiles of an evenly spaced sample of at most
 * 65,536 values (lidar intensities have long tails: a few retro-reflectors would otherwise turn every other point
 * black). Non-finite values are ignored; `[0, 0]` when none is finite.
 */
export function robustIntensityRange(intensity: Float32Array): [number, number] {
  const stride = Math.max(1, Math.floor(intensity.length / INTENSITY_SAMPLE_COUNT));
  const sample: number[] = [];
  for (let index = 0; index < intensity.length; index += stride) if (Number.isFinite(intensity[index])) sample.push(intensity[index]);
  if (sample.length === 0) return [0, 0];
  const sorted = Float32Array.from(sample).sort();
  const last = sorted.length - 1;
  return [sorted[Math.floor(last * INTENSITY_CLIP_SHARE)], sorted[Math.ceil(last * (1 - INTENSITY_CLIP_SHARE))]];
}

const UNLABELED_GREY = 150;
/** Weight of the mask colour over the base colour in the rgb and height modes. */
const MASK_WEIGHT = 0.7;

/**
 * Fills `output` (interleaved r g b 0…255) with every point's colour: the base colour of `mode`, with the masks of
 * visible objects blended over it (rgb, height) or as the colour itself (instance, class).
 */
export function computePointColors(input: PointColorInput, output: Uint8Array): void {
  const writeColor = preparePointColoring(input);
  const pointCount = input.positions.length / 3;
  for (let point = 0; point < pointCount; point++) writeColor(point, output, point * 3);
}

/**
 * Like {@link computePointColors} for the points `pointIds` only (an octree node's points): the colour of point
 * `pointIds[i]` goes to `output[3i…3i+2]`.
 */
export function computePointColorsOf(input: PointColorInput, pointIds: ArrayLike<number>, output: Uint8Array): void {
  const writeColor = preparePointColoring(input);
  for (let slot = 0; slot < pointIds.length; slot++) writeColor(pointIds[slot], output, slot * 3);
}

/** The colour of one point under `input`, written at `output[offset…offset+2]`. */
function preparePointColoring(input: PointColorInput): (point: number, output: Uint8Array, offset: number) => void {
  const { positions, colors, instance, objects, mode, intensity } = input;
  const [lowest, highest] = input.heightRange;
  const heightScale = highest > lowest ? 1 / (highest - lowest) : 0;
  const [black, white] = input.intensityRange ?? [0, 0];
  const intensityScale = white > black ? 255 / (white - black) : 0;
  // Per object id: mask colour, or undefined when hidden (dense lookup: object ids are small integers).
  let largestId = 0;
  for (const objectId of objects.keys()) largestId = Math.max(largestId, objectId);
  const maskColors: ([number, number, number] | undefined)[] = new Array<[number, number, number] | undefined>(largestId + 1);
  for (const [objectId, appearance] of objects) {
    if (!appearance.visible) continue;
    maskColors[objectId] = mode === 'class' ? colorOfClass(appearance.classIndex) : appearance.color;
  }
  return (point, output, outputOffset) => {
    const offset = point * 3;
    let red: number;
    let green: number;
    let blue: number;
    if (mode === 'rgb' && colors) {
      red = colors[offset];
      green = colors[offset + 1];
      blue = colors[offset + 2];
    } else if (mode === 'intensity' && intensity) {
      red = green = blue = Math.min(255, Math.max(0, (intensity[point] - black) * intensityScale));
    } else if (mode === 'rgb' || mode === 'height' || mode === 'intensity') {
      const height = (positions[offset + 2] - lowest) * heightScale;
      [red, green, blue] = rampHeight(height);
    } else {
      red = green = blue = UNLABELED_GREY;
    }
    const objectId = instance ? instance[point] : 0;
    const mask = objectId > 0 ? maskColors[objectId] : undefined;
    if (mask) {
      if (mode === 'instance' || mode === 'class') {
        [red, green, blue] = mask;
      } else {
        red = red * (1 - MASK_WEIGHT) + mask[0] * MASK_WEIGHT;
        green = green * (1 - MASK_WEIGHT) + mask[1] * MASK_WEIGHT;
        blue = blue * (1 - MASK_WEIGHT) + mask[2] * MASK_WEIGHT;
      }
    }
    output[outputOffset] = red;
    output[outputOffset + 1] = green;
    output[outputOffset + 2] = blue;
  };
}

/** Blue → cyan → yellow → red ramp for a height in 0…1. */
function rampHeight(value: number): [number, number, number] {
  const clamped = Math.min(1, Math.max(0, value));
  const red = Math.min(255, Math.max(0, 255 * (1.5 - Math.abs(4 * clamped - 3))));
  const green = Math.min(255, Math.max(0, 255 * (1.5 - Math.abs(4 * clamped - 2))));
  const blue = Math.min(255, Math.max(0, 255 * (1.5 - Math.abs(4 * clamped - 1))));
  return [red, green, blue];
}
