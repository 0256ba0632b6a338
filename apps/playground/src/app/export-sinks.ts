/**
 * Where a streaming export's chunks go: straight into a file the user picked (the File System Access API's
 * `showSaveFilePicker` and a `FileSystemWritableFileStream`, in Chromium), else into a list of chunks that becomes a
 * Blob download at the end (Blob parts: the chunks are not copied into one buffer here).
 */
import { downloadBlob } from './page-elements.js';

/** A destination for a file's chunks, written in order. */
export interface ExportSink {
  /** `'file'`: written to the picked file as chunks come; `'blob'`: downloaded as a Blob when complete. */
  readonly kind: 'file' | 'blob';
  /** Appends a chunk (the promise settles when it is written). */
  write(chunk: Uint8Array): Promise<void>;
  /** Completes the file: the picked file gets its contents, or the Blob is downloaded. */
  close(): Promise<void>;
  /** Drops what was written: the picked file is left as it was before (the browser discards its temporary copy), no download starts. */
  abort(): Promise<void>;
}

/** The parts of the File System Access API used here (not in TypeScript's DOM library). */
interface SaveFilePickerWindow {
  showSaveFilePicker?: (options: { suggestedName: string }) => Promise<FileSystemFileHandle>;
}

/**
 * Opens the destination of a download called `fileName`. Where the browser has `showSaveFilePicker` it asks for the
 * file (call this straight from the click, while the page has the user's activation); undefined when the user
 * closes the dialog. Elsewhere, or when the browser refuses the dialog for another reason, chunks are kept for a Blob.
 */
export async function openExportSink(fileName: string, mimeType: string): Promise<ExportSink | undefined> {
  const picker = (window as unknown as SaveFilePickerWindow).showSaveFilePicker;
  if (picker) {
    let handle: FileSystemFileHandle;
    try {
      handle = await picker.call(window, { suggestedName: fileName });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return undefined;
      // No activation left, a sandboxed frame, …: the Blob download still works.
      return blobSink(fileName, mimeType);
    }
    return fileSink(await handle.createWritable());
  }
  return blobSink(fileName, mimeType);
}

function fileSink(writable: FileSystemWritableFileStream): ExportSink {
  return {
    kind: 'file',
    write: (chunk) => writable.write(chunk as Uint8Array<ArrayBuffer>),
    close: () => writable.close(),
    abort: () => writable.abort(),
  };
}

function blobSink(fileName: string, mimeType: string): ExportSink {
  let parts: Uint8Array<ArrayBuffer>[] = [];
  return {
    kind: 'blob',
    write: (chunk) => {
      parts.push(chunk as Uint8Array<ArrayBuffer>);
      return Promise.resolve();
    },
    close: () => {
      downloadBlob(new Blob(parts, { type: mimeType }), fileName);
      parts = [];
      return Promise.resolve();
    },
    abort: () => {
      parts = [];
      return Promise.resolve();
    },
  };
}
