import { writeSessionDocument, type ScanIdentity } from '../state/session-file.js';
import type { SessionState } from '../state/session-history.js';
import type { LoadedScan } from '../worker/worker-protocol.js';
import { downloadBlob } from './page-elements.js';

/** File name stem for downloads: the scan's file name without its extension, or `default-scene`. */
export function baseNameOf(scan: Pick<LoadedScan, 'name' | 'format'>): string {
  const name = scan.format === 'generated' ? 'default-scene' : scan.name;
  return name.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_');
}

/** Downloads the session (clicks, object settings, class names) as `<scan>.session.json`. */
export function downloadSession(scan: Pick<LoadedScan, 'name' | 'format'>, identity: ScanIdentity, state: SessionState, classNames: string[]): void {
  const text = writeSessionDocument(identity, state, classNames);
  downloadBlob(new Blob([text], { type: 'application/json' }), `${baseNameOf(scan)}.session.json`);
}
