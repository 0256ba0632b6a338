import { createBoxFromCorners, createCylinder, type GeometryPrimitive } from './geometry-primitives.js';
import type { SyntheticPart } from './scene-ray-caster.js';
import type { GeneratorRandom } from './seeded-random.js';

/** An RGB colour, 0..255 per channel. */
export type Color = [number, number, number];

export const WOOD_COLORS: Color[] = [
  [150, 105, 65],
  [186, 140, 95],
  [110, 75, 45],
  [205, 175, 130],
  [90, 60, 40],
];
export const FABRIC_COLORS: Color[] = [
  [70, 90, 140],
  [140, 60, 55],
  [90, 110, 80],
  [150, 150, 150],
  [60, 60, 65],
  [190, 170, 140],
];
export const METAL_COLORS: Color[] = [
  [70, 70, 75],
  [160, 160, 165],
  [40, 40, 42],
];
export const PAINT_COLORS: Color[] = [
  [230, 230, 225],
  [200, 205, 210],
  [60, 65, 70],
  [215, 200, 175],
];

/** `color` with every channel moved by up to ±`amount`, clamped to 0..255. */
export function vary(random: GeneratorRandom, color: Color, amount = 14): Color {
  return color.map((channel) => Math.max(0, Math.min(255, Math.round(channel + random.uniform(-amount, amount))))) as Color;
}

/** A box part between two corners (metres). */
export function box(
  minimum: [number, number, number],
  maximum: [number, number, number],
  color: Color,
): SyntheticPart {
  return { primitive: createBoxFromCorners(minimum, maximum), color };
}

/** A part of one primitive and colour. */
export function part(primitive: GeometryPrimitive, color: Color): SyntheticPart {
  return { primitive, color };
}

/** Four legs at the corners of a rectangle, inset by `inset` metres, as boxes or round posts. */
export function legs(
  halfWidth: number,
  halfDepth: number,
  height: number,
  thickness: number,
  inset: number,
  round: boolean,
  color: Color,
): SyntheticPart[] {
  const result: SyntheticPart[] = [];
  for (const signX of [-1, 1]) {
    for (const signY of [-1, 1]) {
      const centerX = signX * (halfWidth - inset - thickness / 2);
      const centerY = signY * (halfDepth - inset - thickness / 2);
      result.push(
        round
          ? part(createCylinder([centerX, centerY, height / 2], thickness / 2, height), color)
          : box([centerX - thickness / 2, centerY - thickness / 2, 0], [centerX + thickness / 2, centerY + thickness / 2, height], color),
      );
    }
  }
  return result;
}
