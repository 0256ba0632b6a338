// Stands in for @types/node in tsconfig.browser.json. Some dependencies' typings (apache-arrow, through
// @loaders.gl) say `/// <reference types="node" />`, which would load Node's globals and `node:` modules into the
// browser check; resolving that reference here instead keeps them out, so browser code that uses them fails.
export {};
