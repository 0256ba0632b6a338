import type { PlaygroundClick } from '../worker/worker-protocol.js';
import type { CorrectionStroke } from './correction-strokes.js';

/** What the user decided about one object (everything but the network's output). */
export interface ObjectSettings {
  /** Class index chosen by the user, overriding the prediction; undefined keeps the prediction. */
  classOverride?: number;
  /** Whether the object's mask is drawn. */
  visible: boolean;
}

/** The undoable state of a labelling session. */
export interface SessionState {
  /** Clicks in the order they were made. */
  clicks: PlaygroundClick[];
  /** Object the next object click belongs to (1…). */
  activeObjectId: number;
  /** Per object id: the user's settings. */
  objects: Record<number, ObjectSettings>;
  /** Brush and lasso corrections in the order they were drawn (absent in sessions saved before them). */
  strokes?: CorrectionStroke[];
}

/** An empty session: no clicks, object 1 active. */
export function createEmptySession(): SessionState {
  return { clicks: [], activeObjectId: 1, objects: {} };
}

/**
 * Undo/redo over immutable {@link SessionState} snapshots: every action replaces the state with a new object and
 * pushes the old one on the undo stack.
 */
export class SessionHistory {
  private past: SessionState[] = [];
  private future: SessionState[] = [];
  /** Called with the new state after every change, undo and redo. */
  onChange?: (state: SessionState, previous: SessionState) => void;

  constructor(private current: SessionState = createEmptySession()) {}

  /** The current state. */
  get state(): SessionState {
    return this.current;
  }

  /** Whether there is something to undo. */
  get canUndo(): boolean {
    return this.past.length > 0;
  }

  /** Whether there is something to redo. */
  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** Applies an action: `update` returns the next state from the current one (without mutating it). */
  apply(update: (state: SessionState) => SessionState): void {
    const previous = this.current;
    const next = update(previous);
    if (next === previous) return;
    this.past.push(previous);
    this.future = [];
    this.current = next;
    this.onChange?.(next, previous);
  }

  /** Goes back one action; returns false when there is none. */
  undo(): boolean {
    return this.step(this.past, this.future);
  }

  /** Re-applies the last undone action; returns false when there is none. */
  redo(): boolean {
    return this.step(this.future, this.past);
  }

  /** Moves to the last state of `from`, keeping the current one on `to` (undo: past → future; redo: the reverse). */
  private step(from: SessionState[], to: SessionState[]): boolean {
    const target = from.pop();
    if (!target) return false;
    to.push(this.current);
    const replaced = this.current;
    this.current = target;
    this.onChange?.(target, replaced);
    return true;
  }

  /** Starts over with `state` and no undo history (a new scan, an opened session). */
  reset(state: SessionState = createEmptySession()): void {
    const replaced = this.current;
    this.past = [];
    this.future = [];
    this.current = state;
    this.onChange?.(state, replaced);
  }
}

/** Adds a click; an object click makes its object visible. */
export function addClick(state: SessionState, click: PlaygroundClick): SessionState {
  const objects = { ...state.objects };
  if (click.kind === 'object') objects[click.objectId] = objects[click.objectId] ?? { visible: true };
  return { ...state, clicks: [...state.clicks, click], objects };
}

/** Removes the click at `clickIndex`. */
export function removeClick(state: SessionState, clickIndex: number): SessionState {
  if (clickIndex < 0 || clickIndex >= state.clicks.length) return state;
  return { ...state, clicks: state.clicks.filter((_, index) => index !== clickIndex) };
}

/** Removes an object: its object clicks and its settings. */
export function deleteObject(state: SessionState, objectId: number): SessionState {
  const objects = { ...state.objects };
  delete objects[objectId];
  const strokes = state.strokes?.filter((stroke) => stroke.objectId !== objectId);
  return { ...state, clicks: state.clicks.filter((click) => click.kind === 'background' || click.objectId !== objectId), objects, strokes };
}

/** Adds a brush or lasso stroke; a painting stroke makes its object visible. */
export function addStroke(state: SessionState, stroke: CorrectionStroke): SessionState {
  const objects = { ...state.objects };
  if (stroke.mode === 'add') objects[stroke.objectId] = objects[stroke.objectId] ?? { visible: true };
  return { ...state, strokes: [...(state.strokes ?? []), stroke], objects };
}

/** Removes the stroke at `strokeIndex`. */
export function removeStroke(state: SessionState, strokeIndex: number): SessionState {
  const strokes = state.strokes ?? [];
  if (strokeIndex < 0 || strokeIndex >= strokes.length) return state;
  return { ...state, strokes: strokes.filter((_, index) => index !== strokeIndex) };
}

/** Makes `objectId` the object of the next clicks. */
export function selectObject(state: SessionState, objectId: number): SessionState {
  return state.activeObjectId === objectId ? state : { ...state, activeObjectId: objectId };
}

/** Makes a fresh object id (one past every id in use) the active one. */
export function startNewObject(state: SessionState): SessionState {
  return { ...state, activeObjectId: nextFreeObjectId(state) };
}

/** Smallest object id above every id used by a click or a setting. */
export function nextFreeObjectId(state: SessionState): number {
  let largest = 0;
  for (const click of state.clicks) if (click.kind === 'object') largest = Math.max(largest, click.objectId);
  for (const stroke of state.strokes ?? []) largest = Math.max(largest, stroke.objectId);
  for (const key of Object.keys(state.objects)) largest = Math.max(largest, Number(key));
  return largest + 1;
}

/** Changes an object's settings. */
export function updateObject(state: SessionState, objectId: number, change: Partial<ObjectSettings>): SessionState {
  const current = state.objects[objectId] ?? { visible: true };
  return { ...state, objects: { ...state.objects, [objectId]: { ...current, ...change } } };
}
