import type { PlaygroundClick } from '../worker/worker-protocol.js';
import type { SessionState } from './session-history.js';
import { describeError } from '../scan/error-messages.js';

/** Value of the `format` key of a saved session. */
export const SESSION_FORMAT = 'pointclick-session';

/** What identifies the scan a session belongs to. */
export interface ScanIdentity {
  /** File name, or the default scene's description. */
  name: string;
  /** Number of points. */
  pointCount: number;
  /** Hash of the positions (see {@link fingerprintPositions}). */
  fingerprint: string;
  /** Seed of the generated default scene, when the scan is it. */
  defaultSceneSeed?: number;
}

/** A saved session: the scan's identity, the clicks and the user's object settings. */
export interface SessionDocument {
  format: typeof SESSION_FORMAT;
  version: 1;
  scan: ScanIdentity;
  state: SessionState;
  /** Class names of the model the session was made with. */
  classNames: string[];
}

/** Error of {@link parseSessionDocument}: names the file and the field. */
export class SessionFileError extends Error {
  override name = 'SessionFileError';
}

/**
 * FNV-1a hash of the position bytes, sampled (at most ~1M values) so that fingerprinting 5M points takes
 * milliseconds; two different scans of one point count differ in their sampled positions.
 */
export function fingerprintPositions(positions: Float32Array): string {
  const words = new Uint32Array(positions.buffer, positions.byteOffset, positions.length);
  const stride = Math.max(1, Math.floor(words.length / 1_000_000));
  let hash = 0x811c9dc5;
  for (let index = 0; index < words.length; index += stride) {
    hash ^= words[index];
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${words.length}:${stride}:${hash.toString(16).padStart(8, '0')}`;
}

/** Serialises a session as JSON text. */
export function writeSessionDocument(scan: ScanIdentity, state: SessionState, classNames: string[]): string {
  const document: SessionDocument = { format: SESSION_FORMAT, version: 1, scan, state, classNames };
  return JSON.stringify(document, null, 1);
}

/** Parses and checks a session file; throws a {@link SessionFileError} naming the field. */
export function parseSessionDocument(text: string, fileName: string): SessionDocument {
  const fail = (field: string, expected: string): never => {
    throw new SessionFileError(`${fileName}: field '${field}': expected ${expected}`);
  };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new SessionFileError(`${fileName}: not valid JSON (${(error as Error).message})`);
  }
  const record = document as Partial<SessionDocument>;
  if (!record || typeof record !== 'object') fail('(root)', 'a JSON object');
  if (record.format !== SESSION_FORMAT) fail('format', `'${SESSION_FORMAT}'`);
  if (record.version !== 1) fail('version', '1');
  const scan = record.scan;
  if (!scan || typeof scan.name !== 'string' || !Number.isInteger(scan.pointCount) || typeof scan.fingerprint !== 'string') {
    fail('scan', '{ name, pointCount, fingerprint }');
  }
  const state = record.state;
  if (!state || !Array.isArray(state.clicks) || typeof state.objects !== 'object' || !Number.isInteger(state.activeObjectId)) {
    fail('state', '{ clicks, activeObjectId, objects }');
  }
  state!.clicks.forEach((click: PlaygroundClick, index: number) => {
    if (!Number.isInteger(click?.pointIndex) || click.pointIndex < 0 || click.pointIndex >= scan!.pointCount) {
      fail(`state.clicks[${index}].pointIndex`, `an integer in 0…${scan!.pointCount - 1}`);
    }
    if (!Number.isInteger(click.objectId) || click.objectId <= 0) fail(`state.clicks[${index}].objectId`, 'a positive integer');
    if (click.kind !== 'object' && click.kind !== 'background') fail(`state.clicks[${index}].kind`, "'object' or 'background'");
  });
  if (state!.strokes !== undefined) {
    if (!Array.isArray(state!.strokes)) fail('state.strokes', 'an array of strokes');
    state!.strokes.forEach((stroke, index) => {
      if (!Number.isInteger(stroke?.objectId) || stroke.objectId <= 0) fail(`state.strokes[${index}].objectId`, 'a positive integer');
      if (stroke.mode !== 'add' && stroke.mode !== 'remove') fail(`state.strokes[${index}].mode`, "'add' or 'remove'");
      if (stroke.tool !== 'brush' && stroke.tool !== 'lasso') fail(`state.strokes[${index}].tool`, "'brush' or 'lasso'");
      if (!Array.isArray(stroke.pointIndices)) fail(`state.strokes[${index}].pointIndices`, 'an array of point indices');
      stroke.pointIndices.forEach((point, slot) => {
        if (!Number.isInteger(point) || point < 0 || point >= scan!.pointCount) {
          fail(`state.strokes[${index}].pointIndices[${slot}]`, `an integer in 0…${scan!.pointCount - 1}`);
        }
      });
    });
  }
  if (!Array.isArray(record.classNames)) fail('classNames', 'an array of strings');
  return record as SessionDocument;
}

/** What opening a session file means for the open scan (see {@link planSessionOpening}). */
export type SessionOpening =
  | { kind: 'apply'; state: SessionState }
  | { kind: 'load-default'; state: SessionState; fingerprint: string; defaultSceneSeed: number }
  | { kind: 'error'; message: string };

/**
 * Reads a session file and decides how to open it: apply it to the open scan when the fingerprints match, load
 * the default scene it was made on, or explain why it cannot be opened (another scan, an unreadable file).
 * @param openFingerprint Fingerprint of the open scan, if any.
 */
export async function planSessionOpening(file: File, openFingerprint: string | undefined): Promise<SessionOpening> {
  try {
    const document = parseSessionDocument(await file.text(), file.name);
    if (openFingerprint === document.scan.fingerprint) return { kind: 'apply', state: document.state };
    if (document.scan.defaultSceneSeed !== undefined) {
      return { kind: 'load-default', state: document.state, fingerprint: document.scan.fingerprint, defaultSceneSeed: document.scan.defaultSceneSeed };
    }
    return {
      kind: 'error',
      message: `${file.name} belongs to ${document.scan.name} (${document.scan.pointCount.toLocaleString()} points), not to the open scan: open that scan first, then the session.`,
    };
  } catch (error) {
    return { kind: 'error', message: `Cannot open the session: ${describeError(error)}` };
  }
}
