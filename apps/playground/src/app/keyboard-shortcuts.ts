import type { PointCloudViewer, ViewName } from '../viewer/point-cloud-viewer.js';
import type { ColorMode } from '../viewer/point-colors.js';
import { removeClick, selectObject, startNewObject, type SessionHistory } from '../state/session-history.js';
import type { PageActions } from './page-controls.js';

/** The colour modes in the order the C key cycles through them. */
const COLOR_MODES: ColorMode[] = ['rgb', 'height', 'intensity', 'instance', 'class'];

/** The view each of the R, T, F and S keys shows. */
const VIEW_KEYS: Record<'r' | 't' | 'f' | 's', ViewName> = { r: 'reset', t: 'top', f: 'front', s: 'side' };

/**
 * Keyboard shortcuts: Ctrl/⌘+Z undo (with Shift redo), Ctrl/⌘+Y redo, 1–9 select an object, N new object,
 * R/T/F/S views, C next colour mode, [ and ] point size, Backspace/Delete remove the last click. Ignored while
 * typing in a text field or a select.
 * @param changePointSize Adds a step (in pixels) to the point size.
 */
export function bindKeyboardShortcuts(viewer: PointCloudViewer, history: SessionHistory, actions: PageActions, changePointSize: (step: number) => void): void {
  window.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    if (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'checkbox' && (target as HTMLInputElement).type !== 'range') return;
    if (target.tagName === 'SELECT') return;
    const key = event.key.toLowerCase();
    if ((event.ctrlKey || event.metaKey) && key === 'z') {
      event.preventDefault();
      if (event.shiftKey) history.redo();
      else history.undo();
      return;
    }
    if ((event.ctrlKey || event.metaKey) && key === 'y') {
      event.preventDefault();
      history.redo();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[1-9]$/.test(event.key)) {
      const objectId = Number(event.key);
      history.apply((current) => selectObject(current, objectId));
      return;
    }
    switch (key) {
      case 'n':
        history.apply(startNewObject);
        return;
      case 'r':
      case 't':
      case 'f':
      case 's':
        viewer.setView(VIEW_KEYS[key]);
        return;
      case 'c':
        actions.setColorMode(COLOR_MODES[(COLOR_MODES.indexOf(actions.colorMode()) + 1) % COLOR_MODES.length]);
        return;
      case '[':
      case ']':
        changePointSize(key === ']' ? 0.5 : -0.5);
        return;
      case 'backspace':
      case 'delete': {
        const count = history.state.clicks.length;
        if (count > 0) history.apply((current) => removeClick(current, count - 1));
        return;
      }
    }
  });
}
