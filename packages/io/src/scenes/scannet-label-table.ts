import { PointCloudFormatError } from '../core/point-cloud-format-error.js';

/** ScanNet's `scannetv2-labels.combined.tsv`, reduced to the NYU40 mapping. */
export interface ScannetLabelTable {
  /** NYU40 class id (1..40) by ScanNet raw category (the `label` of an aggregation segGroup). */
  nyu40IdByRawCategory: Map<string, number>;
  /** NYU40 class name by id, e.g. `{ 1: 'wall', 5: 'chair' }`. */
  nyu40ClassNames: Record<number, string>;
}

/**
 * Parses ScanNet's label table (tab-separated, header row with `raw_category`, `nyu40id`,
 * `nyu40class` among its columns).
 *
 * @param text - Contents of `scannetv2-labels.combined.tsv`.
 * @param fileName - File name, for errors.
 * @throws {@link PointCloudFormatError} (format `'scannet'`) for a missing column or a bad id.
 */
export function parseScannetLabelTable(text: string, fileName = 'scannetv2-labels.combined.tsv'): ScannetLabelTable {
  const lines = text.split(/\r?\n/);
  const columns = (lines[0] ?? '').split('\t');
  const column = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new PointCloudFormatError({ format: 'scannet', fileName, line: 1, field: name, message: `label table has no '${name}' column` });
    return index;
  };
  const rawColumn = column('raw_category');
  const idColumn = column('nyu40id');
  const classColumn = column('nyu40class');
  const nyu40IdByRawCategory = new Map<string, number>();
  const nyu40ClassNames: Record<number, string> = {};
  for (let lineIndex = 1; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex];
    if (line.trim().length === 0) continue;
    const cells = line.split('\t');
    const identifier = Number(cells[idColumn]);
    if (!Number.isInteger(identifier) || identifier < 0 || identifier > 40) {
      throw new PointCloudFormatError({
        format: 'scannet',
        fileName,
        line: lineIndex + 1,
        field: 'nyu40id',
        message: `nyu40id '${cells[idColumn]}' is not an integer in 0..40`,
      });
    }
    nyu40IdByRawCategory.set(cells[rawColumn], identifier);
    if (identifier > 0 && cells[classColumn]) nyu40ClassNames[identifier] = cells[classColumn]!;
  }
  return { nyu40IdByRawCategory, nyu40ClassNames };
}
