/**
 * The architecture as tests: the one-way order of workspace imports, Node-only code behind `/node` entries,
 * declared dependencies that are really imported, and no import cycles between folders inside a package.
 * Each rule runs on the real tree (no violations) and on a small planted tree (the violation is reported), so a
 * check that silently stopped working would fail here too.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  findDependencyViolations,
  findFolderCycles,
  findFolderOrderViolations,
  findLayerViolations,
  findNodeImportViolations,
  readPeerDependencies,
  readWorkspaces,
  type LayerRules,
  type Workspace,
  type WorkspaceManifest,
} from './architecture/workspace-graph.js';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const workspaces = readWorkspaces(repositoryRoot);
const rootManifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as WorkspaceManifest;

/** io, sampling → tfjs-kernels → nn → ptv3, decoder, losses → segmenter → apps; metrics and datasets stay TF.js-free. */
const RULES: LayerRules = {
  layers: {
    '@pointclick/io': 0,
    '@pointclick/sampling': 0,
    '@pointclick/metrics': 1,
    '@pointclick/datasets': 1,
    '@pointclick/tfjs-kernels': 1,
    '@pointclick/nn': 2,
    '@pointclick/ptv3': 3,
    '@pointclick/decoder': 3,
    '@pointclick/losses': 3,
    '@pointclick/segmenter': 4,
  },
  tensorFlowFree: ['@pointclick/io', '@pointclick/sampling', '@pointclick/metrics', '@pointclick/datasets'],
  tensorFlowPackages: ['@pointclick/tfjs-kernels', '@pointclick/nn', '@pointclick/ptv3', '@pointclick/decoder', '@pointclick/losses', '@pointclick/segmenter'],
};

/** Apps whose `src/` runs in a browser and so must not import Node built-ins. */
const BROWSER_APPS = ['@pointclick/playground'];

/**
 * Files that still import Node built-ins outside a node/ entry, each with the work that removes it. The test
 * fails when a listed file no longer violates, so the entry is deleted as soon as that work lands.
 */
const PENDING_NODE_MOVES: Record<string, string> = {};

/** Folder layers inside a package, lowest first (tfjs's own order: kernel names, then backends, then ops). */
const FOLDER_ORDERS: Record<string, string[]> = {
  '@pointclick/tfjs-kernels': ['src/kernels', 'src/backends', 'src/ops'],
};

/** Dev tools a workspace runs as a CLI rather than imports. */
const TOOL_PACKAGES = ['vite', 'tsup', 'tsx', 'typescript', 'vitest'];

function plantedWorkspace(name: string, kind: Workspace['kind'], files: Record<string, string[]>, manifest: Partial<WorkspaceManifest> = {}): Workspace {
  const directory = `${kind === 'app' ? 'apps' : 'packages'}/${name.split('/')[1]}`;
  return {
    kind,
    directory,
    manifest: { name, ...manifest },
    files: Object.entries(files).map(([localPath, imports]) => ({ path: `${directory}/${localPath}`, localPath, imports })),
  };
}

describe('architecture', () => {
  it('reads every package and app', () => {
    const names = workspaces.map((workspace) => workspace.manifest.name);
    expect(names).toEqual(expect.arrayContaining([...Object.keys(RULES.layers), '@pointclick/playground', '@pointclick/trainer', '@pointclick/labeler']));
    expect(workspaces.every((workspace) => workspace.files.length > 0)).toBe(true);
  });

  describe('workspace imports follow the one-way order', () => {
    it('holds for the workspace', () => {
      expect(findLayerViolations(workspaces, RULES)).toEqual([]);
    });

    it('reports an upward import, a TF.js import from a TF.js-free library and a library importing an app', () => {
      const planted = [
        plantedWorkspace('@pointclick/nn', 'library', { 'src/linear.ts': ['@pointclick/ptv3', '@tensorflow/tfjs-core'] }),
        plantedWorkspace('@pointclick/ptv3', 'library', { 'src/model.ts': ['@pointclick/nn'] }),
        plantedWorkspace('@pointclick/metrics', 'library', { 'src/iou.ts': ['@tensorflow/tfjs-core', '@pointclick/io'], 'test/iou.test.ts': ['@pointclick/nn'] }),
        plantedWorkspace('@pointclick/io', 'library', { 'src/read.ts': ['@pointclick/sampling', '@pointclick/viewer/x'] }),
        plantedWorkspace('@pointclick/sampling', 'library', { 'src/sample.ts': [] }),
        plantedWorkspace('@pointclick/viewer', 'app', { 'src/main.ts': ['@pointclick/ptv3', '@pointclick/tool'] }),
        plantedWorkspace('@pointclick/tool', 'app', { 'src/cli.ts': [] }),
      ];
      expect(findLayerViolations(planted, RULES)).toEqual([
        'packages/nn/src/linear.ts imports @pointclick/ptv3: @pointclick/nn (layer 2) may only import lower layers, @pointclick/ptv3 is layer 3',
        'packages/metrics/src/iou.ts imports @tensorflow/tfjs-core: @pointclick/metrics must not depend on TF.js',
        'packages/metrics/test/iou.test.ts imports @pointclick/nn: @pointclick/metrics must not depend on TF.js',
        'packages/io/src/read.ts imports @pointclick/sampling: @pointclick/io (layer 0) may only import lower layers, @pointclick/sampling is layer 0',
        'packages/io/src/read.ts imports @pointclick/viewer/x: libraries never import apps',
        'apps/viewer/src/main.ts imports @pointclick/tool: @pointclick/viewer (layer 5) may only import lower layers, @pointclick/tool is layer 5',
      ]);
    });
  });

  describe('node: imports live in a node/ folder or node.ts entry', () => {
    it('holds for the workspace (apart from the listed pending moves, which still violate)', () => {
      const violations = findNodeImportViolations(workspaces, BROWSER_APPS);
      const pendingFiles = Object.keys(PENDING_NODE_MOVES);
      expect(violations.filter((line) => !pendingFiles.some((file) => line.startsWith(`${file} `)))).toEqual([]);
      for (const file of pendingFiles) {
        // Once this fails, the move has landed: delete the entry from PENDING_NODE_MOVES.
        expect(violations.some((line) => line.startsWith(`${file} `)), `${file}: ${PENDING_NODE_MOVES[file]}`).toBe(true);
      }
    });

    it('reports static, dynamic and bare built-in imports in library and browser-app sources, not in node entries or tests', () => {
      const planted = [
        plantedWorkspace('@pointclick/io', 'library', {
          'src/read.ts': ['node:fs/promises'],
          'src/scenes/scene.ts': ['path'],
          'src/node/index.ts': ['node:fs'],
          'src/node.ts': ['node:path'],
          'test/read.test.ts': ['node:fs'],
        }),
        plantedWorkspace('@pointclick/playground', 'app', { 'src/main.ts': ['node:url'], 'vite.config.ts': ['node:path'] }),
        plantedWorkspace('@pointclick/trainer', 'app', { 'src/cli.ts': ['node:fs'] }),
      ];
      expect(findNodeImportViolations(planted, BROWSER_APPS)).toEqual([
        'packages/io/src/read.ts imports node:fs/promises outside a node/ folder or node.ts entry',
        'packages/io/src/scenes/scene.ts imports path outside a node/ folder or node.ts entry',
        'apps/playground/src/main.ts imports node:url outside a node/ folder or node.ts entry',
      ]);
    });
  });

  describe('declared dependencies are imported', () => {
    it('holds for the workspace', () => {
      const peersOf = (workspace: Workspace, dependency: string) => readPeerDependencies(repositoryRoot, workspace, dependency);
      expect(findDependencyViolations(workspaces, rootManifest, TOOL_PACKAGES, peersOf)).toEqual([]);
    });

    it('reports unused and test-only runtime dependencies, and undeclared imports; a provided peer is used', () => {
      const planted = [
        plantedWorkspace(
          '@pointclick/losses',
          'library',
          { 'src/bce.ts': ['@tensorflow/tfjs-core', 'zod'], 'test/bce.test.ts': ['@loaders.gl/pcd', 'vitest'] },
          {
            dependencies: { '@pointclick/nn': 'workspace:^', '@loaders.gl/pcd': '^4', '@loaders.gl/core': '^4' },
            peerDependencies: { '@tensorflow/tfjs-core': '^4' },
            devDependencies: { '@types/three': '^0', 'three': '^0' },
          },
        ),
      ];
      const peersOf = (_workspace: Workspace, dependency: string) => (dependency === '@loaders.gl/pcd' ? ['@loaders.gl/core'] : []);
      expect(findDependencyViolations(planted, { name: 'root', devDependencies: { vitest: '^3' } }, TOOL_PACKAGES, peersOf)).toEqual([
        'packages/losses/src/bce.ts imports zod, which @pointclick/losses does not list in dependencies or peerDependencies',
        '@pointclick/losses lists @pointclick/nn as a dependency but no file imports it',
        '@pointclick/losses lists @loaders.gl/pcd as a runtime dependency but only tests, benchmarks or scripts import it: make it a devDependency',
        '@pointclick/losses lists three as a devDependency but no file imports it',
      ]);
    });
  });

  describe('no import cycle between folders inside a package', () => {
    it('holds for the workspace', () => {
      expect(findFolderCycles(workspaces, repositoryRoot)).toEqual([]);
    });

    it('reports a two-folder cycle and a longer loop, not a one-way import', () => {
      // Planted files reuse real folders of the ptv3 package so that relative imports resolve on disk.
      const planted = [
        plantedWorkspace('@pointclick/ptv3', 'library', {
          'src/layers/planted.ts': ['../model/point-transformer-v3.js'],
          'src/model/planted.ts': ['../layers/drop-path.js', '../index.js'],
        }),
      ];
      const ptv3 = workspaces.find((workspace) => workspace.manifest.name === '@pointclick/ptv3')!;
      planted[0].files.push(...ptv3.files.filter((file) => file.localPath === 'src/index.ts'));
      const cycles = findFolderCycles(planted, repositoryRoot);
      expect(cycles).toHaveLength(1);
      expect(cycles[0]).toMatch(/^@pointclick\/ptv3: folders src, src\/layers, src\/model import each other \(/);
      expect(cycles[0]).toContain('src/layers/planted.ts → ../model/point-transformer-v3.js');
    });
  });

  describe('folders inside a package follow their declared order', () => {
    it('holds for the workspace', () => {
      expect(findFolderOrderViolations(workspaces, repositoryRoot, FOLDER_ORDERS)).toEqual([]);
    });

    it('reports a backend importing an op', () => {
      const planted = [
        plantedWorkspace('@pointclick/tfjs-kernels', 'library', {
          'src/backends/cpu/planted.ts': ['../../ops/segment-max-op.js', '../../kernels/kernel-names.js'],
          'src/ops/planted.ts': ['../backends/shared/segment-max-values.js'],
        }),
      ];
      expect(findFolderOrderViolations(planted, repositoryRoot, FOLDER_ORDERS)).toEqual([
        'packages/tfjs-kernels/src/backends/cpu/planted.ts imports ../../ops/segment-max-op.js: src/backends/ must not import src/ops/ (order: src/kernels → src/backends → src/ops)',
      ]);
    });
  });
});
