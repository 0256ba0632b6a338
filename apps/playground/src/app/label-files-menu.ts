import { LABEL_EXPORT_FORMATS, type LabelExportFormat } from '../export/label-formats.js';
import { element } from './page-elements.js';

/** What the Export menu and the Import labels button ask of the app. */
export interface LabelFileActions {
  /** Exports the labels in `format` (built in the worker). */
  exportAs(format: LabelExportFormat): void;
  /** Imports labels from the picked files. */
  importLabels(files: File[]): Promise<void>;
}

/** Fills the Export format menu and binds it and the Import labels file input. */
export function bindLabelFileControls(actions: LabelFileActions): void {
  const select = element<HTMLSelectElement>('export-format');
  select.innerHTML = '';
  for (const entry of LABEL_EXPORT_FORMATS) {
    const option = new Option(entry.title, entry.format);
    option.title = entry.description;
    select.append(option);
  }
  element('export-as').onclick = () => actions.exportAs(select.value as LabelExportFormat);
  element<HTMLInputElement>('import-labels-input').addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    if (files.length > 0) void actions.importLabels(files);
    input.value = '';
  });
}
