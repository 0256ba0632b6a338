import type { ScanIdentity } from './session-file.js';
import type { SessionState } from './session-history.js';

/** Camera placement: position and orbit target in metres. */
export interface SavedView {
  position: [number, number, number];
  target: [number, number, number];
}

/** One autosaved session, keyed by its scan's fingerprint. */
export interface AutosaveRecord {
  /** The scan's fingerprint (the key). */
  fingerprint: string;
  scan: ScanIdentity;
  state: SessionState;
  /** Class names of the model the session was made with. */
  classNames: string[];
  /** The camera when it was saved. */
  view?: SavedView;
  /** When it was saved, milliseconds since the Unix epoch. */
  savedAt: number;
}

/** What the list of autosaved scans shows, without the session itself. */
export interface AutosaveSummary {
  fingerprint: string;
  /** The scan's file name or description. */
  name: string;
  pointCount: number;
  savedAt: number;
  clickCount: number;
  strokeCount: number;
}

/** A failed autosave operation; `quota` is true when the browser's storage quota is full. */
export class AutosaveError extends Error {
  override name = 'AutosaveError';
  constructor(
    message: string,
    /** Whether the cause is the storage quota (QuotaExceededError). */
    readonly quota: boolean,
  ) {
    super(message);
  }
}

const DATABASE_NAME = 'pointclick-autosave';
const DATABASE_VERSION = 1;
const SESSIONS = 'sessions';
const SUMMARIES = 'summaries';

function describeDomError(error: DOMException | Error | null | undefined): string {
  return error ? `${error.name}: ${error.message}` : 'unknown error';
}

function isQuotaError(error: DOMException | Error | null | undefined): boolean {
  return error?.name === 'QuotaExceededError';
}

/** Resolves when the transaction commits; rejects with an {@link AutosaveError} (quota flagged) when it fails. */
function completion(transaction: IDBTransaction, action: string): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    const fail = () => {
      const error = transaction.error;
      reject(new AutosaveError(`${action} failed: ${describeDomError(error)}`, isQuotaError(error)));
    };
    transaction.onerror = fail;
    transaction.onabort = fail;
  });
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new AutosaveError(`reading the autosave failed: ${describeDomError(request.error)}`, false));
  });
}

/**
 * Autosaved sessions in IndexedDB, one per scan fingerprint: the whole session in one store, a small summary in
 * another (for the list), both written in one transaction. Writes are ordered: IndexedDB runs read-write
 * transactions on one store in the order they were made, so the latest write wins.
 */
export class AutosaveStore {
  private constructor(private readonly database: IDBDatabase) {}

  /** Opens (and on first use creates) the database. */
  static open(): Promise<AutosaveStore> {
    return new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined') {
        reject(new AutosaveError('this browser offers no IndexedDB (a private window may disable it)', false));
        return;
      }
      const request = indexedDB.open(DATABASE_NAME, DATABASE_VERSION);
      request.onupgradeneeded = () => {
        const database = request.result;
        if (!database.objectStoreNames.contains(SESSIONS)) database.createObjectStore(SESSIONS, { keyPath: 'fingerprint' });
        if (!database.objectStoreNames.contains(SUMMARIES)) database.createObjectStore(SUMMARIES, { keyPath: 'fingerprint' });
      };
      request.onsuccess = () => resolve(new AutosaveStore(request.result));
      request.onerror = () => reject(new AutosaveError(`cannot open the autosave database: ${describeDomError(request.error)}`, isQuotaError(request.error)));
      request.onblocked = () => reject(new AutosaveError('cannot open the autosave database: another tab holds an older version open', false));
    });
  }

  /** Writes `record` (replacing the scan's previous one); resolves once it is committed to disk. */
  save(record: AutosaveRecord): Promise<void> {
    let transaction: IDBTransaction;
    try {
      transaction = this.database.transaction([SESSIONS, SUMMARIES], 'readwrite', { durability: 'strict' });
      transaction.objectStore(SESSIONS).put(record);
      transaction.objectStore(SUMMARIES).put(summarize(record));
    } catch (error) {
      // put() throws synchronously for data it cannot clone, and some browsers report the quota here.
      return Promise.reject(new AutosaveError(`saving the session failed: ${describeDomError(error as Error)}`, isQuotaError(error as Error)));
    }
    return completion(transaction, 'saving the session');
  }

  /** The autosaved session of the scan with `fingerprint`, if any. */
  async load(fingerprint: string): Promise<AutosaveRecord | undefined> {
    const transaction = this.database.transaction(SESSIONS, 'readonly');
    return (await requestResult(transaction.objectStore(SESSIONS).get(fingerprint))) as AutosaveRecord | undefined;
  }

  /** Every autosaved scan, most recent first. */
  async list(): Promise<AutosaveSummary[]> {
    const transaction = this.database.transaction(SUMMARIES, 'readonly');
    const summaries = (await requestResult(transaction.objectStore(SUMMARIES).getAll())) as AutosaveSummary[];
    return summaries.sort((left, right) => right.savedAt - left.savedAt);
  }

  /** Deletes the autosaved session of the scan with `fingerprint`. */
  delete(fingerprint: string): Promise<void> {
    const transaction = this.database.transaction([SESSIONS, SUMMARIES], 'readwrite');
    transaction.objectStore(SESSIONS).delete(fingerprint);
    transaction.objectStore(SUMMARIES).delete(fingerprint);
    return completion(transaction, 'deleting the autosave');
  }
}

/** The list entry of a record. */
export function summarize(record: AutosaveRecord): AutosaveSummary {
  return {
    fingerprint: record.fingerprint,
    name: record.scan.name,
    pointCount: record.scan.pointCount,
    savedAt: record.savedAt,
    clickCount: record.state.clicks.length,
    strokeCount: record.state.strokes?.length ?? 0,
  };
}
