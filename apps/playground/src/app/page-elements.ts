/** Small helpers over the page's fixed elements (ids from index.html). */

/** The element with id `id`; throws when the page lacks it. */
export function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** CSS colour of an RGB triple (0–255 each). */
export function rgbCss([red, green, blue]: [number, number, number]): string {
  return `rgb(${red}, ${green}, ${blue})`;
}

/**
 * Shows `text` in the message bar, as an error (default) or a notice; `source` names what showed it (in the
 * element's `data-source`), so that part of the page can take its own notice down again.
 */
export function showMessage(text: string, kind: 'error' | 'info' = 'error', source?: string): void {
  const message = element('message');
  message.textContent = text;
  message.classList.toggle('info', kind === 'info');
  message.hidden = false;
  message.dataset.kind = kind;
  if (source) message.dataset.source = source;
  else delete message.dataset.source;
}

/** Hides the message bar. */
export function hideMessage(): void {
  element('message').hidden = true;
}

/** Shows the busy overlay with `text`, or hides it when `text` is undefined. */
export function setBusy(text: string | undefined): void {
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

/** Makes the browser download `blob` as `fileName`. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Appends a side-panel section (heading, hint line, list) to the sidebar, for panels the page builds at run time.
 * Returns the hint line and the list.
 */
export function appendPanelSection(title: string, hintText: string, listTag: 'ol' | 'ul', listTestId: string): { hint: HTMLElement; list: HTMLElement } {
  const section = document.createElement('section');
  const heading = document.createElement('h2');
  heading.textContent = title;
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = hintText;
  const list = document.createElement(listTag);
  list.className = 'click-list';
  list.dataset.testid = listTestId;
  section.append(heading, hint, list);
  document.querySelector('.sidebar')?.append(section);
  return { hint, list };
}
