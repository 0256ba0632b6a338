/**
 * Writes a generated scene to a binary PLY (with instance and semantic properties) for viewing:
 *   pnpm --filter @pointclick/datasets exec tsx scripts/write-synthetic-ply.ts indoor 7 /tmp/indoor-7.ply
 */
import { writePointCloudFile } from '@pointclick/io/node';
import { generateIndoorScene, generateOutdoorScene } from '../src/index.js';

const [kind = 'indoor', seedText = '1', path = `/tmp/pointclick-${kind}-${seedText}.ply`] = process.argv.slice(2);
const seed = Number(seedText);
const scene = kind === 'outdoor' ? generateOutdoorScene({ seed }) : generateIndoorScene({ seed });
await writePointCloudFile(path, scene);
console.log(`wrote ${scene.pointCount} points, ${scene.objects.length} objects to ${path}`);
