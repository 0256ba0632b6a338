import type { ImportedLabels } from '../export/label-import.js';
import { createEmptySession, type SessionState } from '../state/session-history.js';
import type { ListedObject } from './object-list-panel.js';

/**
 * Imported labels as the base layer under the segmenter: a point keeps its imported object unless the segmenter
 * gives it to an object (a click on a new object, or more clicks on an imported one, take points over), or the
 * imported object was deleted (its settings are gone from the session state). Returns the model's labels when
 * nothing was imported.
 */
export function mergeImportedLabels(imported: ImportedLabels | undefined, modelInstance: Int32Array | undefined, state: SessionState): Int32Array | undefined {
  if (!imported) return modelInstance;
  const merged = new Int32Array(imported.instance.length);
  for (let point = 0; point < merged.length; point++) {
    const predicted = modelInstance?.[point] ?? 0;
    if (predicted > 0) merged[point] = predicted;
    else {
      const objectId = imported.instance[point];
      if (objectId > 0 && state.objects[objectId] !== undefined) merged[point] = objectId;
    }
  }
  return merged;
}

/**
 * The object list with the imported objects added (those still in the session), and every object's point count
 * taken from the merged labels, so the list, the colours and the exports agree.
 */
export function listWithImported(listed: readonly ListedObject[], imported: ImportedLabels | undefined, merged: Int32Array | undefined, state: SessionState, classNames: readonly string[]): ListedObject[] {
  if (!imported || !merged) return [...listed];
  const counts = new Map<number, number>();
  for (const objectId of merged) if (objectId > 0) counts.set(objectId, (counts.get(objectId) ?? 0) + 1);
  const byId = new Map(listed.map((object) => [object.objectId, object]));
  for (const { objectId } of imported.objects) {
    const settings = state.objects[objectId];
    if (!settings || byId.has(objectId)) continue;
    const classIndex = settings.classOverride ?? -1;
    byId.set(objectId, {
      objectId,
      // An imported class is certain: all of the probability on it (none when the import had no class).
      prediction: {
        objectId,
        classIndex,
        className: classNames[classIndex] ?? '',
        classProbability: 1,
        classProbabilities: Float32Array.from(classNames, (_, index) => (index === classIndex ? 1 : 0)),
        score: 1,
        pointCount: 0,
      },
      classIndex,
      confidence: 1,
      visible: settings.visible,
      overridden: true,
      clickCount: 0,
    });
  }
  return [...byId.values()]
    .sort((left, right) => left.objectId - right.objectId)
    .map((object) => (object.prediction ? { ...object, prediction: { ...object.prediction, pointCount: counts.get(object.objectId) ?? 0 } } : object));
}

/**
 * The session that starts from imported labels: no clicks, each imported object present with its class (looked up
 * by name in `classNames`, case and spacing ignored; names the model does not know are appended to `classNames`),
 * and a fresh object id active.
 */
export function sessionFromImport(imported: ImportedLabels, classNames: string[]): SessionState {
  const normalize = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, ' ').trim();
  const state = createEmptySession();
  let largest = 0;
  for (const object of imported.objects) {
    let classIndex = classNames.findIndex((name) => normalize(name) === normalize(object.className));
    if (classIndex < 0) classIndex = classNames.push(object.className) - 1;
    state.objects[object.objectId] = { visible: true, classOverride: classIndex };
    largest = Math.max(largest, object.objectId);
  }
  state.activeObjectId = largest + 1;
  return state;
}
