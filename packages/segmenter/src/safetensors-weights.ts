import {
  float32ToSafetensors,
  loadWeights,
  parseSafetensors,
  safetensorsToFloat32,
  serializeSafetensors,
  type SafetensorsTensor,
  type WeightEntry,
} from '@pointclick/nn';
import { exportPointceptStateDict, importPointceptStateDict } from '@pointclick/ptv3';
import type { InteractiveSegmentationModel } from './interactive-segmentation-model.js';
import { CheckpointError } from './segmenter-errors.js';

/** Prefixes under which a PT-v3m1 backbone is found: Pointcept's `DefaultSegmentorV2`, and the same saved from DDP. */
const BACKBONE_PREFIXES = ['backbone.', 'module.backbone.'];

/**
 * A segmenter's weights as one safetensors file PyTorch reads: the backbone under `backbone.` in Pointcept's PT-v3m1
 * names and layouts (`load_state_dict(strict=False)` into a Pointcept `DefaultSegmentorV2` fills its backbone), the
 * click decoder under our own names (`click_decoder.…`, our layouts: Linear weights `[in, out]`). Metadata: `format: pt`
 * and the segmenter configuration as JSON under `pointclick.config`.
 */
export function serializeSegmenterSafetensors(model: InteractiveSegmentationModel, options: { dtype?: 'float32' | 'float16' } = {}): Uint8Array {
  const dtype = options.dtype === 'float16' ? 'F16' : 'F32';
  const tensors = exportPointceptStateDict(model.backbone, { prefix: BACKBONE_PREFIXES[0], dtype });
  for (const [path, variable] of model.decoder.namedVariables(`${model.decoder.name}.`)) {
    tensors.set(path, float32ToSafetensors(variable.dataSync() as Float32Array, [...variable.shape], dtype));
  }
  return serializeSafetensors(tensors, { format: 'pt', 'pointclick.config': JSON.stringify(model.config) });
}

/** What {@link loadSegmenterSafetensors} loaded. */
export interface SafetensorsLoadResult {
  /** The prefix the backbone was found under. */
  backbonePrefix: string;
  /** Whether the file held our click decoder too (else the decoder keeps its initial weights). */
  decoderLoaded: boolean;
  /** Keys of the file that were not used (a Pointcept segmentation head, …). */
  unusedKeys: string[];
}

/**
 * Loads a safetensors file into `model`: the backbone from Pointcept PT-v3m1 keys (under `backbone.` or DDP's
 * `module.backbone.`), converted to our layouts, and the click decoder when the file has it (one written by
 * {@link serializeSegmenterSafetensors}); a Pointcept checkpoint has no decoder, which then keeps its initial weights
 * (train it here). Every key and shape is checked before anything is assigned.
 *
 * @param source Named in errors (the file path).
 * @throws CheckpointError naming the file and the first missing key or differing shape.
 */
export function loadSegmenterSafetensors(model: InteractiveSegmentationModel, bytes: Uint8Array, source: string): SafetensorsLoadResult {
  let tensors: Map<string, SafetensorsTensor>;
  try {
    tensors = parseSafetensors(bytes, source).tensors;
  } catch (error) {
    throw new CheckpointError(source, (error as Error).message, { cause: error });
  }
  const backbonePrefix = BACKBONE_PREFIXES.find((prefix) => [...tensors.keys()].some((key) => key.startsWith(prefix)));
  if (!backbonePrefix) throw new CheckpointError(source, `no PT-v3m1 backbone: no key starts with ${BACKBONE_PREFIXES.join(' or ')}`);
  const decoderPrefix = `${model.decoder.name}.`;
  const decoderKeys = [...tensors.keys()].filter((key) => key.startsWith(decoderPrefix));
  try {
    // Decoder first, checked whole, so that a mismatch there leaves the backbone untouched too.
    if (decoderKeys.length > 0) loadDecoder(model, tensors, decoderPrefix, source);
    importPointceptStateDict(model.backbone, tensors, { prefix: backbonePrefix, source });
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(source, (error as Error).message.replace(`${source}: `, ''), { cause: error });
  }
  const unusedKeys = [...tensors.keys()].filter((key) => !key.startsWith(backbonePrefix) && !key.startsWith(decoderPrefix));
  return { backbonePrefix, decoderLoaded: decoderKeys.length > 0, unusedKeys };
}

function loadDecoder(model: InteractiveSegmentationModel, tensors: Map<string, SafetensorsTensor>, prefix: string, source: string): void {
  const manifest: WeightEntry[] = [];
  const blocks: Float32Array[] = [];
  let byteOffset = 0;
  for (const [key, tensor] of tensors) {
    if (!key.startsWith(prefix)) continue;
    const values = safetensorsToFloat32(tensor, key);
    manifest.push({ name: key.slice(prefix.length), shape: tensor.shape, dtype: 'float32', byteOffset, byteLength: values.byteLength });
    blocks.push(values);
    byteOffset += values.byteLength;
  }
  const data = new Uint8Array(byteOffset);
  let offset = 0;
  for (const block of blocks) {
    data.set(new Uint8Array(block.buffer, block.byteOffset, block.byteLength), offset);
    offset += block.byteLength;
  }
  loadWeights(model.decoder, manifest, data, source);
}
