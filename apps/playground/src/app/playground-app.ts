import type { SegmentedObject } from '@pointclick/segmenter';
import { PointCloudViewer, type ViewName } from '../viewer/point-cloud-viewer.js';
import type { ColorMode } from '../viewer/point-colors.js';
import { addClick, createEmptySession, SessionHistory, type SessionState } from '../state/session-history.js';
import { fingerprintPositions, planSessionOpening, type ScanIdentity } from '../state/session-file.js';
import { describeError } from '../scan/error-messages.js';
import type { LoadedScan, PlaygroundClick, ScanReading, WorkerRequest, WorkerResponse } from '../worker/worker-protocol.js';
import { listObjects, renderPanel, type ListedObject } from './object-list-panel.js';
import { bindPageControls } from './page-controls.js';
import { element, hideMessage, setBusy, showMessage } from './page-elements.js';
import { showSegmentationRegion, withWholeLabels } from './region-display.js';
import { labelSnapshot, startLabelExport, measureRendering, projectPointOnPage, showSegmentationTimings, type LabelSnapshot } from './page-hooks.js';
import { downloadSession } from './scan-downloads.js';
import type { ImportedLabels } from '../export/label-import.js';
import type { LabelExportFormat } from '../export/label-formats.js';
import { StreamingExport } from './streaming-export.js';
import { acceptScanFile, showBackend, showModelLoaded, showReadProgress, showScanOpened } from './scan-status.js';
import { listWithImported, mergeImportedLabels, sessionFromImport } from './imported-labels.js';
import { bindLabelFileControls } from './label-files-menu.js';
import { strokeConstraints } from '../state/correction-strokes.js';
import { CorrectionTools } from './correction-tools.js';
import { AutosaveController } from './autosave.js';
import { LevelOfDetailDisplay, type LevelOfDetailOptions } from './level-of-detail.js';
import { ScanPainter } from './scan-painting.js';

/** Where the page finds its resources, from the query string. */
export interface PlaygroundOptions extends LevelOfDetailOptions {
  /** Absolute URL of the checkpoint's model.json. */
  modelUrl: string;
  /** Absolute URL prefix of the tfjs .wasm files. */
  wasmPath: string;
  /** Backend to try first. */
  preferredBackend?: 'webgpu' | 'wasm' | 'cpu';
  /** Seed of the default scene; undefined starts with no scan. */
  defaultSceneSeed?: number;
  /** How the worker reads scan files (default `'random-access'`; the others are benchmark references). */
  scanReading?: ScanReading;
}

const DEFAULT_SCENE_SEED = 1;
/** Most milliseconds a click's frame waits for an update's answer (about 100 ms in the worker), so one frame shows both. */
const UPDATE_FRAME_HOLD_MILLISECONDS = 200;

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
  /** Whether the worker has computed the open scan's backbone features (reset for every new scan). */
  private scanFeaturesComputed = false;
  /** Labels imported for the open scan: the layer under the segmenter's masks. */
  private imported?: ImportedLabels;
  /** Session to apply once its scan has loaded (opening a session of the default scene). */
  private pendingSession?: { state: SessionState; fingerprint: string };
  private readonly corrections: CorrectionTools;
  private readonly autosave: AutosaveController;
  private readonly exports: StreamingExport;
  private readonly levelOfDetail: LevelOfDetailDisplay;
  private readonly painter = new ScanPainter();

  constructor(private readonly options: PlaygroundOptions) {
    this.viewer = new PointCloudViewer(element('viewport'));
    this.levelOfDetail = new LevelOfDetailDisplay(this.viewer, options, () => {
      // A new budget only redraws the scan when it switches between whole and level of detail (the octree is kept).
      if (!this.scan || this.viewer.isLevelOfDetail === this.levelOfDetail.needsLevelOfDetail(this.scan.pointCount)) return;
      this.displayScan(true);
      this.recolor();
    });
    this.viewer.onFrame = () => this.levelOfDetail.frameDrawn();
    this.viewer.onContextChange = (lost) => {
      document.body.dataset.contextLost = String(lost);
      if (lost) showMessage('The 3D view lost its WebGL context (a GPU reset); it is being restored — clicks are ignored until then.', 'info');
      else hideMessage();
    };
    this.worker = new Worker(new URL('../worker/segmentation-worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.handleWorkerMessage(withWholeLabels(this.worker, event.data));
    this.worker.onerror = (event) => {
      event.preventDefault();
      showMessage(`The segmentation worker stopped: ${event.message || 'unknown error'} (often: out of memory). Reload the page to start again.`);
      setBusy(undefined);
    };
    this.history.onChange = (state, previous) => this.handleStateChange(state, previous);
    this.exports = new StreamingExport((request, transfer) => this.post(request, transfer), element('export-as'));
    this.corrections = new CorrectionTools(this.viewer, this.history, () => this.scan !== undefined);
    this.autosave = new AutosaveController(this.viewer, {
      scan: () => this.scan?.identity,
      state: () => this.history.state,
      classNames: () => this.classNames,
      restore: (state) => this.history.reset(state),
    });
    this.bindControls();
    this.renderPanel();
    this.post({ type: 'initialize', modelUrl: options.modelUrl, wasmPath: options.wasmPath, preferredBackend: options.preferredBackend });
    if (options.defaultSceneSeed !== undefined) this.loadDefaultScene(options.defaultSceneSeed);
    else setBusy(undefined);
  }

  private post(request: WorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(request, transfer);
  }

  /** Page position (CSS pixels) of scan point `pointIndex` for scripted clicks; undefined when not in front of the camera. */
  projectPoint(pointIndex: number): [number, number] | undefined {
    return this.scan ? projectPointOnPage(this.viewer, this.scan.positions, pointIndex) : undefined;
  }

  /** Orbits `frameCount` animation frames: their mean interval and one GPU pick's time, in milliseconds (benchmark hook). */
  measureRendering(frameCount: number): Promise<{ meanFrameMilliseconds: number; pickMilliseconds: number }> {
    return measureRendering(this.viewer, frameCount);
  }

  /** The current session (clicks, objects, corrections), for scripted use. */
  get state(): SessionState {
    return this.history.state;
  }

  /** The open scan as the worker handed it (positions, colours, labels; undefined before one), for scripted use. */
  get openScan(): LoadedScan | undefined {
    return this.scan;
  }

  /** Per-point object ids of the latest segmentation (undefined before the first), for scripted use. */
  get instanceLabels(): Int32Array | undefined {
    return this.segmentation?.instance;
  }

  /** Moves the camera to a preset view of the scan, or of `box` (corners in metres) when given. */
  setView(view: ViewName, box?: { minimum: [number, number, number]; maximum: [number, number, number] }): void {
    this.viewer.setView(view, box);
  }

  /** The colour (r g b 0…255) scan point `pointIndex` was drawn with in the last frame, or undefined (tests, benchmarks). */
  drawnColor(pointIndex: number): [number, number, number] | undefined {
    return this.viewer.drawnColor(pointIndex);
  }

  // ---- scans ----------------------------------------------------------------------------------------------

  private loadDefaultScene(seed: number): void {
    setBusy(`Generating the default scene…`);
    this.post({ type: 'load-default-scene', seed });
  }

  /** Reads a dropped or picked file: a session (JSON) or a scan. */
  async openFile(file: File): Promise<void> {
    if (/\.json$/i.test(file.name)) {
      await this.openSession(file);
      return;
    }
    // The worker reads the file itself, in parts: the page never holds its bytes.
    if (acceptScanFile(file)) this.post({ type: 'load-file', file, fileName: file.name, reading: this.options.scanReading });
  }

  private receiveScan(scan: LoadedScan): void {
    try {
      const identity: ScanIdentity = {
        name: scan.name,
        pointCount: scan.pointCount,
        fingerprint: fingerprintPositions(scan.positions),
        defaultSceneSeed: scan.format === 'generated' ? Number(/seed (\d+)/.exec(scan.name)?.[1] ?? DEFAULT_SCENE_SEED) : undefined,
      };
      this.scan = { ...scan, identity, displayColors: new Uint8Array(0) };
      this.segmentation = undefined;
      this.imported = undefined;
      this.painter.labelsChanged();
      this.scanFeaturesComputed = false;
      this.displayScan(false);
      // Before the reset below: saving stops until the scan's autosave has been looked up (and maybe restored).
      this.autosave.scanOpened(identity);
      const pending = this.pendingSession;
      this.pendingSession = undefined;
      if (pending && pending.fingerprint === identity.fingerprint) this.history.reset(pending.state);
      else this.history.reset(createEmptySession());
      this.recolor();
      hideMessage();
      showScanOpened(scan);
    } catch (error) {
      this.scan = undefined;
      showMessage(`Cannot display ${scan.name}: ${describeError(error)}`);
    } finally {
      setBusy(undefined);
    }
  }

  /**
   * Draws the open scan whole (at most the point budget of points, exactly as before level of detail existed) or
   * level of detail (more); the caller recolours after. With `keepView` the camera stays where it is.
   */
  private displayScan(keepView: boolean): void {
    const scan = this.scan;
    if (!scan) return;
    this.painter.reset();
    if (this.levelOfDetail.needsLevelOfDetail(scan.pointCount)) {
      // Per-node colour buffers replace the whole-scan one; the caller's recolour installs the real colouring.
      scan.displayColors = new Uint8Array(0);
      this.levelOfDetail.showLevelOfDetail(scan.positions, (_pointIds, output) => output.fill(0), keepView);
    } else {
      if (scan.displayColors.length !== scan.pointCount * 3) scan.displayColors = new Uint8Array(scan.pointCount * 3);
      this.levelOfDetail.showWhole(scan.positions, scan.displayColors, keepView);
    }
  }

  // ---- worker ---------------------------------------------------------------------------------------------

  private handleWorkerMessage(message: WorkerResponse): void {
    switch (message.type) {
      case 'backend':
        showBackend(message.info);
        return;
      case 'backend-error':
        element('backend').textContent = 'none';
        this.modelFailed = true;
        element('model').textContent = 'not loaded';
        showMessage(`No TF.js backend could start, so segmentation is off (viewing still works): ${message.message}`);
        return;
      case 'model':
        this.modelReady = true;
        this.classNames = message.classNames;
        showModelLoaded(message);
        this.renderPanel();
        this.requestSegmentation();
        return;
      case 'model-error':
        this.modelFailed = true;
        element('model').textContent = 'not loaded';
        document.body.dataset.model = 'failed';
        showMessage(`Segmentation is off (viewing still works): ${message.message}`);
        return;
      case 'scan':
        this.receiveScan(message.scan);
        return;
      case 'read-progress':
        showReadProgress(message);
        return;
      case 'label-file-error':
        if (this.exports.receive(message)) return;
        setBusy(undefined);
        showMessage(message.message);
        return;
      case 'export-started':
      case 'export-chunk':
      case 'export-done':
        this.exports.receive(message);
        return;
      case 'scan-error':
        setBusy(undefined);
        showMessage(message.message);
        return;
      case 'segmentation': {
        this.segmentationInFlight = false;
        const roundTrip = performance.now() - this.requestSentAt;
        if (this.scan && message.instance.length === this.scan.pointCount) {
          this.segmentation = { instance: message.instance, objects: new Map(message.objects.map((object) => [object.objectId, object])) };
          this.scanFeaturesComputed = true;
          // A region's update names the points it changed: only the octree nodes holding them are recoloured.
          this.painter.labelsChanged(message.changes && !message.changes.fresh ? message.changes.pointIndices : undefined);
        }
        this.completedRuns++;
        showSegmentationTimings(message, roundTrip, this.completedRuns);
        showSegmentationRegion(this.viewer, message.region, message.objectsAtBorder);
        if (this.segmentationPending) this.requestSegmentation();
        else setBusy(undefined);
        this.recolor();
        this.renderPanel();
        // The held frame (the click's marker) now shows the mask too.
        this.viewer.releaseFrames();
        return;
      }
      case 'imported-labels':
        this.receiveImportedLabels(message.labels);
        return;
      case 'segmentation-error':
        this.segmentationInFlight = false;
        setBusy(undefined);
        this.viewer.releaseFrames();
        showMessage(`Segmentation failed: ${message.message}`);
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
    const { clicks, strokes = [] } = this.history.state;
    const constraints = strokes.length > 0 ? strokeConstraints(strokes) : undefined;
    if (!clicks.some((click) => click.kind === 'object') && Object.keys(constraints?.include ?? {}).length === 0) {
      this.segmentation = undefined;
      this.painter.labelsChanged();
      this.recolor();
      this.renderPanel();
      return;
    }
    this.segmentationInFlight = true;
    this.requestSentAt = performance.now();
    if (this.scanFeaturesComputed) this.viewer.holdFrames(UPDATE_FRAME_HOLD_MILLISECONDS);
    setBusy(this.scanFeaturesComputed ? 'Segmenting…' : 'Segmenting (first run computes the scan features)…');
    this.post({ type: 'segment', requestId: ++this.requestCounter, clicks, constraints });
  }

  // ---- state ----------------------------------------------------------------------------------------------

  private handleStateChange(state: SessionState, previous: SessionState): void {
    if (state.clicks !== previous.clicks || state.strokes !== previous.strokes) {
      this.requestSegmentation();
    }
    this.autosave.changed();
    this.recolor();
    this.renderPanel();
  }

  private clickPoint(pointIndex: number, background: boolean): void {
    const state = this.history.state;
    const click: PlaygroundClick = { pointIndex, objectId: state.activeObjectId, kind: background ? 'background' : 'object' };
    this.history.apply((current) => addClick(current, click));
    if (!this.modelReady) {
      showMessage(this.modelFailed ? 'The click is recorded, but no model is loaded: segmentation is off.' : 'The click is recorded; segmentation starts when the model has loaded.', 'info');
    }
  }

  /** Objects to list: every object with a click, merged with the latest prediction, and the imported objects. */
  private listedObjects(): ListedObject[] {
    const listed = listObjects(this.history.state, this.segmentation?.objects);
    return listWithImported(listed, this.imported, this.labelsShown(), this.history.state, this.classNames);
  }

  /** Per-point object ids the page shows and exports: the segmentation over the imported labels. */
  private labelsShown(): Int32Array | undefined {
    return mergeImportedLabels(this.imported, this.segmentation?.instance, this.history.state);
  }

  /**
   * What the page shows, for scripted checks (the end-to-end test): object id per point (0 = none) and the listed
   * objects with their class names and point counts.
   */
  labelSnapshot(): LabelSnapshot {
    return labelSnapshot(this.labelsShown(), this.scan?.pointCount ?? 0, this.listedObjects(), this.classNames);
  }

  private recolor(): void {
    if (this.scan) this.painter.paint(this.viewer, this.scan, this.listedObjects(), this.labelsShown(), this.colorMode, this.history.state.clicks);
  }

  // ---- panel ----------------------------------------------------------------------------------------------

  private renderPanel(): void {
    renderPanel(this.history, this.listedObjects(), this.classNames, this.modelReady);
    this.corrections.render(this.history.state);
  }

  // ---- export and sessions --------------------------------------------------------------------------------

  /** Streams the export from the worker into the download (`startLabelExport`). */
  private exportAs(format: LabelExportFormat): void {
    if (!this.scan) showMessage('Nothing to export: open a scan first.');
    else void startLabelExport(this.exports, format, this.scan, this.listedObjects(), this.labelsShown(), this.classNames, this.history.state.clicks);
  }

  /** Bytes per chunk of later exports (scripted checks lower it to see a small scan's export in many chunks). */
  setExportChunkBytes(chunkBytes: number): void {
    this.exports.chunkBytes = chunkBytes;
  }

  /** Reads label files in the worker; `imported-labels` turns them into objects. */
  private async importLabels(files: File[]): Promise<void> {
    if (!this.scan) {
      showMessage('Open the scan first, then import its labels.');
      return;
    }
    if (!this.modelReady && !this.modelFailed) {
      showMessage('The model is still loading: import the labels once it has (their classes are matched to its classes).', 'info');
      return;
    }
    setBusy(`Importing ${files.map((file) => file.name).join(', ')}…`);
    const read = await Promise.all(files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
    this.post({ type: 'import-labels', files: read, classNames: [...this.classNames] }, read.map((file) => file.bytes.buffer));
  }

  /** Imported labels become the session's objects (a fresh start, like opening a session). */
  private receiveImportedLabels(labels: ImportedLabels): void {
    setBusy(undefined);
    if (!this.scan || labels.instance.length !== this.scan.pointCount) return;
    this.imported = labels;
    this.segmentation = undefined;
    this.painter.labelsChanged();
    this.history.reset(sessionFromImport(labels, this.classNames));
    document.body.dataset.importedObjects = String(labels.objects.length);
    showMessage(`Imported ${labels.objects.length} objects from ${labels.sourceName}: click to correct them (N for a new object).`, 'info');
  }

  private saveSession(): void {
    if (!this.scan) showMessage('Nothing to save: open a scan first.');
    else downloadSession(this.scan, this.scan.identity, this.history.state, this.classNames);
  }

  private async openSession(file: File): Promise<void> {
    const opening = await planSessionOpening(file, this.scan?.identity.fingerprint);
    if (opening.kind === 'error') {
      showMessage(opening.message);
    } else if (opening.kind === 'apply') {
      this.history.reset(opening.state);
      hideMessage();
    } else {
      this.pendingSession = { state: opening.state, fingerprint: opening.fingerprint };
      this.loadDefaultScene(opening.defaultSceneSeed);
    }
  }

  // ---- input ----------------------------------------------------------------------------------------------

  private setColorMode(mode: ColorMode): void {
    this.colorMode = mode;
    element<HTMLSelectElement>('color-mode').value = mode;
    this.recolor();
  }

  private bindControls(): void {
    bindPageControls(this.viewer, this.history, {
      hasScan: () => this.scan !== undefined,
      clickPoint: (pointIndex, background) => this.clickPoint(pointIndex, background),
      openFile: (file) => this.openFile(file),
      openSession: (file) => this.openSession(file),
      loadDefaultScene: () => this.loadDefaultScene(DEFAULT_SCENE_SEED),
      saveSession: () => this.saveSession(),
      exportFiles: (kind) => this.exportAs(kind === 'ply' ? 'ply' : 'labels-json'),
      colorMode: () => this.colorMode,
      setColorMode: (mode) => this.setColorMode(mode),
    });
    bindLabelFileControls({ exportAs: (format) => this.exportAs(format), importLabels: (files) => this.importLabels(files) });
  }
}
