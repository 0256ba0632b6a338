import { Module } from './module.js';

/**
 * A named container of child modules: one path segment in checkpoint variable names (`enc.enc0.…`,
 * `stage_0.transformer.…`), like torch's `nn.Sequential` used as a namespace. It has no forward pass.
 */
export class ModuleGroup extends Module {
  /** @param name The path segment its children's variable names start with. */
  constructor(name: string) {
    super(name);
  }

  /** Registers `child` under this group and returns it. */
  add<Child extends Module>(child: Child): Child {
    return this.addChild(child);
  }
}
