import type { PointCloudViewer } from '../viewer/point-cloud-viewer.js';
import { AutosaveError, AutosaveStore, summarize, type AutosaveRecord, type AutosaveSummary, type SavedView } from '../state/autosave-store.js';
import { parseSessionDocument, writeSessionDocument, type ScanIdentity } from '../state/session-file.js';
import type { SessionState } from '../state/session-history.js';
import { describeError } from '../scan/error-messages.js';
import { appendPanelSection, showMessage } from './page-elements.js';

/** What the autosave needs from the page. */
export interface AutosaveHost {
  /** The open scan, if any. */
  scan(): ScanIdentity | undefined;
  /** The current session. */
  state(): SessionState;
  /** The model's class names. */
  classNames(): string[];
  /** Replaces the session with a restored one (no undo history). */
  restore(state: SessionState): void;
}

/** Milliseconds a camera move waits before it is saved (a drag saves once, at its end). */
const VIEW_SAVE_DELAY = 600;

/** `count noun`, with an s unless the count is 1. */
function counted(count: number, noun: string): string {
  return `${count.toLocaleString()} ${noun}${count === 1 ? '' : 's'}`;
}

/** What a session holds, for the status line, the offer and the list. */
function describeContents(clickCount: number, strokeCount: number): string {
  return `${counted(clickCount, 'click')}, ${counted(strokeCount, 'correction')}`;
}

function isEmpty(state: SessionState): boolean {
  return state.clicks.length === 0 && (state.strokes?.length ?? 0) === 0;
}

/**
 * Autosave: every change of the session (clicks, objects, classes, corrections) and of the view is written to
 * IndexedDB at once, keyed by the scan's fingerprint, so a crash, a reload or a closed tab loses at most the
 * action whose write had not committed. Opening a scan with an autosaved session offers to restore it (saving
 * pauses until the user chooses, so the old session is never overwritten unasked). The side panel lists every
 * autosaved scan with its date, each deletable. A failed write (a full quota above all) is shown, never swallowed.
 */
export class AutosaveController {
  private readonly storePromise: Promise<AutosaveStore | undefined>;
  /** Fingerprint of the scan whose changes are being saved; undefined while an offer waits or no scan is open. */
  private armedFingerprint?: string;
  private summaries: AutosaveSummary[] = [];
  private viewTimer?: ReturnType<typeof setTimeout>;
  private writeCount = 0;
  /** The last store operation asked for (see `enqueue`). */
  private storeOperations: Promise<void> = Promise.resolve();
  private readonly offer: HTMLElement;
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;

  constructor(
    private readonly viewer: PointCloudViewer,
    private readonly host: AutosaveHost,
  ) {
    ({ offer: this.offer, list: this.list, status: this.status } = this.createPanel());
    this.storePromise = AutosaveStore.open().catch((error: unknown) => {
      this.reportFailure(error);
      return undefined;
    });
    void this.refreshList();
    viewer.controls.addEventListener('change', () => {
      clearTimeout(this.viewTimer);
      this.viewTimer = setTimeout(() => this.changed(), VIEW_SAVE_DELAY);
    });
  }

  /**
   * A scan was opened with `state` (empty, or a session file's): offers the scan's autosaved session when it
   * has one and the state is empty; otherwise starts saving.
   */
  scanOpened(scan: ScanIdentity): void {
    this.armedFingerprint = undefined;
    this.offer.hidden = true;
    void (async () => {
      const store = await this.storePromise;
      if (!store || this.host.scan()?.fingerprint !== scan.fingerprint) return;
      let record: AutosaveRecord | undefined;
      try {
        record = await store.load(scan.fingerprint);
      } catch (error) {
        this.reportFailure(error);
      }
      if (this.host.scan()?.fingerprint !== scan.fingerprint) return;
      if (record && !isEmpty(record.state) && isEmpty(this.host.state())) {
        this.showOffer(record);
        return;
      }
      this.arm(scan.fingerprint);
    })();
  }

  /** The session or the view changed: saves it when saving is on for the open scan. */
  changed(): void {
    const scan = this.host.scan();
    if (!scan || scan.fingerprint !== this.armedFingerprint) return;
    const record: AutosaveRecord = {
      fingerprint: scan.fingerprint,
      scan,
      state: this.host.state(),
      classNames: this.host.classNames(),
      view: this.currentView(),
      savedAt: Date.now(),
    };
    void this.write(record);
  }

  private arm(fingerprint: string): void {
    this.armedFingerprint = fingerprint;
    document.body.dataset.autosave = 'on';
    // Anything done while the saved session was being looked up is saved now.
    if (!isEmpty(this.host.state())) this.changed();
  }

  /**
   * Runs store operations one after another in the order they were asked for, so a delete is never undone by a
   * write that was asked for before it and committed after it.
   */
  private enqueue(operation: (store: AutosaveStore) => Promise<void>): Promise<void> {
    const next = this.storeOperations.then(async () => {
      const store = await this.storePromise;
      if (store) await operation(store);
    });
    this.storeOperations = next.catch(() => undefined);
    return next;
  }

  private write(record: AutosaveRecord): Promise<void> {
    return this.enqueue((store) => this.save(store, record));
  }

  private async save(store: AutosaveStore, record: AutosaveRecord): Promise<void> {
    try {
      await store.save(record);
      this.writeCount++;
      document.body.dataset.autosaveWrites = String(this.writeCount);
      this.status.textContent = `Saved ${new Date(record.savedAt).toLocaleTimeString()} (${describeContents(record.state.clicks.length, record.state.strokes?.length ?? 0)})`;
      this.status.dataset.kind = 'saved';
      this.summaries = [summarize(record), ...this.summaries.filter((entry) => entry.fingerprint !== record.fingerprint)];
      this.renderList();
    } catch (error) {
      this.reportFailure(error);
    }
  }

  private reportFailure(error: unknown): void {
    const quota = error instanceof AutosaveError && error.quota;
    const text = quota
      ? `Autosave failed: this browser's storage quota for the page is full (${describeError(error)}). Your latest changes are NOT saved: delete old autosaves under "Autosaved scans", or save the session / export the labels.`
      : `Autosave failed: ${describeError(error)}. Your latest changes are NOT saved; save the session or export the labels to keep them.`;
    this.status.textContent = quota ? 'Not saved: storage quota full' : 'Not saved: autosave failed';
    this.status.dataset.kind = 'error';
    document.body.dataset.autosave = 'failed';
    showMessage(text);
  }

  private currentView(): SavedView {
    const { position } = this.viewer.camera;
    const { target } = this.viewer.controls;
    return { position: [position.x, position.y, position.z], target: [target.x, target.y, target.z] };
  }

  private showOffer(record: AutosaveRecord): void {
    this.offer.innerHTML = '';
    const text = document.createElement('p');
    text.textContent = `Autosaved work on this scan from ${new Date(record.savedAt).toLocaleString()}: ${describeContents(record.state.clicks.length, record.state.strokes?.length ?? 0)}. Autosave is paused until you choose.`;
    const restore = document.createElement('button');
    restore.type = 'button';
    restore.textContent = 'Restore';
    restore.dataset.testid = 'autosave-restore';
    restore.onclick = () => this.restore(record);
    const discard = document.createElement('button');
    discard.type = 'button';
    discard.textContent = 'Discard';
    discard.dataset.testid = 'autosave-discard';
    discard.onclick = () => void this.discard(record.fingerprint);
    this.offer.append(text, restore, ' ', discard);
    this.offer.hidden = false;
    document.body.dataset.autosave = 'offer';
  }

  private restore(record: AutosaveRecord): void {
    this.offer.hidden = true;
    let state: SessionState;
    try {
      // The same checks as a session file: an autosave from an older page version must not break this one.
      state = parseSessionDocument(writeSessionDocument(record.scan, record.state, record.classNames), `the autosave of ${record.scan.name}`).state;
    } catch (error) {
      showMessage(`Cannot restore: ${describeError(error)}`);
      this.arm(record.fingerprint);
      return;
    }
    this.armedFingerprint = record.fingerprint;
    document.body.dataset.autosave = 'on';
    this.host.restore(state);
    if (record.view) {
      this.viewer.camera.position.set(...record.view.position);
      this.viewer.controls.target.set(...record.view.target);
      this.viewer.controls.update();
    }
  }

  private async discard(fingerprint: string): Promise<void> {
    this.offer.hidden = true;
    await this.deleteRecord(fingerprint);
    if (this.host.scan()?.fingerprint === fingerprint) this.arm(fingerprint);
  }

  /** Deletes a scan's autosave; for the open scan, a camera move still waiting to be saved is dropped with it. */
  private deleteRecord(fingerprint: string): Promise<void> {
    if (this.host.scan()?.fingerprint === fingerprint) clearTimeout(this.viewTimer);
    return this.enqueue(async (store) => {
      try {
        await store.delete(fingerprint);
        this.summaries = this.summaries.filter((entry) => entry.fingerprint !== fingerprint);
        this.renderList();
      } catch (error) {
        this.reportFailure(error);
      }
    });
  }

  private async refreshList(): Promise<void> {
    const store = await this.storePromise;
    if (!store) return;
    try {
      this.summaries = await store.list();
      this.renderList();
    } catch (error) {
      this.reportFailure(error);
    }
  }

  private renderList(): void {
    this.list.innerHTML = '';
    for (const summary of this.summaries) {
      const item = document.createElement('li');
      item.dataset.testid = 'autosave-row';
      item.dataset.fingerprint = summary.fingerprint;
      item.append(
        `${summary.name} (${summary.pointCount.toLocaleString()} points): ${describeContents(summary.clickCount, summary.strokeCount)} — ${new Date(summary.savedAt).toLocaleString()} `,
      );
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Delete';
      remove.title = 'Delete this autosave (cannot be undone)';
      remove.onclick = () => {
        // Deleting the open scan's autosave stops nothing: its next change is saved again.
        void this.deleteRecord(summary.fingerprint);
      };
      item.append(remove);
      this.list.append(item);
    }
    if (this.summaries.length === 0) this.list.append(Object.assign(document.createElement('li'), { textContent: 'none' }));
  }

  private createPanel(): { offer: HTMLElement; list: HTMLElement; status: HTMLElement } {
    const offer = document.createElement('div');
    offer.className = 'message info';
    offer.dataset.testid = 'autosave-offer';
    offer.hidden = true;
    const message = document.getElementById('message');
    if (message) message.after(offer);
    else document.querySelector('.sidebar')?.prepend(offer);
    const { hint: status, list } = appendPanelSection('Autosaved scans', 'Every change is saved in this browser.', 'ul', 'autosave-list');
    status.dataset.testid = 'autosave-status';
    return { offer, list, status };
  }
}
