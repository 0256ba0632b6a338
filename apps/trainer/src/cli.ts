import { Command, InvalidArgumentError, Option } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '@pointclick/io/node';
import { initializeBackend, startNodeWebGpu } from '@pointclick/tfjs-kernels/node';
import '@pointclick/tfjs-kernels/gradients';
import { TEST_TIME_ROTATIONS, type CorrectionReachSettings, type StructuralReachSettings } from '@pointclick/segmenter';
import { ConfigError } from './config/training-config.js';
import { formatBenchResult, runBench } from './commands/bench-command.js';
import { runEvaluation } from './commands/evaluate-command.js';
import { exportCheckpoint, type ExportFormat } from './commands/export-command.js';
import { runCalibration } from './commands/calibrate-command.js';
import { runClassHeadFineTune } from './commands/class-head-command.js';
import { interpolateCheckpoints } from './commands/interpolate-command.js';
import { runSuperpointReport } from './commands/superpoint-command.js';
import type { InferenceSettings } from './commands/inference-settings.js';
import { describePreset, formatPresetInfo } from './commands/info-command.js';
import { runTrainCommand, type TrainCommandOptions } from './commands/train-command.js';
import { SeenSceneError } from './training/training-provenance.js';

const backendOption = () =>
  new Option('--backend <name>', 'TF.js backend (auto = WebGPU when a GPU adapter exists, else wasm)').choices(['auto', 'webgpu', 'wasm', 'cpu']);

async function startBackend(name: string | undefined): Promise<void> {
  const preferred = name && name !== 'auto' ? (name as 'webgpu' | 'wasm' | 'cpu') : undefined;
  const info = await initializeBackend({ preferred, strict: preferred !== undefined });
  const details = info.adapter ? ` (adapter: ${info.adapter})` : info.threads ? ` (${info.threads} thread${info.threads > 1 ? 's' : ''})` : '';
  console.log(`backend: ${info.backend}${details}`);
  for (const fallback of info.fallbacks) console.log(`  not ${fallback.backend}: ${fallback.reason}`);
}

const program = new Command().name('pointclick-train').description('Train, evaluate, export and inspect pointclick segmenters.');

program
  .command('train')
  .description('train a segmenter (configuration file + overrides); writes checkpoints, metrics.jsonl and a plot')
  .option('-c, --config <file>', 'configuration file (JSON or YAML)')
  .option('--set <path=value>', 'override a configuration field (repeatable), e.g. --set schedule.steps=500', (value, previous: string[]) => [...previous, value], [])
  .option('--output <dir>', 'run directory (overrides outputDirectory)')
  .option('--preset <name>', 'model preset: lite, base or tiny')
  .option('--steps <n>', 'total steps of the schedule', (value) => Number.parseInt(value, 10))
  .option('--step-limit <n>', 'stop after this many steps of this invocation', (value) => Number.parseInt(value, 10))
  .option('--time-limit <minutes>', 'stop (with a checkpoint) after this many minutes of training steps', parseNonNegative)
  .option('--resume', 'continue from the run directory\'s latest checkpoint')
  .option('--init-from <path>', 'fine-tune: start from the weights of a model or run directory, or a .safetensors file (a Pointcept PT-v3m1 backbone, or our export) (sets initialWeights)')
  .addOption(backendOption())
  .action(async (options: TrainCommandOptions) => {
    const result = await runTrainCommand(options, startBackend, process.argv.slice(2).join(' '));
    console.log(`finished at step ${result.step}; latest checkpoint ${result.checkpointDirectory}`);
  });

/** Parses a probability flag value, rejecting anything outside [0, 1] with the flag's expectation. */
function parseProbability(value: string): number {
  const probability = Number(value);
  if (value.trim() === '' || !(probability >= 0 && probability <= 1)) throw new InvalidArgumentError(`expected a probability in [0, 1], got '${value}'`);
  return probability;
}

function parseSwitch(value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new InvalidArgumentError(`expected 'on' or 'off', got '${value}'`);
}

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`expected an integer ≥ 1, got '${value}'`);
  return number;
}

function parsePoolingChoices(value: string): Array<{ levels: number[]; geometry: boolean }> {
  return value.split(';').map((choice) => {
    const tokens = choice.split(',').filter(Boolean);
    const levels = tokens.filter((token) => token !== 'geometry').map((level) => {
      const number = Number(level);
      if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError(`expected level indices ≥ 0 or 'geometry' such as '4;0,4,geometry', got '${value}'`);
      return number;
    });
    return { levels, geometry: tokens.includes('geometry') };
  });
}

function parseInputScale(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const number = Number(value);
  if (value.trim() === '' || !(number > 0) || !Number.isFinite(number)) throw new InvalidArgumentError(`expected a positive number or 'auto', got '${value}'`);
  return number;
}

function parseNonNegative(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !(number >= 0) || !Number.isFinite(number)) throw new InvalidArgumentError(`expected a finite number ≥ 0, got '${value}'`);
  return number;
}

/** The inference settings a checkpoint stores, as options (eval overrides them, export writes them). */
function withInferenceSettings(command: Command): Command {
  return command
    .option('--object-threshold <p>', 'mask probability in [0, 1] an object needs to claim a point (calibrate on selection scenes)', parseProbability)
    .option('--locality-gain <logits-per-metre>', 'click locality at grouping, logits per metre of geodesic distance (≥ 0; 0 = off)', parseNonNegative)
    .option('--click-constraints <on|off>', 'superpoint click constraints (a click takes its own superpoint)', parseSwitch)
    .option('--superpoint-pooling <on|off>', 'superpoint pooling of the mask logits', parseSwitch)
    .option('--superpoint-voxel-weight <w>', "weight in [0, 1] of each voxel's own mask logit beside its superpoint's mean when pooling (0 = one label per superpoint)", parseUnitInterval)
    .option('--superpoint-voxel-clicks <n>', 'clicks an object (or the background) needs before --superpoint-voxel-weight applies to its masks', parsePositiveInteger)
    .option('--superpoint-smoothing <logits>', 'mean-field smoothing of the pooled masks over the superpoint contact graph: strength β in logits (0 = off)', parseNonNegative)
    .option('--superpoint-scale <k>', "computeSuperpoints' Felzenszwalb–Huttenlocher k (larger: larger superpoints)", parseNonNegative)
    .option('--superpoint-minimum-size <points>', 'smallest superpoint, in points', parsePositiveInteger)
    .option('--input-scale <factor|auto>', 'coordinates × factor before the network (auto: small scenes scaled up per scene)', parseInputScale)
    .option(
      '--scaled-scene-geodesic-limit <metres|off>',
      "cap of the geodesic click distances (network metres) on scenes the input scale enlarges, when below the decoder's geodesicPriorLimit; off removes it",
      parsePositiveOrOff,
    )
    .option(
      '--geodesic-flat-edge-factor <factor>',
      'cost factor (0, 1] of geodesic graph edges along flat surfaces (f + (1 − f)·sin θ of the voxel normals); 1 = plain graph',
      parseUnitFactor,
    )
    .option('--test-time-rotations <n>', 'backbone passes over the scene turned about the vertical axis (1, 2 or 4), features averaged per voxel; 1 = one pass', parseTestTimeRotations)
    .option('--class-stages <k>', "the shown class is the mean of the last k decoder stages' class logits (1 = the last stage alone; at most the decoder's stage count)", parsePositiveInteger)
    .option('--temperature <t>', 'class calibration temperature (class logits ÷ t before the softmax; 1 = none; a stored class bias is kept)', parsePositive)
    .option(
      '--correction-reach <factor[,limit]|off>',
      "geodesic prior of an object's k-th click (k ≥ 2) with its distances ÷ factor^(k−1), no farther from 1 than limit (default: the factor); factor, limit > 0; off removes it",
      parseCorrectionReach,
    )
    .option(
      '--structural-reach <factor[,class…]|off>',
      "the last decoder stage's geodesic gain of a click × 1 − (1 − factor)·p, p its probability of the classes (default wall, floor, ceiling); factor ≥ 0; off removes it",
      parseStructuralReach,
    )
    .option('--click-adaptation <regularization|off>', "online click adaptation: L2 penalty λ > 0 of each object's fitted correction (needs superpoint pooling), or off", parsePositiveOrOff);
}

function parseCorrectionReach(value: string): CorrectionReachSettings | 'off' {
  if (value === 'off') return 'off';
  const parts = value.split(',');
  const numbers = parts.map(Number);
  if (parts.length > 2 || parts.some((part) => part.trim() === '') || !numbers.every((number) => number > 0 && Number.isFinite(number))) {
    throw new InvalidArgumentError(`expected a factor > 0, optionally ',limit' with a limit > 0 (e.g. 2, 2,8 or 0.5), or 'off'; got '${value}'`);
  }
  return numbers.length === 2 ? { factor: numbers[0], limit: numbers[1] } : { factor: numbers[0] };
}

function parseStructuralReach(value: string): StructuralReachSettings | 'off' {
  if (value === 'off') return 'off';
  const [factorText, ...classes] = value.split(',').map((part) => part.trim());
  const factor = Number(factorText);
  if (factorText === '' || !(factor >= 0) || !Number.isFinite(factor) || classes.some((name) => name === '')) {
    throw new InvalidArgumentError(`expected a factor ≥ 0, optionally followed by ',class,…' (e.g. 0.5 or 0.5,wall,floor,ceiling,window), or 'off'; got '${value}'`);
  }
  return classes.length > 0 ? { factor, classes } : { factor };
}

function parseTestTimeRotations(value: string): number {
  // The checkpoint reader's set of values, matched as written ('2', not '2.0').
  if (TEST_TIME_ROTATIONS.map(String).includes(value)) return Number(value);
  throw new InvalidArgumentError(`expected ${TEST_TIME_ROTATIONS.slice(0, -1).join(', ')} or ${TEST_TIME_ROTATIONS.at(-1)} rotations, got '${value}'`);
}

function parsePositive(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !(number > 0) || !Number.isFinite(number)) throw new InvalidArgumentError(`expected a finite number > 0, got '${value}'`);
  return number;
}

function parseUnitInterval(value: string): number {
  const number = parseNonNegative(value);
  if (number > 1) throw new InvalidArgumentError(`expected a number in [0, 1], got '${value}'`);
  return number;
}

function parseUnitFactor(value: string): number {
  const number = parsePositive(value);
  if (number > 1) throw new InvalidArgumentError(`expected a number in (0, 1], got '${value}'`);
  return number;
}

function parsePositiveOrOff(value: string): number | 'off' {
  return value === 'off' ? 'off' : parsePositive(value);
}

function parseClickCounts(value: string): number[] {
  const counts = value.split(',').filter(Boolean).map(parsePositiveInteger);
  if (counts.length === 0) throw new InvalidArgumentError(`expected comma-separated click counts such as 1,3,5, got '${value}'`);
  return counts;
}

function parseSeedList(value: string): number[] {
  const seeds = value.split(',').filter(Boolean).map((entry) => {
    const seed = Number(entry);
    if (!Number.isInteger(seed) || seed < 0) throw new InvalidArgumentError(`expected comma-separated integer seeds ≥ 0 such as 1,2,3, got '${value}'`);
    return seed;
  });
  if (seeds.length === 0 || new Set(seeds).size !== seeds.length) throw new InvalidArgumentError(`expected distinct comma-separated seeds such as 1,2,3, got '${value}'`);
  return seeds;
}

function parseClassesMode(value: string): 'on' | 'off' | 'only' {
  if (value === 'on' || value === 'off' || value === 'only') return value;
  throw new InvalidArgumentError(`expected 'on', 'off' or 'only', got '${value}'`);
}

/** The inference-setting options as the segmenter's checkpoint fields. */
function inferenceSettingsOf(options: InferenceSettingOptions): InferenceSettings {
  return {
    objectThreshold: options.objectThreshold,
    localityGain: options.localityGain,
    superpoints: { clickConstraints: options.clickConstraints, pooling: options.superpointPooling, voxelLogitWeight: options.superpointVoxelWeight, voxelLogitClicks: options.superpointVoxelClicks, smoothing: options.superpointSmoothing, scale: options.superpointScale, minimumSize: options.superpointMinimumSize },
    inputScale: options.inputScale,
    scaledSceneGeodesicLimit: options.scaledSceneGeodesicLimit,
    geodesicFlatEdgeFactor: options.geodesicFlatEdgeFactor,
    testTimeRotations: options.testTimeRotations,
    correctionReach: options.correctionReach,
    structuralReach: options.structuralReach,
    classStageCount: options.classStages,
    temperature: options.temperature,
    clickAdaptation: options.clickAdaptation,
  };
}

/** What {@link withInferenceSettings} adds to a command's options. */
interface InferenceSettingOptions {
  objectThreshold?: number;
  localityGain?: number;
  clickConstraints?: boolean;
  superpointPooling?: boolean;
  superpointVoxelWeight?: number;
  superpointVoxelClicks?: number;
  superpointSmoothing?: number;
  superpointScale?: number;
  superpointMinimumSize?: number;
  inputScale?: number | 'auto';
  scaledSceneGeodesicLimit?: number | 'off';
  geodesicFlatEdgeFactor?: number;
  testTimeRotations?: number;
  clickAdaptation?: number | 'off';
  correctionReach?: CorrectionReachSettings | 'off';
  structuralReach?: StructuralReachSettings | 'off';
  classStages?: number;
  temperature?: number;
}

withInferenceSettings(program
  .command('eval')
  .description("run AGILE3D's multi-object protocol for a checkpoint and the non-learned baseline on a dataset")
  .requiredOption('--checkpoint <dir>', 'model directory (model.json + weights.bin) or training run directory (its latest checkpoint)')
  .option('--data <dir>', 'dataset directory (votenet npy, ScanNet, ScanNet npy, mOSD tabletop, S3DIS, SemanticKITTI or KITTI-360 layout)')
  .option('--synthetic <n>', 'also evaluate on n generated indoor rooms (held out: seeds from --synthetic-seed)', (value) => Number.parseInt(value, 10))
  .option('--synthetic-seed <n>', 'seed of the first generated room', (value) => Number.parseInt(value, 10), 800_000)
  .option('--scenes <ids>', 'comma-separated scene ids to evaluate', (value) => value.split(',').filter(Boolean))
  .option('--targets <n>', 'target objects per scene', (value) => Number.parseInt(value, 10), 10)
  .option('--clicks <n>', 'click budget per object', (value) => Number.parseInt(value, 10), 20)
  .option('--seed <n>', 'seed of target selection', (value) => Number.parseInt(value, 10), 1)
  .option('--seeds <list>', 'several target draws (e.g. 1,2,3): the protocol runs per seed and the tables are their means (each draw printed; --seed ignored)', parseSeedList)
  .option('--json <file>', 'write the tables as JSON (AGILE3D logs go beside it)')
  .option('--baseline <on|off>', 'also run the non-learned baseline (default on; off when its table is already known)', parseSwitch)
  .option('--classes <on|off|only>', 'per-object class accuracy and calibration (every object of --class-minimum-points, clicked near its middle); only: skip the AGILE3D protocol', parseClassesMode, 'on')
  .option('--class-clicks <list>', 'clicks per object at which classes are scored', parseClickCounts, [1, 3, 5])
  .option('--class-minimum-points <n>', 'smallest object (points) scored for its class', parsePositiveInteger, 300)
  .option('--require-unseen', "fail (SeenSceneError) when a scene was seen in training (ScanNet ids by room) or the checkpoint's training data is unknown")
  .addOption(backendOption()))
  .action(async (options: InferenceSettingOptions & { checkpoint: string; data?: string; synthetic?: number; syntheticSeed: number; scenes?: string[]; targets: number; clicks: number; seed: number; seeds?: number[]; json?: string; baseline?: boolean; classes: 'on' | 'off' | 'only'; classClicks: number[]; classMinimumPoints: number; requireUnseen?: boolean; backend?: string }) => {
    await startBackend(options.backend);
    await runEvaluation({
      checkpoint: options.checkpoint,
      data: options.data,
      syntheticScenes: options.synthetic,
      syntheticSeed: options.syntheticSeed,
      scenes: options.scenes,
      targetObjects: options.targets,
      clickBudget: options.clicks,
      seed: options.seed,
      seeds: options.seeds,
      json: options.json,
      ...inferenceSettingsOf(options),
      baseline: options.baseline,
      classes: options.classes,
      classClicks: options.classClicks,
      classMinimumPoints: options.classMinimumPoints,
      requireUnseen: options.requireUnseen,
      log: (line) => console.log(line),
    });
  });

program
  .command('calibrate')
  .description("fit the class temperature (after the class-prior bias of --prior-strength) on selection scenes and write them into the checkpoint's config (calibration)")
  .requiredOption('--checkpoint <dir>', 'model directory or training run directory (its latest checkpoint); its model.json is rewritten')
  .option('--data <dir>', 'dataset directory of the selection scenes')
  .option('--scenes <ids>', 'comma-separated selection scene ids of --data (never the evaluation scenes)', (value) => value.split(',').filter(Boolean))
  .option('--synthetic <n>', 'also (or only) fit on this many generated indoor rooms (clean selection rooms when the real ones were trained on)', parsePositiveInteger)
  .option('--synthetic-seed <seed>', 'first seed of the generated rooms (900000… are the selection seeds, 800000… the evaluation rooms)', parsePositiveInteger, 900_000)
  .option('--class-minimum-points <n>', 'smallest object (points) fitted on', parsePositiveInteger, 300)
  .option('--dry-run', 'fit and report without writing')
  .option('--prior-data <dir>', 'dataset directory whose instances give the class prior of the logit adjustment (the training rooms)')
  .option('--prior-exclude <ids>', 'comma-separated scene ids of --prior-data left out of the prior (evaluation rooms; the --scenes are always left out)', (value) => value.split(',').filter(Boolean))
  .option('--prior-provenance <data-root>', "count the class prior over exactly the training data the checkpoint's provenance records: its scenes read from <data-root>/<dataset>, its generated rooms regenerated from their seeds (instead of --prior-data)")
  .option('--prior-strength <τ>', 'logit adjustment strength: class bias −τ·ln p_c (0 = no bias)', parseNonNegative, 0)
  .option('--require-unseen', "fail (SeenSceneError) when a scene was seen in training (ScanNet ids by room) or the checkpoint's training data is unknown")
  .addOption(backendOption())
  .action(async (options: { checkpoint: string; data?: string; scenes?: string[]; synthetic?: number; syntheticSeed: number; classMinimumPoints: number; dryRun?: boolean; priorData?: string; priorExclude?: string[]; priorProvenance?: string; priorStrength: number; requireUnseen?: boolean; backend?: string }) => {
    await startBackend(options.backend);
    await runCalibration({ ...options, syntheticScenes: options.synthetic, minimumObjectPoints: options.classMinimumPoints, log: (line) => console.log(line) });
  });

withInferenceSettings(program
  .command('export')
  .description("copy a run's latest (or a given) checkpoint without optimizer state to a model directory")
  .requiredOption('--checkpoint <dir>', 'run directory or checkpoint directory')
  .requiredOption('--output <path>', 'destination: a model directory (e.g. models/default), or a .safetensors file with --format safetensors')
  .addOption(new Option('--dtype <type>', 'storage type of the exported weights (float16 halves the size)').choices(['float32', 'float16']).default('float32'))
  .addOption(new Option('--format <format>', 'model: model.json + weights.bin; safetensors: one file for PyTorch (backbone in Pointcept PT-v3m1 names)').choices(['model', 'safetensors']).default('model')))
  .action(async (options: InferenceSettingOptions & { checkpoint: string; output: string; dtype: 'float32' | 'float16'; format: ExportFormat }) => {
    await initializeBackend({ preferred: 'wasm' });
    const { source, output, byteLength } = await exportCheckpoint(options.checkpoint, options.output, options.dtype, inferenceSettingsOf(options), options.format);
    console.log(`exported ${source} → ${output} (${(byteLength / 1e6).toFixed(2)} MB of ${options.dtype} weights)`);
  });

program
  .command('superpoints')
  .description("measure the superpoints the segmenter computes against a dataset's instances: purity, mean size and each object's IoU ceiling (the most whole superpoints can give; pooling and click constraints cannot pass it)")
  .option('--data <dir>', 'dataset directory (any layout eval reads)')
  .option('--scenes <ids>', 'comma-separated scene ids of --data', (value) => value.split(',').filter(Boolean))
  .option('--synthetic <n>', 'also measure this many generated indoor rooms', parsePositiveInteger)
  .option('--synthetic-seed <seed>', 'seed of the first generated room', parsePositiveInteger, 800_000)
  .option('--checkpoint <dir>', "use this model's superpoint scale and minimum size (model directory or run directory)")
  .option('--superpoint-scale <k>', "computeSuperpoints' Felzenszwalb–Huttenlocher k (overrides the checkpoint's)", parseNonNegative)
  .option('--superpoint-minimum-size <points>', 'smallest superpoint, in points (overrides the checkpoint\'s)', parsePositiveInteger)
  .option('--minimum-object-points <n>', 'smallest object (points) whose ceiling is reported', parsePositiveInteger, 300)
  .option('--json <file>', 'write the per-scene report (with every object\'s ceiling) as JSON')
  .action(async (options: { data?: string; scenes?: string[]; synthetic?: number; syntheticSeed: number; checkpoint?: string; superpointScale?: number; superpointMinimumSize?: number; minimumObjectPoints: number; json?: string }) => {
    await runSuperpointReport({
      ...options,
      syntheticScenes: options.synthetic,
      scale: options.superpointScale,
      minimumSize: options.superpointMinimumSize,
      log: (line) => console.log(line),
    });
  });

program
  .command('interpolate')
  .description('blend two checkpoints of one architecture weight by weight, (1 − α)·from + α·to (WiSE-FT): a fine-tune with the weights it started from')
  .requiredOption('--from <dir>', 'the starting weights (model directory or run directory)')
  .requiredOption('--to <dir>', "the fine-tuned weights, same architecture; its config (settings, calibration) is kept")
  .requiredOption('--weight <α>', "α in [0, 1]: the fine-tune's share", parseProbability)
  .requiredOption('--output <dir>', 'model directory to write')
  .addOption(new Option('--dtype <type>', 'storage type of the written weights').choices(['float32', 'float16']).default('float32'))
  .action(async (options: { from: string; to: string; weight: number; output: string; dtype: 'float32' | 'float16' }) => {
    await initializeBackend({ preferred: 'wasm' });
    const { output, byteLength, variableCount } = await interpolateCheckpoints(options);
    console.log(`wrote ${output}: ${variableCount} variables, (1 − ${options.weight})·${options.from} + ${options.weight}·${options.to} (${(byteLength / 1e6).toFixed(2)} MB of ${options.dtype} weights)`);
  });

/** Parses `--points`: a positive integer or `all`. */
function parsePointBudget(value: string): number | 'all' {
  return value === 'all' ? 'all' : parsePositiveInteger(value);
}

program
  .command('bench')
  .description('time training steps phase by phase (data, forward, backward, optimizer) with backend memory, beside a large matMul on the same backend')
  .addOption(new Option('--preset <name>', 'model preset').choices(['lite', 'base', 'tiny']).default('lite'))
  .option('--points <n|all>', "points per step: crop size, or 'all' for whole scenes", parsePointBudget, 10_000 as number | 'all')
  .option('--steps <n>', 'measured steps', parsePositiveInteger, 5)
  .option('--warmup <n>', 'unmeasured steps first (shader compilation, buffer pool growth)', parseNonNegative, 2)
  .option('--data <dir>', 'dataset folder to draw scenes from (default: 2 synthetic rooms)')
  .option('--grid-size <metres>', "backbone voxel size (default the preset's)", parseNonNegative)
  .option('--cache <dir>', 'scene cache directory', '.cache/scenes')
  .option('--matmul <n>', 'edge of the square reference matMul', parsePositiveInteger, 2048)
  .option('--json <file>', 'also write the result as JSON')
  .addOption(backendOption())
  .action(async (options: { preset: 'lite' | 'base' | 'tiny'; points: number | 'all'; steps: number; warmup: number; data?: string; gridSize?: number; cache: string; matmul: number; json?: string; backend?: string }) => {
    await startBackend(options.backend);
    const result = await runBench({
      preset: options.preset,
      points: options.points,
      steps: options.steps,
      warmupSteps: Math.floor(options.warmup),
      data: options.data,
      gridSize: options.gridSize || undefined,
      cacheDirectory: options.cache,
      matMulSize: options.matmul,
      log: (line) => console.log(line),
    });
    for (const line of formatBenchResult(result)) console.log(line);
    if (options.json) await writeFileAtomic(options.json, `${JSON.stringify(result, null, 2)}\n`);
  });

program
  .command('adapter')
  .description('start WebGPU (Dawn) and print its adapter: vendor, architecture, driver (fails when none is found)')
  .action(async () => {
    console.log(`adapter: ${await startNodeWebGpu()}`);
  });

program
  .command('fine-tune-classes')
  .description("fine-tune only the last decoder stage's class head (backbone and mask path frozen) and keep the weights best on the selection scenes")
  .requiredOption('--checkpoint <dir>', 'model or run directory to start from')
  .requiredOption('--data <dir>', 'dataset directory of the training and selection scenes')
  .requiredOption('--scenes <ids>', 'comma-separated training scene ids', (value) => value.split(',').filter(Boolean))
  .requiredOption('--selection-scenes <ids>', 'comma-separated selection scene ids (disjoint from --scenes)', (value) => value.split(',').filter(Boolean))
  .requiredOption('--output <dir>', 'model directory to write')
  .option('--synthetic <n>', 'also train on n generated indoor rooms', parsePositiveInteger)
  .option('--synthetic-seed <n>', 'seed of the first generated room', (value) => Number.parseInt(value, 10), 700_000)
  .option('--steps <n>', 'optimisation steps', parsePositiveInteger, 1000)
  .option('--learning-rates <list>', 'AdamW learning rates to try (comma-separated)', (value) => value.split(',').map(parsePositive), [1e-3])
  .option('--weight-decay <decay>', 'decoupled weight decay per unit learning rate', parseNonNegative, 0.01)
  .option('--class-balances <list>', 'class balances to try: class c weighs n_c^-power in the cross-entropy (0 plain, 1 inverse frequency)', (value) => value.split(',').map(parseNonNegative), [0.5])
  .option('--focusings <list>', 'focal-loss focusing parameters to try with each balance (comma-separated; 0 = cross-entropy)', (value) => value.split(',').map(parseNonNegative), [0])
  .option(
    '--class-pooling <choices>',
    "what the class head pools under each click's mask: backbone levels and 'geometry' (the mask's shape), choices separated by ';', items by ',' (e.g. '4;0,4,geometry;'); each is tried",
    parsePoolingChoices,
  )
  .option('--row-cache <file>', 'file of the collected rows: read when it exists (same collection), else written')
  .option('--batch-size <n>', 'objects per mini-batch', parsePositiveInteger, 64)
  .option('--minimum-object-points <n>', 'smallest object clicked in training', parsePositiveInteger, 100)
  .option('--scene-copies <n>', 'copies of each training scene through the backbone (the rest turned about z)', parsePositiveInteger, 1)
  .option('--click-sets <n>', 'click sets per scene copy', parsePositiveInteger, 8)
  .option('--evaluate-every <n>', 'score the selection scenes every n steps', parsePositiveInteger, 100)
  .option('--seed <n>', 'seed', (value) => Number.parseInt(value, 10), 1)
  .addOption(new Option('--dtype <type>', 'storage type of the written weights').choices(['float32', 'float16']).default('float32'))
  .option('--require-unseen', "fail (SeenSceneError) when a selection scene was seen in training (ScanNet ids by room) or the checkpoint's training data is unknown")
  .addOption(backendOption())
  .action(async (options: { checkpoint: string; data: string; scenes: string[]; selectionScenes: string[]; output: string; synthetic?: number; syntheticSeed: number; steps: number; learningRates: number[]; weightDecay: number; classBalances: number[]; focusings: number[]; classPooling?: Array<{ levels: number[]; geometry: boolean }>; rowCache?: string; batchSize: number; minimumObjectPoints: number; sceneCopies: number; clickSets: number; evaluateEvery: number; seed: number; dtype: 'float32' | 'float16'; requireUnseen?: boolean; backend?: string }) => {
    await startBackend(options.backend);
    await runClassHeadFineTune({
      ...options,
      syntheticScenes: options.synthetic,
      commandLine: process.argv.slice(2).join(' '),
      log: (line) => console.log(line),
    });
  });

program
  .command('info')
  .description("print a preset's parameter count and size")
  .requiredOption('--preset <name>', 'lite, base or tiny')
  .option('--json', 'print JSON')
  .action(async (options: { preset: string; json?: boolean }) => {
    await initializeBackend({ preferred: 'cpu', strict: true });
    const info = describePreset(options.preset);
    if (options.json) console.log(JSON.stringify(info, null, 2));
    else for (const line of formatPresetInfo(info)) console.log(line);
  });

/**
 * Destroys the WebGPU device once a command is done: Dawn keeps Node's event loop alive while a device
 * exists, so the process would never exit.
 */
function releaseWebGpuDevice(): void {
  if (tf.getBackend() !== 'webgpu') return;
  (tf.backend() as unknown as { device?: { destroy(): void } }).device?.destroy();
}

program
  .parseAsync()
  .catch((error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof SeenSceneError ? `error: ${error.message}` : error);
    process.exitCode = 1;
  })
  .finally(releaseWebGpuDevice);
