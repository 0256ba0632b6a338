import type { SyntheticPart } from './scene-ray-caster.js';

/** NYU40 class ids (ScanNet's `nyu40id`) used by the indoor generator. */
export const NYU40_IDS = {
  wall: 1,
  floor: 2,
  cabinet: 3,
  bed: 4,
  chair: 5,
  sofa: 6,
  table: 7,
  door: 8,
  window: 9,
  bookshelf: 10,
  picture: 11,
  desk: 14,
  pillow: 18,
  ceiling: 22,
  refrigerator: 24,
  box: 29,
  nightstand: 32,
  toilet: 33,
  lamp: 35,
  otherprop: 40,
} as const;

/** Kinds of furniture and props the indoor generator builds. */
export type FurnitureKind =
  | 'chair'
  | 'table'
  | 'desk'
  | 'sofa'
  | 'bed'
  | 'cabinet'
  | 'bookshelf'
  | 'lamp'
  | 'monitor'
  | 'box'
  | 'plant'
  | 'toilet'
  | 'nightstand'
  | 'refrigerator'
  | 'pillow'
  | 'picture';

/** NYU40 id of every furniture kind (monitor and plant are 'otherprop' in ScanNet's label table). */
export const FURNITURE_SEMANTIC_IDS: Record<FurnitureKind, number> = {
  chair: NYU40_IDS.chair,
  table: NYU40_IDS.table,
  desk: NYU40_IDS.desk,
  sofa: NYU40_IDS.sofa,
  bed: NYU40_IDS.bed,
  cabinet: NYU40_IDS.cabinet,
  bookshelf: NYU40_IDS.bookshelf,
  lamp: NYU40_IDS.lamp,
  monitor: NYU40_IDS.otherprop,
  box: NYU40_IDS.box,
  plant: NYU40_IDS.otherprop,
  toilet: NYU40_IDS.toilet,
  nightstand: NYU40_IDS.nightstand,
  refrigerator: NYU40_IDS.refrigerator,
  pillow: NYU40_IDS.pillow,
  picture: NYU40_IDS.picture,
};

/** A top surface other objects may stand on, in the template's local frame (metres). */
export interface SupportSurface {
  /** Height above the template's base. */
  height: number;
  /** Centre x. */
  centerX: number;
  /** Centre y. */
  centerY: number;
  /** Half extent along local x. */
  halfWidth: number;
  /** Half extent along local y. */
  halfDepth: number;
}

/**
 * A furniture piece in its own frame: origin at the centre of its floor footprint, x across, y depth with the
 * back at +y (the side pushed against a wall), z up from its base.
 */
export interface FurnitureTemplate {
  /** Kind of object. */
  kind: FurnitureKind;
  /** Half footprint width along x, metres. */
  halfWidth: number;
  /** Half footprint depth along y, metres. */
  halfDepth: number;
  /** Overall height, metres. */
  height: number;
  /** Parts in the local frame; every part lies within the footprint and height. */
  parts: SyntheticPart[];
  /** Surfaces on top where props may stand. */
  surfaces: SupportSurface[];
}
