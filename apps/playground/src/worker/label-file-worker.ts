/**
 * Label export and import inside the segmentation worker: the worker holds the scan (with its LAS origin), computes
 * the ScanNet segments from superpoints, and the page stays responsive while large files are written or read.
 */
import type { PointCloud } from '@pointclick/io';
import { computeSuperpoints } from '@pointclick/sampling';
import { buildLabelFile } from '../export/label-formats.js';
import { importLabels } from '../export/label-import.js';
import { describeError } from '../scan/error-messages.js';
import type { LabelFileRequest, LabelFileResponse } from './worker-protocol.js';

/** Superpoints of the last scan exported as ScanNet (computed once per scan). */
let superpoints: { cloud: PointCloud; labels: Int32Array } | undefined;

/** Handles one export or import request for `cloud`; answers with `post`. */
export async function handleLabelFileRequest(request: LabelFileRequest, cloud: PointCloud | undefined, post: (message: LabelFileResponse, transfer?: Transferable[]) => void): Promise<void> {
  try {
    if (!cloud) throw new Error('no scan is open');
    if (request.type === 'export-labels') {
      let segments: Int32Array | undefined;
      if (request.format === 'scannet') {
        if (superpoints?.cloud !== cloud) superpoints = { cloud, labels: computeSuperpoints(cloud.positions, { colors: cloud.colors }).labels };
        segments = superpoints.labels;
      }
      const file = buildLabelFile(request.format, cloud, { ...request.labels, positions: cloud.positions, colors: cloud.colors }, request.baseName, segments);
      post({ type: 'export-ready', ...file }, [file.bytes.buffer]);
    } else {
      const labels = await importLabels(request.files, cloud, request.classNames);
      post({ type: 'imported-labels', labels }, [labels.instance.buffer]);
    }
  } catch (error) {
    post({ type: 'label-file-error', message: `${request.type === 'export-labels' ? 'Export' : 'Import'} failed: ${describeError(error)}` });
  }
}
