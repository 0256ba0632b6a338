import { Module } from '@pointclick/nn';

/** A named container of child modules (a path segment in checkpoint names, like torch's Sequential). */
export class ModuleGroup extends Module {
  constructor(name: string) {
    super(name);
  }

  /** Registers a child and returns it. */
  add<Child extends Module>(child: Child): Child {
    return this.addChild(child);
  }
}
