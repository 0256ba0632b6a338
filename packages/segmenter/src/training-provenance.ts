/**
 * Training-data provenance of a checkpoint (`config.provenance`): which scenes its weights were trained on,
 * accumulated through a fine-tuning lineage, and the check of an evaluation or selection scene against it.
 */

/** Inclusive range of generator seeds: rooms `first`, `first + 1`, …, `last`. */
export interface SeedRange {
  /** Seed of the first generated scene. */
  first: number;
  /** Seed of the last generated scene (inclusive, ≥ `first`). */
  last: number;
}

/**
 * Scenes of one dataset the weights were trained on: dataset scenes by id, or generated scenes by seed range.
 * Scene `<dataset>-<seed>` of a generator (`synthetic-indoor-1003`) is seed 1003 of dataset `synthetic-indoor`.
 */
export type TrainingDataRecord =
  | {
      /** Dataset name: the dataset folder's basename (`scannet-votenet`, `scannet-extra`, `osd-learn`). */
      dataset: string;
      /** Scene ids as the dataset adapter names them (`scene0001_01`, `learn0`), sorted. */
      scenes: string[];
    }
  | {
      /** Generator name (`synthetic-indoor`, `synthetic-outdoor`). */
      dataset: string;
      /** The generated scenes' seeds. */
      seeds: SeedRange;
    };

/**
 * What the weights were trained on. Absent from a checkpoint: unknown (files written before provenance was recorded).
 */
export interface TrainingProvenance {
  /** Every dataset's training scenes, over the whole lineage (`--init-from` chain). */
  trainedOn: TrainingDataRecord[];
  /**
   * Checkpoints of the lineage whose own training data is unknown (a parent without provenance, a foreign weight
   * file), as they were named: the weights also saw data not listed in `trainedOn`. Absent: the list is complete.
   */
  unknownSources?: string[];
}

/** How a scene read for evaluation or selection relates to a checkpoint's training data. */
export interface SeenSceneReport {
  /** Scene id as read (`scene0001_00`, `synthetic-indoor-800000`). */
  scene: string;
  /** Dataset of the scene (folder basename or generator name). */
  dataset: string;
  /**
   * `true`: the scene (for ScanNet ids, its room) was trained on; `false`: it was not, and the lineage is fully
   * recorded; `'unknown'`: no provenance, or not listed but part of the lineage is unknown.
   */
  seen: boolean | 'unknown';
  /** The training scene that matched (for ScanNet ids a scan of the same room), when `seen` is true. */
  trainingScene?: string;
  /** Dataset of `trainingScene`. */
  trainingDataset?: string;
  /** ScanNet room (`scene0001`) when matched by room. */
  room?: string;
}

/** ScanNet scan ids `sceneXXXX_YY`: the same XXXX is the same room, rescanned. */
const SCANNET_SCAN = /^(scene\d{4})_\d{2}$/;

/** The ScanNet room (`scene0001`) of a scan id (`scene0001_01`), or undefined for other ids. */
export function scannetRoomOf(sceneId: string): string | undefined {
  return SCANNET_SCAN.exec(sceneId)?.[1];
}

/**
 * Checks a parsed `config.provenance` value; returns a message naming the bad field (under `field`), or
 * undefined when it is valid.
 */
export function findProvenanceProblem(value: unknown, field = 'config.provenance'): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return `field '${field}': expected an object { trainedOn, unknownSources? }, got ${JSON.stringify(value)}`;
  const { trainedOn, unknownSources } = value as Record<string, unknown>;
  if (!Array.isArray(trainedOn)) return `field '${field}.trainedOn': expected an array of { dataset, scenes } or { dataset, seeds }, got ${JSON.stringify(trainedOn)}`;
  for (const [index, record] of trainedOn.entries()) {
    const at = `${field}.trainedOn[${index}]`;
    const entry = (record ?? {}) as Record<string, unknown>;
    if (typeof entry.dataset !== 'string' || entry.dataset === '') return `field '${at}.dataset': expected a non-empty string, got ${JSON.stringify(entry.dataset)}`;
    if ((entry.scenes === undefined) === (entry.seeds === undefined)) return `field '${at}': expected exactly one of 'scenes' (ids) and 'seeds' ({ first, last })`;
    if (entry.scenes !== undefined && !(Array.isArray(entry.scenes) && entry.scenes.every((scene) => typeof scene === 'string' && scene !== ''))) {
      return `field '${at}.scenes': expected an array of scene ids (non-empty strings), got ${JSON.stringify(entry.scenes)}`;
    }
    if (entry.seeds !== undefined) {
      const seeds = (entry.seeds ?? {}) as Record<string, unknown>;
      if (!(Number.isInteger(seeds.first) && Number.isInteger(seeds.last) && (seeds.first as number) >= 0 && (seeds.last as number) >= (seeds.first as number))) {
        return `field '${at}.seeds': expected { first, last } with integers 0 ≤ first ≤ last, got ${JSON.stringify(entry.seeds)}`;
      }
    }
  }
  if (unknownSources !== undefined && !(Array.isArray(unknownSources) && unknownSources.every((source) => typeof source === 'string'))) {
    return `field '${field}.unknownSources': expected an array of checkpoint names, got ${JSON.stringify(unknownSources)}`;
  }
  return undefined;
}

/** Sorted, merged seed ranges: overlapping or adjacent ranges become one. */
function mergeSeedRanges(ranges: SeedRange[]): SeedRange[] {
  const merged: SeedRange[] = [];
  for (const range of [...ranges].sort((a, b) => a.first - b.first)) {
    const last = merged[merged.length - 1];
    if (last && range.first <= last.last + 1) last.last = Math.max(last.last, range.last);
    else merged.push({ ...range });
  }
  return merged;
}

/**
 * The union of provenances, for weights trained on each of them in turn (a fine-tune of a parent): scene ids
 * merged per dataset, seed ranges merged per generator, unknown sources kept. A part whose provenance is unknown
 * is passed as `{ trainedOn: [], unknownSources: [its name] }`, never as an empty record.
 */
export function mergeTrainingProvenance(...parts: TrainingProvenance[]): TrainingProvenance {
  const scenesOf = new Map<string, Set<string>>();
  const seedsOf = new Map<string, SeedRange[]>();
  const unknownSources: string[] = [];
  for (const part of parts) {
    for (const record of part.trainedOn) {
      if ('scenes' in record) {
        const scenes = scenesOf.get(record.dataset) ?? new Set<string>();
        for (const scene of record.scenes) scenes.add(scene);
        scenesOf.set(record.dataset, scenes);
      } else {
        seedsOf.set(record.dataset, [...(seedsOf.get(record.dataset) ?? []), record.seeds]);
      }
    }
    for (const source of part.unknownSources ?? []) if (!unknownSources.includes(source)) unknownSources.push(source);
  }
  const trainedOn: TrainingDataRecord[] = [];
  for (const [dataset, scenes] of scenesOf) trainedOn.push({ dataset, scenes: [...scenes].sort() });
  for (const [dataset, ranges] of seedsOf) for (const seeds of mergeSeedRanges(ranges)) trainedOn.push({ dataset, seeds });
  return unknownSources.length > 0 ? { trainedOn, unknownSources } : { trainedOn };
}

/**
 * Whether a scene was trained on: ScanNet scan ids match by room across every dataset (`scene0001_00` is seen
 * when `scene0001_01` was trained on, whichever folder held it); generated scenes `<generator>-<seed>` match by
 * seed range; other ids match by dataset and id. `provenance` undefined: `seen: 'unknown'`.
 */
export function findSeenScene(provenance: TrainingProvenance | undefined, scene: { dataset: string; id: string }): SeenSceneReport {
  const report = { scene: scene.id, dataset: scene.dataset };
  if (!provenance) return { ...report, seen: 'unknown' };
  const room = scannetRoomOf(scene.id);
  let match: SeenSceneReport | undefined;
  for (const record of provenance.trainedOn) {
    if ('scenes' in record) {
      if (room !== undefined) {
        const sameRoom = record.scenes.filter((trained) => scannetRoomOf(trained) === room);
        // The scan itself is the plainest witness; another scan of the room otherwise.
        const trained = sameRoom.find((id) => id === scene.id) ?? sameRoom[0];
        if (trained !== undefined && (match === undefined || trained === scene.id)) match = { ...report, seen: true, trainingScene: trained, trainingDataset: record.dataset, room };
      } else if (record.dataset === scene.dataset && record.scenes.includes(scene.id)) {
        match = { ...report, seen: true, trainingScene: scene.id, trainingDataset: record.dataset };
      }
    } else if (scene.id.startsWith(`${record.dataset}-`)) {
      const seed = Number(scene.id.slice(record.dataset.length + 1));
      if (Number.isInteger(seed) && seed >= record.seeds.first && seed <= record.seeds.last) match = { ...report, seen: true, trainingScene: scene.id, trainingDataset: record.dataset };
    }
    if (match?.trainingScene === scene.id) break;
  }
  if (match) return match;
  return { ...report, seen: provenance.unknownSources && provenance.unknownSources.length > 0 ? 'unknown' : false };
}

/** One line for a report: `scene0001_00: seen in training (room scene0001 via scene0001_01 of scannet-votenet)`. */
export function describeSeenScene(report: SeenSceneReport): string {
  if (report.seen === true) {
    const via = report.room !== undefined ? `room ${report.room} via ${report.trainingScene}` : report.trainingScene;
    return `${report.scene}: seen in training (${via} of ${report.trainingDataset})`;
  }
  if (report.seen === false) return `${report.scene}: not seen in training`;
  return `${report.scene}: unknown whether seen in training (the checkpoint's training data is not, or not wholly, recorded)`;
}
