import { createReadStream, existsSync, mkdirSync, readdirSync, copyFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import type { Connect, Plugin } from 'vite';

/** One directory served under a URL prefix in dev and preview, and copied into the build output. */
export interface ServedDirectory {
  /** URL prefix with leading and trailing slash, e.g. `/models/default/`. */
  urlPrefix: string;
  /** Absolute directory on disk; a missing directory is skipped (served as 404, not copied). */
  directory: string;
  /** Copy the directory into `dist` at build time. Default true. */
  copyOnBuild?: boolean;
  /** Only files whose name matches are served and copied. */
  filter?: RegExp;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

/** Headers that make the page cross-origin isolated, so threaded wasm (SharedArrayBuffer) can start. */
export const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function createMiddleware(directories: ServedDirectory[]): Connect.NextHandleFunction {
  return (request, response, next) => {
    const url = decodeURIComponent((request.url ?? '').split('?')[0]);
    for (const served of directories) {
      if (!url.startsWith(served.urlPrefix)) continue;
      const relative = url.slice(served.urlPrefix.length);
      const file = resolve(served.directory, relative);
      // Refuse paths that climb out of the served directory.
      if (!file.startsWith(resolve(served.directory) + sep)) break;
      if (served.filter && !served.filter.test(relative)) break;
      if (!existsSync(file) || !statSync(file).isFile()) {
        response.statusCode = 404;
        response.end(`not found: ${url}`);
        return;
      }
      const extension = file.slice(file.lastIndexOf('.'));
      response.setHeader('Content-Type', CONTENT_TYPES[extension] ?? 'application/octet-stream');
      response.setHeader('Content-Length', String(statSync(file).size));
      response.setHeader('Cache-Control', 'no-cache');
      createReadStream(file).pipe(response);
      return;
    }
    next();
  };
}

/**
 * Serves directories that live outside the app (the repository's `models/default`, the `.wasm` files of
 * `@tensorflow/tfjs-backend-wasm`) in `vite` and `vite preview`, and copies them into the build.
 */
export function staticAssetsPlugin(directories: ServedDirectory[]): Plugin {
  let outputDirectory = 'dist';
  let building = false;
  return {
    name: 'pointclick-static-assets',
    configResolved(config) {
      outputDirectory = resolve(config.root, config.build.outDir);
      // Dev servers call closeBundle too when they close (vitest's, whose build.outDir is a placeholder folder).
      building = config.command === 'build';
    },
    configureServer(server) {
      server.middlewares.use(createMiddleware(directories));
    },
    configurePreviewServer(server) {
      server.middlewares.use(createMiddleware(directories));
    },
    closeBundle() {
      if (!building) return;
      for (const served of directories) {
        if (served.copyOnBuild === false || !existsSync(served.directory)) continue;
        const target = join(outputDirectory, served.urlPrefix);
        mkdirSync(target, { recursive: true });
        for (const name of readdirSync(served.directory)) {
          const source = join(served.directory, name);
          if (!statSync(source).isFile() || (served.filter && !served.filter.test(name))) continue;
          copyFileSync(source, join(target, name));
        }
      }
    },
  };
}

/** Directory holding `@tensorflow/tfjs-backend-wasm`'s `.wasm` binaries, resolved from the app. */
export function findTfjsWasmDirectory(fromDirectory: string): string {
  const require = createRequire(join(fromDirectory, 'package.json'));
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

/**
 * Directory holding laz-perf's browser `.wasm` (a dependency of `@pointclick/io`, which reads LAZ extra-bytes fields
 * with it). Emscripten fetches it next to the script that runs it: the worker, in `assets/` of the build.
 */
export function findLazPerfWasmDirectory(ioPackageDirectory: string): string {
  const require = createRequire(join(ioPackageDirectory, 'package.json'));
  return join(dirname(require.resolve('laz-perf/package.json')), 'lib', 'web');
}
