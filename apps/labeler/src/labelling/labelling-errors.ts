/** Raised for a clicks file that is not what `pointclick-label` expects; the message names the file and the field. */
export class ClickFileError extends Error {
  override readonly name = 'ClickFileError';
  /** The clicks file. */
  readonly fileName: string;
  /** JSON path of the offending value, e.g. `scans["a.ply"][2].position`. */
  readonly field?: string;

  constructor(fileName: string, message: string, field?: string) {
    super(`${fileName}${field ? ` (${field})` : ''}: ${message}`);
    this.fileName = fileName;
    this.field = field;
  }
}

/** Raised when a labelling run cannot start: conflicting outputs, an unknown format, an output that would overwrite a scan. */
export class LabelRunError extends Error {
  override readonly name = 'LabelRunError';
}
