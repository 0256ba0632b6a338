import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { createSegmenterConfig } from './model-presets.js';

/** One source of training scenes. */
const dataSourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('synthetic-indoor'),
    /** Number of generated rooms. */
    sceneCount: z.number().int().positive(),
    /** Seed of the first room; room i uses seed + i. */
    seed: z.number().int().nonnegative().default(1000),
  }),
  z.object({
    kind: z.literal('synthetic-outdoor'),
    sceneCount: z.number().int().positive(),
    seed: z.number().int().nonnegative().default(5000),
  }),
  z.object({
    kind: z.literal('folder'),
    /** A dataset folder in any layout the datasets package detects (votenet npy, ScanNet, S3DIS, SemanticKITTI). */
    directory: z.string().min(1),
    /** Scene ids to leave out (validation rooms). */
    exclude: z.array(z.string()).default([]),
    /**
     * Coordinates are multiplied by this when a scene is loaded, to train at the scale the segmenter will see
     * the domain at (its `inputScale`; e.g. 4 for tabletop scans, which `inputScale: 'auto'` scales by 4).
     */
    scale: z.number().positive().default(1),
  }),
]);

/** Which training scenes an option applies to: `all`, or `folders` (dataset folders' scans; generated rooms never). */
const sceneScopeSchema = z.enum(['all', 'folders']);

/** The trainer's configuration; every field has a default, so `{}` is a valid file. */
export const trainingConfigSchema = z
  .object({
    /** Model preset (`lite`, `base`) the backbone and decoder are built from. */
    preset: z.enum(['lite', 'base', 'tiny']).default('lite'),
    /** Backbone input voxel size in metres; default the preset's (0.02, Pointcept's ScanNet setting). */
    gridSize: z.number().positive().optional(),
    /**
     * Click locality the model groups clicks with (the segmenter's `localityGain`, logits per metre of geodesic
     * distance; 0 = off). Written into every checkpoint, and used by the correction passes and the object-mask loss.
     */
    localityGain: z.number().nonnegative().default(0),
    /**
     * Decoder options over the preset's: `geodesicReach` gives each click its own reach of the geodesic click prior
     * (`ClickDecoderConfig.geodesicReach`; its weights start at the plain prior, so `--init-from` a checkpoint without
     * them fine-tunes from exactly that model).
     */
    decoder: z
      .object({ geodesicReach: z.boolean().optional() })
      .strict()
      .default({}),
    /**
     * Inference settings written into every checkpoint beside the network (the segmenter's `superpoints`,
     * `inputScale` and `geodesicGraph`). The superpoint `scale` and `minimumSize` are also those of `loss.superpointPooling`.
     */
    inference: z
      .object({
        superpoints: z
          .object({
            clickConstraints: z.boolean().optional(),
            pooling: z.boolean().optional(),
            voxelLogitWeight: z.number().min(0).max(1).optional(),
            voxelLogitClicks: z.number().int().positive().optional(),
            smoothing: z.number().min(0).finite().optional(),
            scale: z.number().positive().optional(),
            minimumSize: z.number().int().positive().optional(),
          })
          .strict()
          .optional(),
        inputScale: z.union([z.number().positive(), z.literal('auto')]).optional(),
        /**
         * The segmenter's `geodesicGraph` (the graph of the decoder's geodesic click prior), field by field over the
         * preset's; training measures its click distances on this graph too (`flatEdgeFactor` included).
         */
        geodesicGraph: z
          .object({
            neighborCount: z.number().int().positive().optional(),
            colorWeight: z.number().nonnegative().optional(),
            flatEdgeFactor: z.number().positive().max(1).optional(),
            scaledSceneLimit: z.number().positive().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    /** Directory for checkpoints, logs, plots and the resolved configuration. */
    outputDirectory: z.string().default('runs/default'),
    /** Seed of initialisation, data order, click sampling and augmentation. */
    seed: z.number().int().nonnegative().default(1),
    /** TF.js backend; `auto` = WebGPU when an adapter exists, else wasm. */
    backend: z.enum(['auto', 'webgpu', 'wasm', 'cpu']).default('auto'),
    /**
     * Start from these weights (a model directory or a training run directory's latest checkpoint) instead of
     * a fresh initialisation: fine-tuning. The optimizer, schedule and step start afresh; ignored on `--resume`.
     */
    initialWeights: z.string().optional(),
    data: z
      .object({
        sources: z.array(dataSourceSchema).min(1).default([{ kind: 'synthetic-indoor', sceneCount: 64, seed: 1000 }]),
        /**
         * Largest number of points fed to the network per step; larger scenes are cropped, in points. `all` trains
         * on whole scenes, uncropped (whole 50k-point rooms: WebGPU; the wasm heap holds crops of about 10–20k).
         */
        pointBudget: z.union([z.number().int().positive(), z.literal('all')]).default(20_000),
        /** Clicks per scene per step, drawn from the FPS candidates (paper §4: 30–50). */
        minClicks: z.number().int().positive().default(30),
        maxClicks: z.number().int().positive().default(50),
        /** Share of steps that also get background clicks. */
        backgroundClickShare: z.number().min(0).max(1).default(0.3),
        /**
         * Share of steps that add error-driven correction clicks before the loss (AGILE3D's iterative
         * training): the model is run on the drawn clicks and clicked where it errs, 1 to `correctionRounds` times.
         */
        correctionStepShare: z.number().min(0).max(1).default(0),
        /** Most correction rounds on such a step; each adds up to one click per target object. */
        correctionRounds: z.number().int().min(1).max(10).default(3),
        /**
         * Share of steps whose sample overlays a second training scene on the first (Mix3D, Nekrasov et al. 2021;
         * `mixScenes` of `@pointclick/datasets`): each is cropped to half the point budget and centred, and the clicks
         * are drawn over both. 0 (default) draws exactly the samples of a run without it.
         */
        mixShare: z.number().min(0).max(1).default(0),
        /** Which scenes Mix3D overlays: `all`, or `folders` (dataset folders' scans only, with each other; generated rooms never). */
        mixScope: sceneScopeSchema.default('all'),
        /**
         * Augmentation beyond `augmentScene`'s defaults (`@pointclick/datasets`; the fields are its options): a tilt
         * (radians), elastic distortion ([granularity, magnitude] pairs in metres), a colour shift per channel and the
         * per-point colour noise (0..255 units), chromatic auto-contrast (probability). Pointcept's ScanNet recipe for
         * PTv3 uses tilt π/64, distortion [[0.2, 0.4], [0.8, 1.6]], shift 12.75, noise 12.75, auto-contrast 0.2. Empty
         * (the default): every sample is exactly what a run without the field drew.
         */
        augmentation: z
          .object({
            tiltRange: z.number().min(0).max(Math.PI).optional(),
            elasticDistortion: z.array(z.tuple([z.number().positive().finite(), z.number().positive().finite()])).optional(),
            colorChannelShiftRange: z.number().min(0).max(255).optional(),
            colorNoiseDeviation: z.number().min(0).max(255).optional(),
            autoContrastProbability: z.number().min(0).max(1).optional(),
          })
          .strict()
          .default({}),
        /**
         * Which scenes `augmentation` applies to: `all`, or `folders` (dataset folders' scans only; generated rooms get
         * `augmentScene`'s defaults, exactly the samples a run without `augmentation` draws for them). Mix3D partners
         * follow their own scene's scope.
         */
        augmentationScope: sceneScopeSchema.default('all'),
        /** Directory of the preprocessed-scene cache. */
        cacheDirectory: z.string().default('.cache/scenes'),
      })
      .default({
        sources: [{ kind: 'synthetic-indoor', sceneCount: 64, seed: 1000 }],
        pointBudget: 20_000,
        minClicks: 30,
        maxClicks: 50,
        backgroundClickShare: 0.3,
        correctionStepShare: 0,
        correctionRounds: 3,
        mixShare: 0,
        mixScope: 'all',
        augmentation: {},
        augmentationScope: 'all',
        cacheDirectory: '.cache/scenes',
      }),
    optimizer: z
      .object({
        kind: z.enum(['adam', 'adamw']).default('adamw'),
        /** Peak learning rate, reached at the end of warm-up. */
        learningRate: z.number().positive().default(1e-3),
        weightDecay: z.number().nonnegative().default(0.05),
        beta1: z.number().min(0).max(1).default(0.9),
        beta2: z.number().min(0).max(1).default(0.999),
        epsilon: z.number().positive().default(1e-8),
        /** Global gradient-norm clip; 0 disables clipping. */
        gradientClipNorm: z.number().nonnegative().default(1),
        /**
         * Train the decoder only: the backbone runs once per step in inference mode, outside the gradient tape, and
         * its weights stay as they are. Without the backbone's activations on the tape, whole rooms (`pointBudget:
         * all`) fit the wasm heap, so the decoder learns on the scenes it is used on rather than on crops of them.
         */
        freezeBackbone: z.boolean().default(false),
        /**
         * Train only the variables whose path (`click_decoder.stage_0.adaptor.geodesic_reach`) contains one of these
         * strings; every other weight stays as it is (a component added for a fine-tune, learned alone on top of the
         * model it starts from). Each string must match at least one variable. Default: every variable (or the
         * decoder's, with `freezeBackbone`).
         */
        trainOnly: z.array(z.string().min(1)).min(1).optional(),
      })
      .default({ kind: 'adamw', learningRate: 1e-3, weightDecay: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, gradientClipNorm: 1, freezeBackbone: false }),
    schedule: z
      .object({
        /** Total optimisation steps. */
        steps: z.number().int().positive().default(2000),
        /** Linear warm-up steps before the cosine decay. */
        warmupSteps: z.number().int().nonnegative().default(100),
        /** Learning rate at the end of the cosine, as a fraction of the peak. */
        finalLearningRateFraction: z.number().min(0).max(1).default(0.01),
      })
      .default({ steps: 2000, warmupSteps: 100, finalLearningRateFraction: 0.01 }),
    loss: z
      .object({
        bce: z.number().nonnegative().default(1),
        dice: z.number().nonnegative().default(1),
        ce: z.number().nonnegative().default(0.5),
        /**
         * Weight of the object-mask term: BCE and Dice (weighted as above) of each object's grouped mask, the
         * maximum of its clicks' logits after click locality, as the segmenter groups them; 0 = off.
         */
        objectMask: z.number().nonnegative().default(0),
        /**
         * Compute the mask losses (BCE, Dice) on superpoint-pooled logits: each voxel's logit replaced by the mean
         * over the voxels of its superpoint (`computeSuperpoints` of the crop), as the segmenter's pooling does.
         */
        superpointPooling: z.boolean().default(false),
      })
      .default({ bce: 1, dice: 1, ce: 0.5, objectMask: 0, superpointPooling: false }),
    validation: z
      .object({
        /** Validate every this many steps; 0 disables. */
        everySteps: z.number().int().nonnegative().default(200),
        /** Validation scenes: a folder and scene ids, or held-out synthetic rooms. */
        sources: z.array(dataSourceSchema).default([{ kind: 'synthetic-indoor', sceneCount: 2, seed: 900_000 }]),
        /** Target objects per validation scene. */
        targetObjects: z.number().int().min(1).max(10).default(5),
        /** Click budget per object during validation (IoU@1/3/5 and NoC@85 need ≤ 20). */
        clickBudget: z.number().int().min(1).max(20).default(10),
      })
      .default({ everySteps: 200, sources: [{ kind: 'synthetic-indoor', sceneCount: 2, seed: 900_000 }], targetObjects: 5, clickBudget: 10 }),
    checkpoint: z
      .object({
        /** Write a checkpoint every this many steps (and always at the end). */
        everySteps: z.number().int().positive().default(100),
        /** How many step checkpoints to keep besides `latest`. */
        keep: z.number().int().positive().default(3),
      })
      .default({ everySteps: 100, keep: 3 }),
  })
  .strict();

/** A validated, fully defaulted training configuration. */
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;
/** One data source of a {@link TrainingConfig}. */
export type DataSourceConfig = z.infer<typeof dataSourceSchema>;
/** A `data.mixScope` or `data.augmentationScope` value. */
export type SceneScope = z.infer<typeof sceneScopeSchema>;

/** Raised for a configuration file that is unreadable or invalid; names the file and every bad field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates a parsed configuration object, reporting every problem with its field path. */
export function validateTrainingConfig(value: unknown, source = 'configuration'): TrainingConfig {
  const result = trainingConfigSchema.safeParse(value ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${source} is invalid:\n${problems.join('\n')}`);
  }
  const config = result.data;
  if (config.data.minClicks > config.data.maxClicks) {
    throw new ConfigError(`${source} is invalid:\n  data.minClicks: ${config.data.minClicks} exceeds data.maxClicks ${config.data.maxClicks}`);
  }
  if (config.schedule.warmupSteps > config.schedule.steps) {
    throw new ConfigError(`${source} is invalid:\n  schedule.warmupSteps: exceeds schedule.steps`);
  }
  if (config.localityGain > 0 && !((createSegmenterConfig(config.preset, config.seed).decoder.geodesicPriorLimit ?? 0) > 0)) {
    throw new ConfigError(`${source} is invalid:\n  localityGain: ${config.localityGain} needs the geodesic click prior, which preset '${config.preset}' has not (use 0)`);
  }
  return config;
}

/** Reads a JSON or YAML configuration file (by extension; YAML otherwise). */
export async function readTrainingConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${(error as Error).message}`);
  }
  try {
    return path.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
}

/**
 * Applies `--set path=value` overrides (dotted paths; values parsed as JSON when possible) on top of a
 * parsed configuration object, before validation.
 */
export function applyOverrides(value: unknown, overrides: string[]): Record<string, unknown> {
  const root: Record<string, unknown> = structuredClone((value ?? {}) as Record<string, unknown>);
  for (const override of overrides) {
    const separator = override.indexOf('=');
    if (separator <= 0) throw new ConfigError(`override '${override}': expected path=value`);
    const path = override.slice(0, separator).split('.');
    const raw = override.slice(separator + 1);
    let parsed: unknown = raw;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // A bare word stays a string.
    }
    let node = root;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = parsed;
  }
  return root;
}
