/**
 * The published packages work outside the monorepo: pack @pointclick/io and @pointclick/sampling with
 * `pnpm pack`, install the tarballs into a scratch project with npm, then import them as ESM and
 * typecheck a consumer against their bundled declarations.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'pointclick-pack-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('packed packages install and import outside the workspace', () => {
  it('packs, installs, imports (ESM) and typechecks @pointclick/io and @pointclick/sampling', () => {
    for (const name of ['io', 'sampling']) {
      run('pnpm', ['pack', '--pack-destination', scratch], join(repositoryRoot, 'packages', name));
    }
    const tarballs = readdirSync(scratch).filter((file) => file.endsWith('.tgz'));
    expect(tarballs.sort()).toEqual([expect.stringMatching(/^pointclick-io-.*\.tgz$/), expect.stringMatching(/^pointclick-sampling-.*\.tgz$/)]);

    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.map((file) => `./${file}`)], scratch);

    writeFileSync(
      join(scratch, 'consumer.ts'),
      [
        "import { readPointCloud, writePly, PointCloudFormatError, type PointCloud } from '@pointclick/io';",
        "import { sampleFarthestPoints, downsampleVoxelGrid } from '@pointclick/sampling';",
        'const positions = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0.001, 0, 0]);',
        'const cloud: PointCloud = { pointCount: 5, positions };',
        'const bytes: Uint8Array = writePly(cloud);',
        'const back = await readPointCloud(bytes);',
        'const farthest: Int32Array = sampleFarthestPoints(back.positions, 3, { startIndex: 0 });',
        'const grid = downsampleVoxelGrid(back.positions, 0.5);',
        'let rejected = false;',
        "try { await readPointCloud(new Uint8Array([1, 2, 3]), { fileName: 'x.ply', format: 'ply' }); } catch (error) { rejected = error instanceof PointCloudFormatError; }",
        'console.log(JSON.stringify({ points: back.pointCount, farthest: Array.from(farthest), voxels: grid.voxelCount, rejected }));',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ['consumer.ts'],
      }),
    );
    const typescriptCompiler = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    run(process.execPath, [typescriptCompiler, '-p', 'tsconfig.json'], scratch);

    // Run the same program as plain ESM JavaScript (types stripped by hand: the file only has annotations).
    const javascript = `${run('node', ['-e', 'process.stdout.write(require("fs").readFileSync("consumer.ts","utf8"))'], scratch)}`
      .replace(', type PointCloud', '')
      .replace(/: PointCloud/g, '')
      .replace(/: Uint8Array/g, '')
      .replace(/: Int32Array/g, '');
    writeFileSync(join(scratch, 'consumer.mjs'), javascript);
    const output = JSON.parse(run('node', ['consumer.mjs'], scratch)) as {
      points: number;
      farthest: number[];
      voxels: number;
      rejected: boolean;
    };
    // Points 0 and 4 are 1 mm apart: FPS from point 0 picks two of the unit-axis points next, never point 4.
    expect(output.points).toBe(5);
    expect(output.farthest[0]).toBe(0);
    expect(output.farthest).not.toContain(4);
    expect(output.voxels).toBe(4);
    expect(output.rejected).toBe(true);
  });
});
