import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { ClassMappingError, convertSemanticId, findClassId, parseS3disRoom, readLabelsJson, readLas, readPly, readSemanticKittiLabels } from '@pointclick/io';
import { initializeBackend } from '@pointclick/tfjs-kernels/node';
import { loadSegmenter } from '@pointclick/segmenter/node';
import type { Segmenter } from '@pointclick/segmenter';
import { formatLabellingReport, runLabelling, type LabellingProgress } from '../src/commands/run-command.js';
import { BOX_ROOM_CLICKS, generateBoxRoom, writeBoxRoom } from './scan-fixtures.js';

const MODEL = fileURLToPath(new URL('../../../models/default', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'pointclick-labeler-run-'));
let segmenter: Segmenter;

/** Records what a run reports, scan by scan. */
function recordingProgress() {
  const events: string[] = [];
  const progress: LabellingProgress = {
    start: (count) => events.push(`start ${count}`),
    finishScan: (task, result) => events.push(`${task.scanName} ${'error' in result ? 'error' : result.outcome.status}`),
    stop: () => events.push('stop'),
  };
  return { events, progress };
}

beforeAll(async () => {
  await initializeBackend({ preferred: 'wasm', strict: true });
  segmenter = await loadSegmenter(MODEL);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('runLabelling', () => {
  const clicksFile = join(scratch, 'clicks.json');

  it('labels each scan with its clicks, skips scans without clicks and goes on past a bad scan', async () => {
    const directory = mkdtempSync(join(scratch, 'scans-'));
    const roomA = writeBoxRoom(directory, 'room-a.ply', 1);
    const roomB = writeBoxRoom(directory, 'room-b.ply', 2);
    const unclicked = writeBoxRoom(directory, 'room-c.ply', 3);
    const broken = join(directory, 'broken.ply');
    writeFileSync(broken, 'ply\nformat ascii 1.0\nelement vertex 5\nproperty float x\nend_header\n1\n2\n');
    writeFileSync(clicksFile, JSON.stringify({ scans: { 'room-a.ply': BOX_ROOM_CLICKS, 'room-b.ply': BOX_ROOM_CLICKS.slice(0, 2), 'broken.ply': BOX_ROOM_CLICKS } }));
    const out = join(scratch, 'out-ply');
    const logs: string[] = [];
    const { events, progress } = recordingProgress();
    const report = await runLabelling(segmenter, { clicks: clicksFile, out, format: 'ply' }, [roomA, roomB, unclicked, broken], progress, (line) => logs.push(line));

    expect(events).toEqual(['start 3', 'room-a.ply labelled', 'room-b.ply labelled', 'broken.ply error', 'stop']);
    expect(report.labelled).toBe(2);
    expect(report.existing).toBe(0);
    expect(report.withoutClicks).toEqual([unclicked]);
    expect(logs).toContain(`skipping ${unclicked}: the clicks file has no entry for it`);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0].scanPath).toBe(broken);
    expect(report.failures[0].message).toMatch(/broken\.ply/);
    expect(formatLabellingReport(report)[0]).toBe('labelled 2, already complete 0, without clicks 1, failed 1');

    // The output holds the scan and the labels a direct segment call gives, semantic = class index + 1.
    const output = await readPly(new Uint8Array(readFileSync(join(out, 'room-a.ply'))));
    const room = generateBoxRoom(1);
    expect(output.positions).toEqual(room.positions);
    expect(output.colors).toEqual(room.colors);
    segmenter.setScene(room);
    const expected = segmenter.segment(BOX_ROOM_CLICKS);
    expect(output.instance).toEqual(expected.instance);
    expect(new Set(output.instance)).toEqual(new Set([0, 1, 2, 3].filter((id) => expected.instance.includes(id))));
    const classOf = new Map(expected.objects.map((object) => [object.objectId, object.classIndex + 1]));
    expect(output.semantic).toEqual(Int32Array.from(expected.instance, (id) => (id > 0 ? classOf.get(id)! : 0)));
    expect(expected.objects.filter((object) => object.pointCount > 0).length).toBeGreaterThan(0);
  });

  it('writes LAS with the objectId in an extra-bytes field, and SemanticKITTI labels where every class maps', async () => {
    const directory = mkdtempSync(join(scratch, 'dataset-formats-'));
    const room = writeBoxRoom(directory, 'room-a.ply', 6);
    writeFileSync(clicksFile, JSON.stringify({ scans: { 'room-a.ply': BOX_ROOM_CLICKS } }));
    segmenter.setScene(generateBoxRoom(6));
    const expected = segmenter.segment(BOX_ROOM_CLICKS);
    const classOf = new Map(expected.objects.map((object) => [object.objectId, object.classIndex + 1]));

    const lasOut = join(directory, 'out-las');
    const lasReport = await runLabelling(segmenter, { clicks: clicksFile, out: lasOut, format: 'las' }, [room], recordingProgress().progress, () => {});
    expect(lasReport.labelled).toBe(1);
    const las = await readLas(new Uint8Array(readFileSync(join(lasOut, 'room-a.las'))));
    expect(las.pointCount).toBe(expected.instance.length);
    expect(Array.from(las.instance!)).toEqual(Array.from(expected.instance));
    expect(Array.from(las.semantic!)).toEqual(Array.from(expected.instance, (id) => (id > 0 ? classOf.get(id)! : 0)));

    // SemanticKITTI has outdoor classes: a predicted indoor class without a counterpart fails the scan by name.
    const kittiOut = join(directory, 'out-kitti');
    const kittiReport = await runLabelling(segmenter, { clicks: clicksFile, out: kittiOut, format: 'semantickitti' }, [room], recordingProgress().progress, () => {});
    const names = expected.objects.filter((object) => object.pointCount > 0).map((object) => object.className);
    const unmapped = names.filter((name) => {
      try {
        convertSemanticId(findClassId('nyu40', name), 'nyu40', 'semantickitti');
        return false;
      } catch (error) {
        if (error instanceof ClassMappingError) return true;
        throw error;
      }
    });
    if (unmapped.length > 0) {
      expect(kittiReport.failures).toHaveLength(1);
      // The scan fails on the first point whose class has no counterpart: which of the unmapped classes that is
      // depends on the point order, so the message must name one of them.
      const named = /nyu40 class '([^']+)'/.exec(kittiReport.failures[0].message)?.[1];
      expect(unmapped).toContain(named);
    } else {
      const labels = readSemanticKittiLabels(new Uint8Array(readFileSync(join(kittiOut, 'room-a.label'))));
      expect(Array.from(labels.instance)).toEqual(Array.from(expected.instance));
    }
  });

  it('writes ScanNet and S3DIS archives whose files give back the labels', async () => {
    const directory = mkdtempSync(join(scratch, 'archives-'));
    const room = writeBoxRoom(directory, 'room-a.ply', 7);
    writeFileSync(clicksFile, JSON.stringify({ scans: { 'room-a.ply': BOX_ROOM_CLICKS } }));
    segmenter.setScene(generateBoxRoom(7));
    const expected = segmenter.segment(BOX_ROOM_CLICKS);
    const classNameOf = new Map(expected.objects.map((object) => [object.objectId, object.className]));

    const scanNetOut = join(directory, 'out-scannet');
    const scanNetReport = await runLabelling(segmenter, { clicks: clicksFile, out: scanNetOut, format: 'scannet' }, [room], recordingProgress().progress, () => {});
    expect(scanNetReport.failures).toEqual([]);
    expect(scanNetReport.labelled).toBe(1);
    const archive = unzipSync(new Uint8Array(readFileSync(join(scanNetOut, 'room-a.scannet.zip'))));
    const segIndices = (JSON.parse(new TextDecoder().decode(archive['room-a_vh_clean_2.0.010000.segs.json'])) as { segIndices: number[] }).segIndices;
    const groups = (JSON.parse(new TextDecoder().decode(archive['room-a.aggregation.json'])) as { segGroups: { objectId: number; label: string; segments: number[] }[] }).segGroups;
    const groupOfSegment = new Map(groups.flatMap((group) => group.segments.map((segment) => [segment, group] as const)));
    // ScanNet's objectId is 0-based: our objectId − 1; its label is the object's class name.
    segIndices.forEach((segment, point) => {
      const group = groupOfSegment.get(segment);
      expect(group ? group.objectId + 1 : 0).toBe(expected.instance[point]);
      if (group) expect(group.label).toBe(classNameOf.get(group.objectId + 1));
    });

    // S3DIS has 13 classes: a predicted class without a counterpart fails the scan by name, else the room reads back.
    const s3disOut = join(directory, 'out-s3dis');
    const report = await runLabelling(segmenter, { clicks: clicksFile, out: s3disOut, format: 's3dis' }, [room], recordingProgress().progress, () => {});
    if (report.failures.length > 0) {
      expect(report.failures[0].message).toMatch(/has no counterpart in s3dis13/);
    } else {
      const files = Object.entries(unzipSync(new Uint8Array(readFileSync(join(s3disOut, 'room-a.s3dis.zip')))));
      const roomFile = files.find(([name]) => name === 'room-a/room-a.txt');
      expect(new TextDecoder().decode(roomFile![1]).trim().split('\n')).toHaveLength(expected.instance.length);
      const annotations = files.filter(([name]) => name.startsWith('room-a/Annotations/')).map(([name, data]) => ({ name: name.slice(name.lastIndexOf('/') + 1), text: new TextDecoder().decode(data) }));
      expect(parseS3disRoom(annotations).pointCount).toBe(expected.instance.filter((id) => id > 0).length);
    }
  });

  it('skips complete outputs on a rerun, replaces an incomplete one and redoes everything with force', async () => {
    const directory = mkdtempSync(join(scratch, 'rerun-'));
    const roomA = writeBoxRoom(directory, 'room-a.ply', 4);
    const roomB = writeBoxRoom(directory, 'room-b.ply', 5);
    writeFileSync(clicksFile, JSON.stringify({ scans: { 'room-a.ply': BOX_ROOM_CLICKS, 'room-b.ply': BOX_ROOM_CLICKS } }));
    const out = join(directory, 'out');
    const options = { clicks: clicksFile, out, format: 'json' };
    const first = await runLabelling(segmenter, options, [roomA, roomB], recordingProgress().progress, () => undefined);
    expect(first.labelled).toBe(2);
    const outputA = join(out, 'room-a.labels.json');
    const outputB = join(out, 'room-b.labels.json');
    const bytesA = readFileSync(outputA);
    const bytesB = readFileSync(outputB);
    const labels = readLabelsJson(bytesA, { expectedPointCount: 2000 });
    expect(labels.instance).toBeDefined();
    const document = JSON.parse(bytesA.toString('utf8')) as { scan: string; clicks: unknown[]; objects: { objectId: number; semanticId: number; className: string }[] };
    expect(document.scan).toBe('room-a.ply');
    expect(document.clicks).toEqual(BOX_ROOM_CLICKS);
    expect(document.objects.map((object) => object.objectId)).toEqual([1, 2, 3]);
    for (const object of document.objects) expect(labels.classNames?.[object.semanticId]).toBe(object.className);

    // A torn output (cut in half) is redone; a complete one is left alone (not even rewritten).
    writeFileSync(outputB, bytesB.subarray(0, bytesB.length >> 1));
    const past = new Date(Date.now() - 60_000);
    utimesSync(outputA, past, past);
    const { events, progress } = recordingProgress();
    const second = await runLabelling(segmenter, options, [roomA, roomB], progress, () => undefined);
    expect(events).toEqual(['start 2', 'room-a.ply existing', 'room-b.ply labelled', 'stop']);
    expect(second).toMatchObject({ labelled: 1, existing: 1 });
    // mtimeMs is a float of nanoseconds / 10⁶: it can read 1 µs below the whole millisecond that was set.
    expect(statSync(outputA).mtimeMs).toBeCloseTo(past.getTime(), 0);
    expect(readFileSync(outputB)).toEqual(bytesB);

    const forced = await runLabelling(segmenter, { ...options, force: true }, [roomA, roomB], recordingProgress().progress, () => undefined);
    expect(forced).toMatchObject({ labelled: 2, existing: 0 });
    expect(statSync(outputA).mtimeMs).toBeGreaterThan(past.getTime());
    // Inference is deterministic: the redone output is byte-identical.
    expect(readFileSync(outputA)).toEqual(bytesA);
  });

  it('reports a click outside the scan as that scan\'s failure', async () => {
    const directory = mkdtempSync(join(scratch, 'outside-'));
    const room = writeBoxRoom(directory, 'room.ply', 6);
    writeFileSync(clicksFile, JSON.stringify({ scans: { 'room.ply': [{ pointIndex: 2000, objectId: 1 }] } }));
    const report = await runLabelling(segmenter, { clicks: clicksFile, out: join(directory, 'out'), format: 'ply' }, [room], recordingProgress().progress, () => undefined);
    expect(report.failures).toEqual([{ scanPath: room, message: "click 0: pointIndex 2000 is outside the scene's 2000 points" }]);
  });
});
