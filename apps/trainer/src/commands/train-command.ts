import { applyOverrides, readTrainingConfigFile, validateTrainingConfig, type TrainingConfig } from '../config/training-config.js';
import { runTraining, type TrainingRunResult } from '../training/training-loop.js';

/** The `train` command's flags. */
export interface TrainCommandOptions {
  /** Configuration file (JSON or YAML). */
  config?: string;
  /** `path=value` overrides, applied in order after the file. */
  set: string[];
  /** Run directory (overrides `outputDirectory`). */
  output?: string;
  /** Model preset (overrides `preset`). */
  preset?: string;
  /** Total steps of the schedule (overrides `schedule.steps`). */
  steps?: number;
  /** Stop after this many steps of this invocation. */
  stepLimit?: number;
  /** Stop (with a checkpoint) once this many minutes of training steps have passed. */
  timeLimit?: number;
  /** Continue from the run directory's latest checkpoint. */
  resume?: boolean;
  /** Fine-tune from this model or run directory (overrides `initialWeights`). */
  initFrom?: string;
  /** TF.js backend (overrides `backend`). */
  backend?: string;
}

/** The configuration a `train` invocation runs: the file, then `--set` overrides, then the dedicated flags. */
export async function resolveTrainCommandConfig(options: TrainCommandOptions): Promise<TrainingConfig> {
  const fileValue = options.config ? await readTrainingConfigFile(options.config) : {};
  const overrides = [...options.set];
  if (options.output) overrides.push(`outputDirectory=${JSON.stringify(options.output)}`);
  if (options.preset) overrides.push(`preset=${JSON.stringify(options.preset)}`);
  if (options.steps) overrides.push(`schedule.steps=${options.steps}`);
  if (options.backend) overrides.push(`backend=${JSON.stringify(options.backend)}`);
  if (options.initFrom) overrides.push(`initialWeights=${JSON.stringify(options.initFrom)}`);
  return validateTrainingConfig(applyOverrides(fileValue, overrides), options.config ?? 'configuration');
}

/**
 * `pointclick-train train`: resolves the configuration, starts its backend and trains.
 * @param startBackend Starts the configured TF.js backend (the CLI's, which prints what it chose).
 * @param command The command line, recorded in checkpoints.
 */
export async function runTrainCommand(options: TrainCommandOptions, startBackend: (name: string | undefined) => Promise<void>, command: string): Promise<TrainingRunResult> {
  const config = await resolveTrainCommandConfig(options);
  await startBackend(config.backend);
  return runTraining(config, { resume: options.resume, stepLimit: options.stepLimit, timeLimitSeconds: options.timeLimit === undefined ? undefined : options.timeLimit * 60, command });
}
