import { SegmenterInputError } from './segmenter-errors.js';

/** Where a click is: a position in metres (snapped to the nearest point) or a point of the current scene. */
export type ClickLocation = { position: [number, number, number] } | { pointIndex: number };

/** One user click. Several clicks may share an `objectId`; background clicks form their own group. */
export type Click = ClickLocation & {
  /** Object the click belongs to: a positive integer. Ignored for grouping when `kind` is `'background'`. */
  objectId: number;
  /** `'object'` marks the object, `'background'` marks something that belongs to no object. */
  kind: 'object' | 'background';
};

/** The label a click gives the points it forces: its `objectId` for an object click, 0 (none) for a background click. */
export function clickLabel(click: Pick<Click, 'objectId' | 'kind'>): number {
  return click.kind === 'background' ? 0 : click.objectId;
}

/** Checks the parts of a click that do not depend on the scene. */
export function validateClick(click: Click, index: number): void {
  if (!Number.isInteger(click.objectId) || click.objectId <= 0) {
    throw new SegmenterInputError(`click ${index}: objectId must be a positive integer, got ${String(click.objectId)}`);
  }
  if (click.kind !== 'object' && click.kind !== 'background') {
    throw new SegmenterInputError(`click ${index}: kind must be 'object' or 'background', got ${String(click.kind)}`);
  }
  if ('position' in click) {
    if (!Array.isArray(click.position) || click.position.length !== 3 || !click.position.every(Number.isFinite)) {
      throw new SegmenterInputError(`click ${index}: position must be three finite numbers in metres`);
    }
  } else if (!('pointIndex' in click) || !Number.isInteger(click.pointIndex)) {
    throw new SegmenterInputError(`click ${index}: needs a position [x, y, z] or an integer pointIndex`);
  }
}
