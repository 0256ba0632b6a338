import type { SegmentedObject } from '@pointclick/segmenter';
import { colorOfClass, colorOfObject } from '../viewer/point-colors.js';
import { deleteObject, removeClick, selectObject, updateObject, type SessionHistory, type SessionState } from '../state/session-history.js';
import { paintedObjectIds } from '../state/correction-strokes.js';
import { element, rgbCss } from './page-elements.js';
import { appendClassOptions } from './class-choices.js';

/** One row of the object list: an object with clicks, merged with the latest prediction. */
export interface ListedObject {
  objectId: number;
  /** The segmenter's latest result for the object, if any. */
  prediction?: SegmentedObject;
  /** The user's class override, else the predicted class; -1 when neither exists. */
  classIndex: number;
  /** Class probability in [0, 1] (1 when the user set the class). */
  confidence: number;
  visible: boolean;
  /** Whether the user overrode the predicted class. */
  overridden: boolean;
  clickCount: number;
}

/** Objects to list: every object with a click, merged with the latest prediction, in objectId order. */
export function listObjects(state: SessionState, predictions: ReadonlyMap<number, SegmentedObject> | undefined): ListedObject[] {
  const ids = new Set<number>();
  for (const click of state.clicks) if (click.kind === 'object') ids.add(click.objectId);
  for (const objectId of paintedObjectIds(state.strokes ?? [])) ids.add(objectId);
  return [...ids].sort((left, right) => left - right).map((objectId) => {
    const prediction = predictions?.get(objectId);
    const settings = state.objects[objectId];
    const overridden = settings?.classOverride !== undefined;
    return {
      objectId,
      prediction,
      classIndex: overridden ? settings.classOverride! : (prediction?.classIndex ?? -1),
      confidence: overridden ? 1 : (prediction?.classProbability ?? 0),
      visible: settings?.visible ?? true,
      overridden,
      clickCount: state.clicks.filter((click) => click.kind === 'object' && click.objectId === objectId).length,
    };
  });
}

/**
 * Renders the side panel: undo/redo state, the active object, the object list (select, show, delete, class
 * override) and the click list. Every edit goes through `history`, so it can be undone.
 */
export function renderPanel(history: SessionHistory, objects: readonly ListedObject[], classNames: readonly string[], modelReady: boolean): void {
  const state = history.state;
  element<HTMLButtonElement>('undo').disabled = !history.canUndo;
  element<HTMLButtonElement>('redo').disabled = !history.canRedo;
  const active = element('active-object');
  active.innerHTML = '';
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.cssText = `display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:middle;background:${rgbCss(colorOfObject(state.activeObjectId))}`;
  active.append(swatch, ` object ${state.activeObjectId}`);

  const list = element('object-list');
  list.innerHTML = '';
  for (const object of objects) {
    const row = document.createElement('li');
    row.dataset.testid = 'object-row';
    row.dataset.objectId = String(object.objectId);
    row.dataset.pointCount = String(object.prediction?.pointCount ?? 0);
    row.dataset.className = object.classIndex >= 0 ? (classNames[object.classIndex] ?? '') : '';
    if (object.objectId === state.activeObjectId) row.classList.add('active');
    const color = document.createElement('span');
    color.className = 'swatch';
    color.style.background = rgbCss(colorOfObject(object.objectId));
    const name = document.createElement('span');
    name.textContent = `Object ${object.objectId}`;
    name.style.cursor = 'pointer';
    name.title = 'Make this the active object';
    name.onclick = () => history.apply((current) => selectObject(current, object.objectId));
    const visibility = document.createElement('input');
    visibility.type = 'checkbox';
    visibility.checked = object.visible;
    visibility.title = 'Show the mask';
    visibility.onchange = () => history.apply((current) => updateObject(current, object.objectId, { visible: visibility.checked }));
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '✕';
    remove.title = 'Delete the object and its clicks';
    remove.onclick = () => history.apply((current) => deleteObject(current, object.objectId));
    const details = document.createElement('span');
    details.className = 'details';
    const select = document.createElement('select');
    select.title = "Class (ordered by the model's probabilities, ★ its top three; change it to override)";
    if (object.classIndex < 0) select.append(new Option(modelReady ? '(segmenting…)' : '(no prediction)', '-1', true, true));
    appendClassOptions(select, classNames, object.prediction?.classProbabilities, object.classIndex);
    select.onchange = () => {
      const classIndex = Number(select.value);
      history.apply((current) => updateObject(current, object.objectId, { classOverride: classIndex >= 0 ? classIndex : undefined }));
    };
    const confidence = object.overridden ? 'set by you' : object.prediction ? `${(object.confidence * 100).toFixed(0)}%` : '';
    const points = object.prediction ? `${object.prediction.pointCount.toLocaleString()} points` : 'no points yet';
    details.append(select, ` ${confidence} · ${points} · ${object.clickCount} click${object.clickCount === 1 ? '' : 's'}`);
    const classSwatch = object.classIndex >= 0 ? colorOfClass(object.classIndex) : undefined;
    if (classSwatch) select.style.borderColor = rgbCss(classSwatch);
    row.append(color, name, visibility, remove, details);
    list.append(row);
  }

  const clickList = element('click-list');
  clickList.innerHTML = '';
  state.clicks.forEach((click, index) => {
    const item = document.createElement('li');
    item.dataset.testid = 'click-row';
    item.append(click.kind === 'background' ? `background (point ${click.pointIndex})` : `object ${click.objectId} (point ${click.pointIndex})`);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '✕';
    remove.title = 'Remove this click';
    remove.onclick = () => history.apply((current) => removeClick(current, index));
    item.append(remove);
    clickList.append(item);
  });
}
