/**
 * Reads the workspace's packages and apps into an import graph, and the checks that
 * `tests/architecture.test.ts` runs on it. Each check returns one readable line per violation (empty when the
 * code follows the rule), so a test can assert `[]` on the real tree and a non-empty list on a planted case.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One source file of a workspace and the module specifiers it imports (static, dynamic, re-exports, `require`). */
export interface SourceFile {
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  /** Path relative to the workspace's directory (`src/node/index.ts`, `test/x.test.ts`). */
  localPath: string;
  /** Every module specifier the file imports, as written. */
  imports: string[];
}

/** The parts of a `package.json` the checks read. */
export interface WorkspaceManifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** One package (`packages/*`) or app (`apps/*`). */
export interface Workspace {
  /** `library` for `packages/*`, `app` for `apps/*`. */
  kind: 'library' | 'app';
  /** Directory relative to the repository root (`packages/io`). */
  directory: string;
  manifest: WorkspaceManifest;
  files: SourceFile[];
}

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs'];
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', '.turbo', 'build', 'test-artifacts', 'coverage']);
const NODE_BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));

/** Reads every workspace under `packages/` and `apps/` of `repositoryRoot`. */
export function readWorkspaces(repositoryRoot: string): Workspace[] {
  const workspaces: Workspace[] = [];
  for (const [parent, kind] of [['packages', 'library'], ['apps', 'app']] as const) {
    for (const name of readdirSync(join(repositoryRoot, parent)).sort()) {
      const directory = join(repositoryRoot, parent, name);
      if (!existsSync(join(directory, 'package.json'))) continue;
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as WorkspaceManifest;
      const files = listSourceFiles(directory).map((file): SourceFile => {
        const text = readFileSync(file, 'utf8');
        const imports = ts.preProcessFile(text, true, false).importedFiles.map((entry) => entry.fileName);
        return { path: toPosix(relative(repositoryRoot, file)), localPath: toPosix(relative(directory, file)), imports };
      });
      workspaces.push({ kind, directory: `${parent}/${name}`, manifest, files });
    }
  }
  return workspaces;
}

function listSourceFiles(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory).sort()) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry) && !entry.startsWith('.')) found.push(...listSourceFiles(path));
    } else if (SOURCE_EXTENSIONS.some((extension) => entry.endsWith(extension)) && !entry.endsWith('.d.ts')) {
      found.push(path);
    }
  }
  return found;
}

function toPosix(path: string): string {
  return path.split('\\').join('/');
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative paths. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Whether a specifier names a Node built-in module (`node:fs`, `fs/promises`, `path`). */
export function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  return NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]);
}

/** Whether a file is shipped source (under `src/`) rather than a test, benchmark, script or config. */
export function isShippedSource(file: SourceFile): boolean {
  return file.localPath.startsWith('src/') && !/\.test\.tsx?$/.test(file.localPath);
}

/** Layer rules: a workspace may import only workspaces of a strictly lower layer. */
export interface LayerRules {
  /** Layer number per library name; apps sit above every library. */
  layers: Record<string, number>;
  /** Libraries that must not import TF.js, directly or through a workspace package that does. */
  tensorFlowFree: string[];
  /** Package names that count as TF.js (the `@tensorflow/` scope always does). */
  tensorFlowPackages: string[];
}

/**
 * Workspace imports against the one-way order: a library importing a library of its own or a higher layer, any
 * library importing an app, an app importing another app, and TF.js imports from the TF.js-free libraries.
 * Every file of a workspace counts (tests too): a test that needs a higher layer belongs in that layer.
 */
export function findLayerViolations(workspaces: Workspace[], rules: LayerRules): string[] {
  const kindByName = new Map(workspaces.map((workspace) => [workspace.manifest.name, workspace.kind]));
  const appLayer = Math.max(...Object.values(rules.layers)) + 1;
  const layerOf = (name: string): number | undefined => (kindByName.get(name) === 'app' ? appLayer : rules.layers[name]);
  const violations: string[] = [];
  for (const workspace of workspaces) {
    const name = workspace.manifest.name;
    const ownLayer = layerOf(name);
    if (ownLayer === undefined) {
      violations.push(`${name} (${workspace.directory}) has no layer: add it to the architecture test's layer table`);
      continue;
    }
    for (const file of workspace.files) {
      for (const specifier of file.imports) {
        const target = packageOf(specifier);
        if (target === undefined || target === name) continue;
        if (rules.tensorFlowFree.includes(name) && (target.startsWith('@tensorflow/') || rules.tensorFlowPackages.includes(target))) {
          violations.push(`${file.path} imports ${specifier}: ${name} must not depend on TF.js`);
          continue;
        }
        const targetLayer = layerOf(target);
        if (targetLayer === undefined) continue; // not a workspace package
        if (workspace.kind === 'library' && kindByName.get(target) === 'app') {
          violations.push(`${file.path} imports ${specifier}: libraries never import apps`);
        } else if (targetLayer >= ownLayer) {
          violations.push(`${file.path} imports ${specifier}: ${name} (layer ${ownLayer}) may only import lower layers, ${target} is layer ${targetLayer}`);
        }
      }
    }
  }
  return violations;
}

/**
 * `node:` (or bare built-in) imports in browser code: a library's `src/` outside `src/node/` and `src/node.ts`,
 * and the `src/` of the apps named in `browserApps`. Node-only code belongs behind a `/node` subpath export.
 */
export function findNodeImportViolations(workspaces: Workspace[], browserApps: string[]): string[] {
  const violations: string[] = [];
  for (const workspace of workspaces) {
    const checked = workspace.kind === 'library' || browserApps.includes(workspace.manifest.name);
    if (!checked) continue;
    for (const file of workspace.files) {
      if (!isShippedSource(file)) continue;
      if (workspace.kind === 'library' && (file.localPath.startsWith('src/node/') || file.localPath === 'src/node.ts')) continue;
      for (const specifier of file.imports) {
        if (isNodeBuiltin(specifier)) violations.push(`${file.path} imports ${specifier} outside a node/ folder or node.ts entry`);
      }
    }
  }
  return violations;
}

/**
 * Declared dependencies nobody imports, runtime dependencies only tests or benchmarks import, and imports of
 * packages the workspace does not declare (shipped code may only import `dependencies`/`peerDependencies`).
 * `@types/*` packages, the tools named in `toolPackages` (used as CLIs, not imported) and packages that another
 * declared dependency names as a peer dependency (the workspace provides them: `@loaders.gl/core` for
 * `@loaders.gl/las`, a TF.js backend for `@pointclick/tfjs-kernels`) are exempt.
 */
export function findDependencyViolations(
  workspaces: Workspace[],
  rootManifest: WorkspaceManifest,
  toolPackages: string[],
  peerDependenciesOf: (workspace: Workspace, dependency: string) => string[],
): string[] {
  const violations: string[] = [];
  for (const workspace of workspaces) {
    const { name, dependencies = {}, peerDependencies = {}, devDependencies = {} } = workspace.manifest;
    const runtime = new Set([...Object.keys(dependencies), ...Object.keys(peerDependencies)]);
    const development = new Set(Object.keys(devDependencies));
    const rootDevelopment = new Set(Object.keys(rootManifest.devDependencies ?? {}));
    const importedByShipped = new Set<string>();
    const importedByAny = new Set<string>();
    for (const file of workspace.files) {
      const shipped = isShippedSource(file);
      for (const specifier of file.imports) {
        const target = packageOf(specifier);
        if (target === undefined || isNodeBuiltin(specifier) || target === name) continue;
        importedByAny.add(target);
        if (shipped) importedByShipped.add(target);
        if (shipped && !runtime.has(target)) {
          violations.push(`${file.path} imports ${target}, which ${name} does not list in dependencies or peerDependencies`);
        } else if (!shipped && !runtime.has(target) && !development.has(target) && !rootDevelopment.has(target)) {
          violations.push(`${file.path} imports ${target}, which neither ${name} nor the workspace root declares`);
        }
      }
    }
    const peers = new Set([...runtime, ...development].flatMap((dependency) => peerDependenciesOf(workspace, dependency)));
    for (const dependency of runtime) {
      if (importedByShipped.has(dependency) || peers.has(dependency)) continue;
      violations.push(
        importedByAny.has(dependency)
          ? `${name} lists ${dependency} as a runtime dependency but only tests, benchmarks or scripts import it: make it a devDependency`
          : `${name} lists ${dependency} as a dependency but no file imports it`,
      );
    }
    for (const dependency of development) {
      if (importedByAny.has(dependency) || runtime.has(dependency) || peers.has(dependency)) continue;
      if (dependency.startsWith('@types/') || toolPackages.includes(dependency)) continue;
      violations.push(`${name} lists ${dependency} as a devDependency but no file imports it`);
    }
  }
  return violations;
}

/** The peer dependencies a workspace's installed dependency declares (read from its `node_modules`). */
export function readPeerDependencies(repositoryRoot: string, workspace: Workspace, dependency: string): string[] {
  const manifestPath = join(repositoryRoot, workspace.directory, 'node_modules', dependency, 'package.json');
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as WorkspaceManifest;
  return Object.keys(manifest.peerDependencies ?? {});
}

/**
 * Import cycles between folders inside a workspace's `src/` (a folder that imports from a folder that imports
 * it back, directly or around a longer loop). Each cycle is reported once, with one importing file per edge.
 */
export function findFolderCycles(workspaces: Workspace[], repositoryRoot: string): string[] {
  const violations: string[] = [];
  for (const workspace of workspaces) {
    const edges = new Map<string, Map<string, string>>(); // folder → (imported folder → an example importing file)
    for (const file of workspace.files) {
      if (!isShippedSource(file)) continue;
      const folder = dirname(file.localPath);
      for (const specifier of file.imports) {
        if (!specifier.startsWith('.')) continue;
        const targetFolder = resolveImportedFolder(join(repositoryRoot, workspace.directory), folder, specifier);
        if (targetFolder === undefined || targetFolder === folder || !targetFolder.startsWith('src')) continue;
        const targets = edges.get(folder) ?? new Map<string, string>();
        if (!targets.has(targetFolder)) targets.set(targetFolder, `${file.localPath} → ${specifier}`);
        edges.set(folder, targets);
      }
    }
    for (const component of stronglyConnectedComponents(edges)) {
      if (component.length < 2) continue;
      const inside = new Set(component);
      const links = component.flatMap((folder) =>
        [...(edges.get(folder) ?? new Map<string, string>())].filter(([target]) => inside.has(target)).map(([, example]) => example),
      );
      violations.push(`${workspace.manifest.name}: folders ${component.sort().join(', ')} import each other (${links.join('; ')})`);
    }
  }
  return violations;
}

/**
 * Imports against a package's declared folder order (lowest first, e.g. tfjs's `kernels/` → `backends/` →
 * `ops/`): a file in a listed folder may import only from its own or a lower listed folder.
 */
export function findFolderOrderViolations(workspaces: Workspace[], repositoryRoot: string, orders: Record<string, string[]>): string[] {
  const violations: string[] = [];
  for (const workspace of workspaces) {
    const order = orders[workspace.manifest.name];
    if (order === undefined) continue;
    const rankOf = (folder: string) => order.findIndex((listed) => folder === listed || folder.startsWith(`${listed}/`));
    for (const file of workspace.files) {
      if (!isShippedSource(file)) continue;
      const folder = dirname(file.localPath);
      const ownRank = rankOf(folder);
      if (ownRank < 0) continue;
      for (const specifier of file.imports) {
        if (!specifier.startsWith('.')) continue;
        const targetFolder = resolveImportedFolder(join(repositoryRoot, workspace.directory), folder, specifier);
        const targetRank = targetFolder === undefined ? -1 : rankOf(targetFolder);
        if (targetRank > ownRank) violations.push(`${file.path} imports ${specifier}: ${order[ownRank]}/ must not import ${order[targetRank]}/ (order: ${order.join(' → ')})`);
      }
    }
  }
  return violations;
}

/** The folder (relative to the workspace) a relative import lands in: its file's folder, or the folder itself for an index import. */
function resolveImportedFolder(workspaceDirectory: string, fromFolder: string, specifier: string): string | undefined {
  const target = resolve(workspaceDirectory, fromFolder, specifier);
  const withoutExtension = target.replace(/\.(js|mjs|ts)$/, '');
  for (const extension of ['.ts', '.tsx', '.mts']) {
    if (existsSync(withoutExtension + extension)) return toPosix(relative(workspaceDirectory, dirname(withoutExtension)));
  }
  if (existsSync(join(target, 'index.ts'))) return toPosix(relative(workspaceDirectory, target));
  if (existsSync(target) && statSync(target).isFile()) return toPosix(relative(workspaceDirectory, dirname(target)));
  return undefined;
}

/** Tarjan's strongly connected components of a directed graph given as adjacency maps. */
export function stronglyConnectedComponents(edges: Map<string, Map<string, string>>): string[][] {
  const nodes = new Set<string>([...edges.keys(), ...[...edges.values()].flatMap((targets) => [...targets.keys()])]);
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    lowLink.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of edges.get(node)?.keys() ?? []) {
      if (!index.has(target)) {
        visit(target);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(target)!));
      } else if (onStack.has(target)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(target)!));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of [...nodes].sort()) if (!index.has(node)) visit(node);
  return components;
}
