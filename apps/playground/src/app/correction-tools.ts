import type { PointCloudViewer } from '../viewer/point-cloud-viewer.js';
import { addStroke, removeStroke, type SessionHistory, type SessionState } from '../state/session-history.js';
import { colorOfObject } from '../viewer/point-colors.js';
import { appendPanelSection, rgbCss } from './page-elements.js';
import { selectBrushPoints, selectLassoPoints } from './stroke-selection.js';

/** What a press on the view does: a click, a brush stroke or a lasso. */
export type PointerTool = 'click' | 'brush' | 'lasso';

/** Default brush radius, CSS pixels. */
const DEFAULT_BRUSH_RADIUS = 16;

/**
 * Brush and lasso corrections. In brush or lasso mode a drag on the view paints the visible points under it into
 * the active object (with Shift or Alt: erases them from it); the stroke is one undoable action of `history`.
 * Orbiting needs click mode (Escape). Keys: B brush, L lasso, Escape click mode. The toolbar controls and the
 * "Corrections" list of the side panel are created here, so the page's HTML stays as it is.
 */
export class CorrectionTools {
  private tool: PointerTool = 'click';
  private brushRadius = DEFAULT_BRUSH_RADIUS;
  private readonly overlay: HTMLCanvasElement;
  private readonly buttons = new Map<PointerTool, HTMLButtonElement>();
  private readonly strokeList: HTMLElement;
  private stroke?: { path: [number, number][]; erase: boolean; pointerId: number };

  constructor(
    private readonly viewer: PointCloudViewer,
    private readonly history: SessionHistory,
    private readonly hasScan: () => boolean,
  ) {
    this.overlay = this.createOverlay();
    this.createToolbar();
    this.strokeList = this.createPanel();
    this.bindPointer();
    window.addEventListener('keydown', (event) => {
      const target = event.target as HTMLElement;
      if (target.tagName === 'INPUT' || target.tagName === 'SELECT' || event.ctrlKey || event.metaKey || event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === 'b') this.setTool('brush');
      else if (key === 'l') this.setTool('lasso');
      else if (key === 'escape') this.setTool('click');
    });
  }

  /** The current tool. */
  get currentTool(): PointerTool {
    return this.tool;
  }

  /** Switches the tool; in brush and lasso mode a drag draws instead of orbiting. */
  setTool(tool: PointerTool): void {
    this.tool = tool;
    for (const [name, button] of this.buttons) button.classList.toggle('active', name === tool);
    this.viewer.canvas.style.cursor = tool === 'click' ? '' : 'crosshair';
    document.body.dataset.pointerTool = tool;
  }

  /** Lists the strokes in the side panel, each removable (an undoable action). */
  render(state: SessionState): void {
    this.strokeList.innerHTML = '';
    (state.strokes ?? []).forEach((stroke, index) => {
      const item = document.createElement('li');
      item.dataset.testid = 'stroke-row';
      item.dataset.pointCount = String(stroke.pointIndices.length);
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = rgbCss(colorOfObject(stroke.objectId));
      const verb = stroke.mode === 'add' ? 'painted into' : 'erased from';
      item.append(swatch, ` ${stroke.tool}: ${stroke.pointIndices.length.toLocaleString()} points ${verb} object ${stroke.objectId} `);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = '✕';
      remove.title = 'Remove this correction';
      remove.onclick = () => this.history.apply((current) => removeStroke(current, index));
      item.append(remove);
      this.strokeList.append(item);
    });
  }

  private createToolbar(): void {
    const toolbar = document.querySelector('.toolbar');
    const anchor = document.getElementById('redo');
    const group = document.createElement('span');
    group.className = 'tool-group';
    const separator = document.createElement('span');
    separator.className = 'separator';
    group.append(separator);
    const tools: [PointerTool, string, string][] = [
      ['click', 'Click', 'Click points to segment; drag to orbit (Esc)'],
      ['brush', 'Brush', 'Paint visible points into the active object; Shift-drag erases them from it (B)'],
      ['lasso', 'Lasso', 'Draw around visible points to add them to the active object; Shift erases (L)'],
    ];
    for (const [tool, label, title] of tools) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.title = title;
      button.dataset.testid = `tool-${tool}`;
      button.onclick = () => this.setTool(tool);
      this.buttons.set(tool, button);
      group.append(button);
    }
    const radius = document.createElement('input');
    radius.type = 'range';
    radius.min = '4';
    radius.max = '80';
    radius.value = String(this.brushRadius);
    radius.title = 'Brush radius (screen pixels)';
    radius.dataset.testid = 'brush-radius';
    radius.style.width = '80px';
    radius.oninput = () => (this.brushRadius = Number(radius.value));
    const radiusLabel = document.createElement('label');
    radiusLabel.append('Radius ', radius);
    group.append(radiusLabel);
    if (anchor?.parentElement === toolbar) anchor.after(group);
    else toolbar?.append(group);
    this.setTool('click');
  }

  private createPanel(): HTMLElement {
    const hint = 'Brush (B) or lasso (L): drag to add visible points to the active object, Shift-drag to remove them. They stay put whatever later clicks do.';
    return appendPanelSection('Corrections', hint, 'ol', 'stroke-list').list;
  }

  private createOverlay(): HTMLCanvasElement {
    const overlay = document.createElement('canvas');
    overlay.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;z-index:5';
    const viewport = this.viewer.canvas.parentElement;
    if (viewport && getComputedStyle(viewport).position === 'static') viewport.style.position = 'relative';
    viewport?.append(overlay);
    return overlay;
  }

  private bindPointer(): void {
    const canvas = this.viewer.canvas;
    const viewport = canvas.parentElement ?? canvas;
    const local = (event: PointerEvent): [number, number] => {
      const rectangle = canvas.getBoundingClientRect();
      return [event.clientX - rectangle.left, event.clientY - rectangle.top];
    };
    // Capture phase on the container: the canvas's own listeners (clicks, orbit controls) never see a stroke.
    viewport.addEventListener(
      'pointerdown',
      (event) => {
        if (this.tool === 'click' || event.button !== 0 || event.target !== canvas || !this.hasScan()) return;
        event.stopPropagation();
        event.preventDefault();
        this.stroke = { path: [local(event)], erase: event.shiftKey || event.altKey, pointerId: event.pointerId };
        this.drawOverlay();
      },
      { capture: true },
    );
    window.addEventListener(
      'pointermove',
      (event) => {
        if (!this.stroke || event.pointerId !== this.stroke.pointerId) return;
        event.stopPropagation();
        this.stroke.path.push(local(event));
        this.drawOverlay();
      },
      { capture: true },
    );
    window.addEventListener(
      'pointerup',
      (event) => {
        const stroke = this.stroke;
        if (!stroke || event.pointerId !== stroke.pointerId) return;
        event.stopPropagation();
        this.stroke = undefined;
        this.drawOverlay();
        this.finishStroke(stroke.path, stroke.erase);
      },
      { capture: true },
    );
  }

  /** Selects the visible points under the finished stroke and records them as one action. */
  private finishStroke(path: [number, number][], erase: boolean): void {
    const tool = this.tool === 'lasso' ? 'lasso' : 'brush';
    const margin = tool === 'brush' ? this.brushRadius + 1 : 1;
    const xs = path.map(([x]) => x);
    const ys = path.map(([, y]) => y);
    const left = Math.min(...xs) - margin;
    const top = Math.min(...ys) - margin;
    const region = this.viewer.pickRegion(left, top, Math.max(...xs) + margin - left, Math.max(...ys) + margin - top);
    if (!region) return;
    // The region starts at whole device pixels: shift the path into its pixels.
    const originX = Math.max(0, Math.floor(left * region.scale));
    const originY = Math.max(0, Math.floor(top * region.scale));
    const inRegion = path.map(([x, y]): [number, number] => [x * region.scale - originX, y * region.scale - originY]);
    const pointIndices = tool === 'brush' ? selectBrushPoints(region, inRegion, this.brushRadius * region.scale) : selectLassoPoints(region, inRegion);
    document.body.dataset.lastStrokePoints = String(pointIndices.length);
    if (pointIndices.length === 0) return;
    this.history.apply((state) => addStroke(state, { objectId: state.activeObjectId, mode: erase ? 'remove' : 'add', tool, pointIndices }));
  }

  private drawOverlay(): void {
    const canvas = this.viewer.canvas;
    const overlay = this.overlay;
    if (overlay.width !== canvas.clientWidth || overlay.height !== canvas.clientHeight) {
      overlay.width = canvas.clientWidth;
      overlay.height = canvas.clientHeight;
      overlay.style.width = `${canvas.clientWidth}px`;
      overlay.style.height = `${canvas.clientHeight}px`;
    }
    const context = overlay.getContext('2d');
    if (!context) return;
    context.clearRect(0, 0, overlay.width, overlay.height);
    const stroke = this.stroke;
    if (!stroke) return;
    const color = stroke.erase ? 'rgba(255, 255, 255, 0.5)' : `${rgbCss(colorOfObject(this.history.state.activeObjectId)).replace('rgb', 'rgba').replace(')', ', 0.5)')}`;
    context.strokeStyle = color;
    context.fillStyle = color;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    stroke.path.forEach(([x, y], index) => (index === 0 ? context.moveTo(x, y) : context.lineTo(x, y)));
    if (this.tool === 'lasso') {
      context.lineWidth = 2;
      context.closePath();
      context.stroke();
    } else {
      context.lineWidth = this.brushRadius * 2;
      if (stroke.path.length === 1) context.arc(stroke.path[0][0], stroke.path[0][1], this.brushRadius, 0, Math.PI * 2);
      context.stroke();
    }
  }
}
