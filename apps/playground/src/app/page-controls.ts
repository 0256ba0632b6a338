import type { PointCloudViewer, ViewName } from '../viewer/point-cloud-viewer.js';
import type { ColorMode } from '../viewer/point-colors.js';
import { startNewObject, type SessionHistory } from '../state/session-history.js';
import { bindKeyboardShortcuts } from './keyboard-shortcuts.js';
import { element } from './page-elements.js';
import { bindViewClicks } from './view-clicks.js';

/** What the page's controls ask of the app. */
export interface PageActions {
  /** Whether a scan is open (clicks on an empty view are ignored). */
  hasScan(): boolean;
  /** Records a click on scan point `pointIndex` (shift: a background click). */
  clickPoint(pointIndex: number, background: boolean): void;
  /** Opens a dropped or picked file (scan or session). */
  openFile(file: File): Promise<void>;
  /** Opens a session file. */
  openSession(file: File): Promise<void>;
  /** Loads the generated default scene. */
  loadDefaultScene(): void;
  /** Downloads the session (clicks and object settings) as JSON. */
  saveSession(): void;
  /** Downloads the labelled PLY or the labels JSON. */
  exportFiles(kind: 'ply' | 'labels'): void;
  /** The current colour mode. */
  colorMode(): ColorMode;
  /** Switches the colour mode. */
  setColorMode(mode: ColorMode): void;
}

/** Binds the canvas (click to pick: `bindViewClicks`), the panel's buttons and inputs, drag and drop, and the keyboard. */
export function bindPageControls(viewer: PointCloudViewer, history: SessionHistory, actions: PageActions): void {
  bindViewClicks(viewer, actions);

  element<HTMLInputElement>('file-input').addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) void actions.openFile(file);
    input.value = '';
  });
  element<HTMLInputElement>('session-input').addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) void actions.openSession(file);
    input.value = '';
  });
  element('default-scene').onclick = () => actions.loadDefaultScene();
  element('undo').onclick = () => history.undo();
  element('redo').onclick = () => history.redo();
  element('new-object').onclick = () => history.apply(startNewObject);
  element('save-session').onclick = () => actions.saveSession();
  element('export-ply').onclick = () => actions.exportFiles('ply');
  element('export-labels').onclick = () => actions.exportFiles('labels');
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-view]')) {
    button.onclick = () => viewer.setView(button.dataset.view as ViewName);
  }
  element<HTMLSelectElement>('color-mode').onchange = (event) => actions.setColorMode((event.target as HTMLSelectElement).value as ColorMode);
  const size = element<HTMLInputElement>('point-size');
  const attenuate = element<HTMLInputElement>('attenuate');
  const applySize = () => viewer.setPointSize(Number(size.value), attenuate.checked);
  size.oninput = applySize;
  attenuate.onchange = applySize;
  applySize();

  const viewport = element('viewport');
  const dropHint = element('drop-hint');
  viewport.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropHint.hidden = false;
  });
  viewport.addEventListener('dragleave', () => (dropHint.hidden = true));
  viewport.addEventListener('drop', (event) => {
    event.preventDefault();
    dropHint.hidden = true;
    const file = event.dataTransfer?.files?.[0];
    if (file) void actions.openFile(file);
  });
  // Dropping outside the view must not navigate away from the page.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());

  const changePointSize = (step: number) => {
    size.value = String(Math.min(10, Math.max(1, Number(size.value) + step)));
    applySize();
  };
  bindKeyboardShortcuts(viewer, history, actions, changePointSize);
}
