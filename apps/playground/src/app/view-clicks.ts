import type { PointCloudViewer } from '../viewer/point-cloud-viewer.js';
import { ClickGesture } from './click-gesture.js';
import { hideMessage, showMessage } from './page-elements.js';

/** What a click on the view needs from the page. */
export interface ViewClickActions {
  /** Whether a scan is open. */
  hasScan(): boolean;
  /** Records a click on scan point `pointIndex` (shift: a background click). */
  clickPoint(pointIndex: number, background: boolean): void;
}

/**
 * What became of the last press on the view, in `document.body.dataset.lastClickOutcome` (read by the browser
 * tests and benchmarks): `picked` (a point was clicked, `lastPick` names it), `waiting` (the click waits for the
 * frame that draws the current view), `no-point`, `no-scan`, `context-lost` (each also said in the message bar),
 * `drag` (an orbit or a pan), `cancelled` (the browser cancelled the pointer).
 */
export type ClickOutcomeName = 'picked' | 'waiting' | 'no-point' | 'no-scan' | 'context-lost' | 'drag' | 'cancelled';

function recordOutcome(outcome: ClickOutcomeName, notice?: string): void {
  document.body.dataset.lastClickOutcome = outcome;
  if (notice) showMessage(notice, 'info', 'click');
}

/**
 * Binds clicks on the view: a press of the canvas released within a few pixels (anywhere: the release is listened
 * for on the window) is a click, picked once the view can be picked (a click that comes before the frame that
 * draws the current camera's octree nodes waits for it, rather than picking what is not drawn), and either
 * recorded or answered with the reason it was not (no scan, no point under the cursor, no WebGL context).
 */
export function bindViewClicks(viewer: PointCloudViewer, actions: ViewClickActions): void {
  const canvas = viewer.canvas;
  const gesture = new ClickGesture();
  canvas.addEventListener('pointerdown', (event) => gesture.press(event.pointerId, event.button, event.clientX, event.clientY));
  window.addEventListener('pointerup', (event) => {
    const outcome = gesture.release(event.pointerId, event.button, event.clientX, event.clientY);
    if (outcome.kind === 'drag') recordOutcome('drag');
    if (outcome.kind !== 'click') return;
    // Where the click fell on the canvas, fixed now: the pick may wait for a frame.
    const rectangle = canvas.getBoundingClientRect();
    takeClick(viewer, actions, outcome.x - rectangle.left, outcome.y - rectangle.top, event.shiftKey);
  });
  window.addEventListener('pointercancel', (event) => {
    if (gesture.cancel(event.pointerId)) recordOutcome('cancelled');
  });
}

/** Picks the point under canvas position (`x`, `y`) (CSS pixels) once the view can be picked, and records the click. */
function takeClick(viewer: PointCloudViewer, actions: ViewClickActions, x: number, y: number, background: boolean): void {
  if (!actions.hasScan()) {
    recordOutcome('no-scan', 'Open a scan first: the click marked nothing.');
    return;
  }
  const ranNow = viewer.whenPickable(() => {
    if (viewer.contextLost) {
      recordOutcome('context-lost', 'The 3D view has no WebGL context (a GPU reset): the click marked nothing. Click again once the view is back.');
      return;
    }
    const started = performance.now();
    const pointIndex = viewer.pickPoint(x, y);
    const dataset = document.body.dataset;
    dataset.lastPickMilliseconds = (performance.now() - started).toFixed(1);
    dataset.lastPick = String(pointIndex);
    if (pointIndex < 0) {
      recordOutcome('no-point', `No point is drawn within a few pixels of the click (${x.toFixed(0)}, ${y.toFixed(0)}): it marked nothing. Click on the scan's points.`);
      return;
    }
    if (document.getElementById('message')?.dataset.source === 'click') hideMessage();
    recordOutcome('picked');
    actions.clickPoint(pointIndex, background);
  });
  if (!ranNow) recordOutcome('waiting');
}
