import type { SegmentedObject } from '@pointclick/segmenter';
import { PointCloudViewer, type MarkerSpec, type ViewName } from '../viewer/point-cloud-viewer.js';
import { colorOfClass, colorOfObject, computePointColors, type ColorMode, type ObjectAppearance } from '../viewer/point-colors.js';
import {
  addClick,
  createEmptySession,
  deleteObject,
  removeClick,
  selectObject,
  SessionHistory,
  startNewObject,
  updateObject,
  type SessionState,
} from '../state/session-history.js';
import { fingerprintPositions, parseSessionDocument, writeSessionDocument, type ScanIdentity } from '../state/session-file.js';
import { buildExports } from '../export/label-export.js';
import { describeError, formatBytes, MAX_FILE_BYTES } from '../scan/error-messages.js';
import type { LoadedScan, PlaygroundClick, WorkerRequest, WorkerResponse } from '../worker/worker-protocol.js';

/** Where the page finds its resources, from the query string. */
export interface PlaygroundOptions {
  /** Absolute URL of the checkpoint's model.json. */
  modelUrl: string;
  /** Absolute URL prefix of the tfjs .wasm files. */
  wasmPath: string;
  /** Backend to try first. */
  preferredBackend?: 'webgpu' | 'wasm' | 'cpu';
  /** Seed of the default scene; undefined starts with no scan. */
  defaultSceneSeed?: number;
}

const COLOR_MODES: ColorMode[] = ['rgb', 'height', 'instance', 'class'];
const DEFAULT_SCENE_SEED = 1;

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

function rgbCss([red, green, blue]: [number, number, number]): string {
  return `rgb(${red}, ${green}, ${blue})`;
}

/** The playground page: wires the viewer, the worker, the undo history and the side panel together. */
export class PlaygroundApp {
  private readonly viewer: PointCloudViewer;
  private readonly worker: Worker;
  private readonly history = new SessionHistory();
  private scan?: LoadedScan & { identity: ScanIdentity; displayColors: Uint8Array };
  private classNames: string[] = [];
  private modelReady = false;
  private modelFailed = false;
  /** Latest segmentation: per-point object ids and the objects. */
  private segmentation?: { instance: Int32Array; objects: Map<number, SegmentedObject> };
  private colorMode: ColorMode = 'rgb';
  private requestCounter = 0;
  private segmentationInFlight = false;
  private segmentationPending = false;
  private completedRuns = 0;
  private requestSentAt = 0;
  /** Session to apply once its scan has loaded (opening a session of the default scene). */
  private pendingSession?: { state: SessionState; fingerprint: string };

  constructor(private readonly options: PlaygroundOptions) {
    this.viewer = new PointCloudViewer(element('viewport'));
    this.viewer.onFrame = () => {
      element('frame').textContent = `${this.viewer.lastFrameMilliseconds.toFixed(1)} ms to submit`;
    };
    this.viewer.onContextChange = (lost) => {
      document.body.dataset.contextLost = String(lost);
      if (lost) this.showMessage('The 3D view lost its WebGL context (a GPU reset); it is being restored — clicks are ignored until then.', 'info');
      else this.hideMessage();
    };
    this.worker = new Worker(new URL('../worker/segmentation-worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.handleWorkerMessage(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.showMessage(`The segmentation worker stopped: ${event.message || 'unknown error'} (often: out of memory). Reload the page to start again.`);
      this.setBusy(undefined);
    };
    this.history.onChange = (state, previous) => this.handleStateChange(state, previous);
    this.bindControls();
    this.renderPanel();
    this.post({ type: 'initialize', modelUrl: options.modelUrl, wasmPath: options.wasmPath, preferredBackend: options.preferredBackend });
    if (options.defaultSceneSeed !== undefined) this.loadDefaultScene(options.defaultSceneSeed);
    else this.setBusy(undefined);
  }

  private post(request: WorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(request, transfer);
  }

  /**
   * Page position (CSS pixels, relative to the document) of scan point `pointIndex` in the current view, for
   * scripted clicks (end-to-end tests, benchmarks); undefined when no scan is open or the point is behind the camera.
   */
  projectPoint(pointIndex: number): [number, number] | undefined {
    const scan = this.scan;
    if (!scan || pointIndex < 0 || pointIndex >= scan.pointCount) return undefined;
    const onCanvas = this.viewer.projectPosition(Array.from(scan.positions.subarray(pointIndex * 3, pointIndex * 3 + 3)) as [number, number, number]);
    if (!onCanvas) return undefined;
    const rectangle = this.viewer.canvas.getBoundingClientRect();
    return [rectangle.left + onCanvas[0], rectangle.top + onCanvas[1]];
  }

  /**
   * Orbits the camera by a small step on each of `frameCount` animation frames and returns the mean interval
   * between frames in milliseconds, plus the time of one GPU pick at the canvas centre (benchmark hook).
   */
  async measureRendering(frameCount: number): Promise<{ meanFrameMilliseconds: number; pickMilliseconds: number }> {
    const controls = this.viewer.controls;
    const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
    await nextFrame();
    const started = await nextFrame();
    let last = started;
    for (let frame = 0; frame < frameCount; frame++) {
      const offset = this.viewer.camera.position.clone().sub(controls.target);
      offset.applyAxisAngle(this.viewer.camera.up, 0.02);
      this.viewer.camera.position.copy(controls.target).add(offset);
      controls.update();
      last = await nextFrame();
    }
    const canvas = this.viewer.canvas;
    const pickStarted = performance.now();
    this.viewer.pickPoint(canvas.clientWidth / 2, canvas.clientHeight / 2);
    const pickMilliseconds = performance.now() - pickStarted;
    return { meanFrameMilliseconds: (last - started) / frameCount, pickMilliseconds };
  }

  /** Moves the camera to a preset view. */
  setView(view: ViewName): void {
    this.viewer.setView(view);
  }

  // ---- scans ----------------------------------------------------------------------------------------------

  private loadDefaultScene(seed: number): void {
    this.setBusy(`Generating the default scene…`);
    this.post({ type: 'load-default-scene', seed });
  }

  /** Reads a dropped or picked file: a session (JSON) or a scan. */
  async openFile(file: File): Promise<void> {
    if (/\.json$/i.test(file.name)) {
      await this.openSession(file);
      return;
    }
    if (file.size > MAX_FILE_BYTES) {
      this.showMessage(`${file.name} is ${formatBytes(file.size)}: too large for this browser's memory (the limit is ${formatBytes(MAX_FILE_BYTES)}).`);
      return;
    }
    if (file.size === 0) {
      this.showMessage(`${file.name} is empty.`);
      return;
    }
    this.setBusy(`Reading ${file.name} (${formatBytes(file.size)})…`);
    try {
      const bytes = await file.arrayBuffer();
      this.post({ type: 'load-file', bytes, fileName: file.name }, [bytes]);
    } catch (error) {
      this.setBusy(undefined);
      this.showMessage(`Cannot read ${file.name}: ${describeError(error)}`);
    }
  }

  private receiveScan(scan: LoadedScan): void {
    try {
      const displayColors = new Uint8Array(scan.pointCount * 3);
      const identity: ScanIdentity = {
        name: scan.name,
        pointCount: scan.pointCount,
        fingerprint: fingerprintPositions(scan.positions),
        defaultSceneSeed: scan.format === 'generated' ? Number(/seed (\d+)/.exec(scan.name)?.[1] ?? DEFAULT_SCENE_SEED) : undefined,
      };
      this.scan = { ...scan, identity, displayColors };
      this.segmentation = undefined;
      this.viewer.setCloud(scan.positions, displayColors);
      const pending = this.pendingSession;
      this.pendingSession = undefined;
      if (pending && pending.fingerprint === identity.fingerprint) this.history.reset(pending.state);
      else this.history.reset(createEmptySession());
      this.recolor();
      this.hideMessage();
      const dropped = scan.droppedPointCount ? `, ${scan.droppedPointCount.toLocaleString()} invalid points dropped` : '';
      element('scan').textContent =
        `${scan.name}: ${scan.pointCount.toLocaleString()} points (${scan.format}${scan.byteLength ? `, ${formatBytes(scan.byteLength)}` : ''}${dropped}), read in ${scan.readMilliseconds.toFixed(0)} ms`;
      document.body.dataset.scanPoints = String(scan.pointCount);
    } catch (error) {
      this.scan = undefined;
      this.showMessage(`Cannot display ${scan.name}: ${describeError(error)}`);
    } finally {
      this.setBusy(undefined);
    }
  }

  // ---- worker ---------------------------------------------------------------------------------------------

  private handleWorkerMessage(message: WorkerResponse): void {
    switch (message.type) {
      case 'backend': {
        const info = message.info;
        const details = info.adapter ? ` (${info.adapter})` : info.threads ? ` (${info.threads} thread${info.threads > 1 ? 's' : ''})` : '';
        const fallbacks = info.fallbacks.length ? ` — fell back from ${info.fallbacks.map((entry) => `${entry.backend}: ${entry.reason}`).join('; ')}` : '';
        element('backend').textContent = `${info.backend}${details}${fallbacks}`;
        document.body.dataset.backend = info.backend;
        return;
      }
      case 'backend-error':
        element('backend').textContent = 'none';
        this.modelFailed = true;
        element('model').textContent = 'not loaded';
        this.showMessage(`No TF.js backend could start, so segmentation is off (viewing still works): ${message.message}`);
        return;
      case 'model':
        this.modelReady = true;
        this.classNames = message.classNames;
        element('model').textContent = `${decodeURI(new URL(message.modelUrl).pathname)} — ${message.classNames.length} classes, loaded in ${message.loadMilliseconds.toFixed(0)} ms`;
        document.body.dataset.model = 'ready';
        this.renderPanel();
        this.requestSegmentation();
        return;
      case 'model-error':
        this.modelFailed = true;
        element('model').textContent = 'not loaded';
        document.body.dataset.model = 'failed';
        this.showMessage(`Segmentation is off (viewing still works): ${message.message}`);
        return;
      case 'scan':
        this.receiveScan(message.scan);
        return;
      case 'scan-error':
        this.setBusy(undefined);
        this.showMessage(message.message);
        return;
      case 'segmentation': {
        this.segmentationInFlight = false;
        const roundTrip = performance.now() - this.requestSentAt;
        if (this.scan && message.instance.length === this.scan.pointCount) {
          this.segmentation = { instance: message.instance, objects: new Map(message.objects.map((object) => [object.objectId, object])) };
        }
        this.completedRuns++;
        document.body.dataset.segmentationRuns = String(this.completedRuns);
        document.body.dataset.lastBackboneMilliseconds = message.backboneMilliseconds.toFixed(1);
        document.body.dataset.lastDecoderMilliseconds = message.decoderMilliseconds.toFixed(1);
        document.body.dataset.lastRoundTripMilliseconds = roundTrip.toFixed(1);
        document.body.dataset.lastWorkerMilliseconds = message.totalMilliseconds.toFixed(1);
        const backbone = message.backboneMilliseconds > 0 ? ` + backbone ${message.backboneMilliseconds.toFixed(0)} ms (once per scan)` : '';
        element('latency').textContent =
          `decoder ${message.decoderMilliseconds.toFixed(0)} ms${backbone}; worker ${message.totalMilliseconds.toFixed(0)} ms, click to mask ${roundTrip.toFixed(0)} ms`;
        if (this.segmentationPending) this.requestSegmentation();
        else this.setBusy(undefined);
        this.recolor();
        this.renderPanel();
        return;
      }
      case 'segmentation-error':
        this.segmentationInFlight = false;
        this.setBusy(undefined);
        this.showMessage(`Segmentation failed: ${message.message}`);
        if (this.segmentationPending) this.requestSegmentation();
        return;
    }
  }

  /** Sends the current clicks to the worker; while a run is in flight, the latest clicks wait for it. */
  private requestSegmentation(): void {
    if (!this.scan || !this.modelReady) return;
    if (this.segmentationInFlight) {
      this.segmentationPending = true;
      return;
    }
    this.segmentationPending = false;
    const clicks = this.history.state.clicks;
    if (!clicks.some((click) => click.kind === 'object')) {
      this.segmentation = undefined;
      this.recolor();
      this.renderPanel();
      return;
    }
    this.segmentationInFlight = true;
    this.requestSentAt = performance.now();
    this.setBusy(this.viewerHasFeatures ? 'Segmenting…' : 'Segmenting (first run computes the scan features)…');
    this.viewerHasFeatures = true;
    this.post({ type: 'segment', requestId: ++this.requestCounter, clicks });
  }
  private viewerHasFeatures = false;

  // ---- state ----------------------------------------------------------------------------------------------

  private handleStateChange(state: SessionState, previous: SessionState): void {
    if (state.clicks !== previous.clicks) {
      if (!this.segmentationInFlight) this.viewerHasFeatures = this.viewerHasFeatures && this.scan !== undefined;
      this.requestSegmentation();
    }
    this.recolor();
    this.renderPanel();
  }

  private clickPoint(pointIndex: number, background: boolean): void {
    const state = this.history.state;
    const click: PlaygroundClick = { pointIndex, objectId: state.activeObjectId, kind: background ? 'background' : 'object' };
    this.history.apply((current) => addClick(current, click));
    if (!this.modelReady) {
      this.showMessage(this.modelFailed ? 'The click is recorded, but no model is loaded: segmentation is off.' : 'The click is recorded; segmentation starts when the model has loaded.', 'info');
    }
  }

  /** Objects to list: every object with a click, merged with the latest prediction. */
  private listedObjects(): { objectId: number; prediction?: SegmentedObject; classIndex: number; confidence: number; visible: boolean; overridden: boolean; clickCount: number }[] {
    const state = this.history.state;
    const ids = new Set<number>();
    for (const click of state.clicks) if (click.kind === 'object') ids.add(click.objectId);
    return [...ids].sort((left, right) => left - right).map((objectId) => {
      const prediction = this.segmentation?.objects.get(objectId);
      const settings = state.objects[objectId];
      const overridden = settings?.classOverride !== undefined;
      return {
        objectId,
        prediction,
        classIndex: overridden ? settings.classOverride! : (prediction?.classIndex ?? -1),
        confidence: overridden ? 1 : (prediction?.classProbability ?? 0),
        visible: settings?.visible ?? true,
        overridden,
        clickCount: state.clicks.filter((click) => click.kind === 'object' && click.objectId === objectId).length,
      };
    });
  }

  private recolor(): void {
    const scan = this.scan;
    if (!scan) return;
    const appearances = new Map<number, ObjectAppearance>();
    for (const object of this.listedObjects()) {
      appearances.set(object.objectId, { color: colorOfObject(object.objectId), classIndex: Math.max(0, object.classIndex), visible: object.visible });
    }
    computePointColors(
      {
        positions: scan.positions,
        colors: scan.colors,
        instance: this.segmentation?.instance,
        objects: appearances,
        mode: this.colorMode,
        heightRange: this.viewer.heightRange,
      },
      scan.displayColors,
    );
    this.viewer.updateColors();
    const markers: MarkerSpec[] = this.history.state.clicks.map((click) => ({
      position: Array.from(scan.positions.subarray(click.pointIndex * 3, click.pointIndex * 3 + 3)) as [number, number, number],
      color: colorOfObject(click.objectId),
      kind: click.kind,
    }));
    this.viewer.setMarkers(markers);
  }

  // ---- panel ----------------------------------------------------------------------------------------------

  private renderPanel(): void {
    const state = this.history.state;
    element<HTMLButtonElement>('undo').disabled = !this.history.canUndo;
    element<HTMLButtonElement>('redo').disabled = !this.history.canRedo;
    const active = element('active-object');
    active.innerHTML = '';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.cssText = `display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:middle;background:${rgbCss(colorOfObject(state.activeObjectId))}`;
    active.append(swatch, ` object ${state.activeObjectId}`);

    const list = element('object-list');
    list.innerHTML = '';
    for (const object of this.listedObjects()) {
      const row = document.createElement('li');
      row.dataset.testid = 'object-row';
      row.dataset.objectId = String(object.objectId);
      row.dataset.pointCount = String(object.prediction?.pointCount ?? 0);
      row.dataset.className = object.classIndex >= 0 ? (this.classNames[object.classIndex] ?? '') : '';
      if (object.objectId === state.activeObjectId) row.classList.add('active');
      const color = document.createElement('span');
      color.className = 'swatch';
      color.style.background = rgbCss(colorOfObject(object.objectId));
      const name = document.createElement('span');
      name.textContent = `Object ${object.objectId}`;
      name.style.cursor = 'pointer';
      name.title = 'Make this the active object';
      name.onclick = () => this.history.apply((current) => selectObject(current, object.objectId));
      const visibility = document.createElement('input');
      visibility.type = 'checkbox';
      visibility.checked = object.visible;
      visibility.title = 'Show the mask';
      visibility.onchange = () => this.history.apply((current) => updateObject(current, object.objectId, { visible: visibility.checked }));
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = '✕';
      remove.title = 'Delete the object and its clicks';
      remove.onclick = () => this.history.apply((current) => deleteObject(current, object.objectId));
      const details = document.createElement('span');
      details.className = 'details';
      const select = document.createElement('select');
      select.title = 'Class (predicted; change it to override)';
      if (object.classIndex < 0) select.append(new Option(this.modelReady ? '(segmenting…)' : '(no prediction)', '-1', true, true));
      this.classNames.forEach((className, index) => {
        select.append(new Option(className, String(index), false, index === object.classIndex));
      });
      select.onchange = () => {
        const classIndex = Number(select.value);
        this.history.apply((current) => updateObject(current, object.objectId, { classOverride: classIndex >= 0 ? classIndex : undefined }));
      };
      const confidence = object.overridden ? 'set by you' : object.prediction ? `${(object.confidence * 100).toFixed(0)}%` : '';
      const points = object.prediction ? `${object.prediction.pointCount.toLocaleString()} points` : 'no points yet';
      details.append(select, ` ${confidence} · ${points} · ${object.clickCount} click${object.clickCount === 1 ? '' : 's'}`);
      const classSwatch = object.classIndex >= 0 ? colorOfClass(object.classIndex) : undefined;
      if (classSwatch) select.style.borderColor = rgbCss(classSwatch);
      row.append(color, name, visibility, remove, details);
      list.append(row);
    }

    const clickList = element('click-list');
    clickList.innerHTML = '';
    state.clicks.forEach((click, index) => {
      const item = document.createElement('li');
      item.dataset.testid = 'click-row';
      item.append(click.kind === 'background' ? `background (point ${click.pointIndex})` : `object ${click.objectId} (point ${click.pointIndex})`);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = '✕';
      remove.title = 'Remove this click';
      remove.onclick = () => this.history.apply((current) => removeClick(current, index));
      item.append(remove);
      clickList.append(item);
    });
  }

  private showMessage(text: string, kind: 'error' | 'info' = 'error'): void {
    const message = element('message');
    message.textContent = text;
    message.classList.toggle('info', kind === 'info');
    message.hidden = false;
    message.dataset.kind = kind;
  }

  private hideMessage(): void {
    element('message').hidden = true;
  }

  private setBusy(text: string | undefined): void {
    const busy = element('busy');
    busy.hidden = text === undefined;
    busy.innerHTML = '';
    if (text) {
      const label = document.createElement('span');
      label.textContent = text;
      busy.append(label);
    }
    document.body.dataset.busy = text === undefined ? 'false' : 'true';
  }

  // ---- export and sessions --------------------------------------------------------------------------------

  private baseName(): string {
    const name = this.scan?.format === 'generated' ? 'default-scene' : (this.scan?.name ?? 'scan');
    return name.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_');
  }

  private exportFiles(kind: 'ply' | 'labels'): void {
    const scan = this.scan;
    if (!scan) {
      this.showMessage('Nothing to export: open a scan first.');
      return;
    }
    try {
      const objects = this.listedObjects()
        .filter((object) => object.prediction)
        .map((object) => ({ objectId: object.objectId, classIndex: Math.max(0, object.classIndex), confidence: object.confidence, pointCount: object.prediction!.pointCount }));
      const instance = this.segmentation?.instance ?? new Int32Array(scan.pointCount);
      const { ply, labelsJson } = buildExports({
        positions: scan.positions,
        colors: scan.colors,
        instance,
        objects,
        classNames: this.classNames,
        clicks: this.history.state.clicks,
        scanName: scan.name,
      });
      if (kind === 'ply') downloadBlob(new Blob([ply as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), `${this.baseName()}-labels.ply`);
      else downloadBlob(new Blob([labelsJson], { type: 'application/json' }), `${this.baseName()}-labels.json`);
    } catch (error) {
      this.showMessage(`Export failed: ${describeError(error)}`);
    }
  }

  private saveSession(): void {
    if (!this.scan) {
      this.showMessage('Nothing to save: open a scan first.');
      return;
    }
    const text = writeSessionDocument(this.scan.identity, this.history.state, this.classNames);
    downloadBlob(new Blob([text], { type: 'application/json' }), `${this.baseName()}.session.json`);
  }

  private async openSession(file: File): Promise<void> {
    try {
      const document = parseSessionDocument(await file.text(), file.name);
      const scan = this.scan;
      if (scan && scan.identity.fingerprint === document.scan.fingerprint) {
        this.history.reset(document.state);
        this.hideMessage();
        return;
      }
      if (document.scan.defaultSceneSeed !== undefined) {
        this.pendingSession = { state: document.state, fingerprint: document.scan.fingerprint };
        this.loadDefaultScene(document.scan.defaultSceneSeed);
        return;
      }
      this.showMessage(
        `${file.name} belongs to ${document.scan.name} (${document.scan.pointCount.toLocaleString()} points), not to the open scan: open that scan first, then the session.`,
      );
    } catch (error) {
      this.showMessage(`Cannot open the session: ${describeError(error)}`);
    }
  }

  // ---- input ----------------------------------------------------------------------------------------------

  private setColorMode(mode: ColorMode): void {
    this.colorMode = mode;
    element<HTMLSelectElement>('color-mode').value = mode;
    this.recolor();
  }

  private bindControls(): void {
    const canvas = this.viewer.canvas;
    let down: { x: number; y: number } | undefined;
    canvas.addEventListener('pointerdown', (event) => {
      if (event.button === 0) down = { x: event.clientX, y: event.clientY };
    });
    canvas.addEventListener('pointerup', (event) => {
      if (event.button !== 0 || !down) return;
      const moved = Math.hypot(event.clientX - down.x, event.clientY - down.y);
      down = undefined;
      // A press that did not move is a click, anything else an orbit or a pan.
      if (moved > 4 || !this.scan) return;
      const rectangle = canvas.getBoundingClientRect();
      const pointIndex = this.viewer.pickPoint(event.clientX - rectangle.left, event.clientY - rectangle.top);
      document.body.dataset.lastPick = String(pointIndex);
      if (pointIndex >= 0) this.clickPoint(pointIndex, event.shiftKey);
    });

    element<HTMLInputElement>('file-input').addEventListener('change', (event) => {
      const input = event.target as HTMLInputElement;
      const file = input.files?.[0];
      if (file) void this.openFile(file);
      input.value = '';
    });
    element<HTMLInputElement>('session-input').addEventListener('change', (event) => {
      const input = event.target as HTMLInputElement;
      const file = input.files?.[0];
      if (file) void this.openSession(file);
      input.value = '';
    });
    element('default-scene').onclick = () => this.loadDefaultScene(DEFAULT_SCENE_SEED);
    element('undo').onclick = () => this.history.undo();
    element('redo').onclick = () => this.history.redo();
    element('new-object').onclick = () => this.history.apply(startNewObject);
    element('save-session').onclick = () => this.saveSession();
    element('export-ply').onclick = () => this.exportFiles('ply');
    element('export-labels').onclick = () => this.exportFiles('labels');
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-view]')) {
      button.onclick = () => this.viewer.setView(button.dataset.view as ViewName);
    }
    element<HTMLSelectElement>('color-mode').onchange = (event) => this.setColorMode((event.target as HTMLSelectElement).value as ColorMode);
    const size = element<HTMLInputElement>('point-size');
    const attenuate = element<HTMLInputElement>('attenuate');
    const applySize = () => this.viewer.setPointSize(Number(size.value), attenuate.checked);
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
      if (file) void this.openFile(file);
    });
    // Dropping outside the view must not navigate away from the page.
    window.addEventListener('dragover', (event) => event.preventDefault());
    window.addEventListener('drop', (event) => event.preventDefault());

    window.addEventListener('keydown', (event) => {
      const target = event.target as HTMLElement;
      if (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'checkbox' && (target as HTMLInputElement).type !== 'range') return;
      if (target.tagName === 'SELECT') return;
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && key === 'z') {
        event.preventDefault();
        if (event.shiftKey) this.history.redo();
        else this.history.undo();
        return;
      }
      if ((event.ctrlKey || event.metaKey) && key === 'y') {
        event.preventDefault();
        this.history.redo();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (/^[1-9]$/.test(event.key)) {
        const objectId = Number(event.key);
        this.history.apply((current) => selectObject(current, objectId));
        return;
      }
      switch (key) {
        case 'n':
          this.history.apply(startNewObject);
          return;
        case 'r':
          this.viewer.setView('reset');
          return;
        case 't':
          this.viewer.setView('top');
          return;
        case 'f':
          this.viewer.setView('front');
          return;
        case 's':
          this.viewer.setView('side');
          return;
        case 'c':
          this.setColorMode(COLOR_MODES[(COLOR_MODES.indexOf(this.colorMode) + 1) % COLOR_MODES.length]);
          return;
        case '[':
        case ']': {
          size.value = String(Math.min(10, Math.max(1, Number(size.value) + (key === ']' ? 0.5 : -0.5))));
          applySize();
          return;
        }
        case 'backspace':
        case 'delete': {
          const count = this.history.state.clicks.length;
          if (count > 0) this.history.apply((current) => removeClick(current, count - 1));
          return;
        }
      }
    });
  }
}

function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
