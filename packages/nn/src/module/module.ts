import * as tf from '@tensorflow/tfjs-core';

/**
 * Base class of every pointclick network part: owns named variables and child modules, so a whole
 * model's weights can be listed, counted, serialised and disposed from its root.
 *
 * Variable names are dotted paths from the root (`encoder.stage0.block1.attention.qkv.weight`) and are
 * the keys of checkpoints, so renaming a child or parameter is a checkpoint format change.
 */
export abstract class Module {
  /** Name of this module inside its parent (one path segment). */
  readonly name: string;
  private readonly ownVariables = new Map<string, tf.Variable>();
  private readonly childModules = new Map<string, Module>();
  private trainingMode = false;

  protected constructor(name: string) {
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
      throw new Error(`Module name '${name}' must be a single path segment of letters, digits and underscores`);
    }
    this.name = name;
  }

  /** Whether the module is in training mode (dropout, drop-path and batch statistics active). */
  get training(): boolean {
    return this.trainingMode;
  }

  /** Switches this module and all its children between training and inference behaviour. */
  setTraining(training: boolean): void {
    this.trainingMode = training;
    for (const child of this.childModules.values()) child.setTraining(training);
  }

  /** Registers a variable initialised from `initialValue` (which is kept, not copied). */
  protected addVariable(localName: string, initialValue: tf.Tensor, trainable = true): tf.Variable {
    if (this.ownVariables.has(localName) || this.childModules.has(localName)) {
      throw new Error(`Module '${this.name}' already has a member named '${localName}'`);
    }
    const variable = tf.variable(initialValue, trainable, undefined, initialValue.dtype);
    initialValue.dispose();
    this.ownVariables.set(localName, variable);
    return variable;
  }

  /** Registers a child module; its variables appear under `<child.name>.`. */
  protected addChild<Child extends Module>(child: Child): Child {
    if (this.ownVariables.has(child.name) || this.childModules.has(child.name)) {
      throw new Error(`Module '${this.name}' already has a member named '${child.name}'`);
    }
    this.childModules.set(child.name, child);
    child.setTraining(this.trainingMode);
    return child;
  }

  /** Every variable of this module and its descendants, keyed by dotted path, in registration order. */
  namedVariables(prefix = ''): Map<string, tf.Variable> {
    const result = new Map<string, tf.Variable>();
    for (const [localName, variable] of this.ownVariables) result.set(prefix + localName, variable);
    for (const [childName, child] of this.childModules) {
      for (const [path, variable] of child.namedVariables(`${prefix}${childName}.`)) result.set(path, variable);
    }
    return result;
  }

  /** Variables updated by an optimizer (excludes running statistics). */
  trainableVariables(): tf.Variable[] {
    return [...this.namedVariables().values()].filter((variable) => variable.trainable);
  }

  /** Number of trainable scalar parameters. */
  countParams(): number {
    let count = 0;
    for (const variable of this.trainableVariables()) count += variable.size;
    return count;
  }

  /** Frees every variable of this module and its descendants. */
  dispose(): void {
    for (const variable of this.namedVariables().values()) variable.dispose();
  }
}
