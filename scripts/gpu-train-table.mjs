// Usage: node scripts/gpu-train-table.mjs DEFAULT_EVAL.json FINE_TUNED_EVAL.json
// Prints a Markdown table of the `pointclick-train eval --json` results of models/default, the fine-tuned model
// and the non-learned baseline (taken from the fine-tuned model's file), for scripts/gpu-train.sh.
import { readFileSync } from 'node:fs';

const [defaultPath, fineTunedPath] = process.argv.slice(2);
if (!defaultPath || !fineTunedPath) {
  console.error('usage: node scripts/gpu-train-table.mjs DEFAULT_EVAL.json FINE_TUNED_EVAL.json');
  process.exit(2);
}
const read = (path) => {
  const value = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof value?.model?.iouAt !== 'object' || typeof value?.model?.nocAt !== 'object') {
    throw new Error(`${path}: expected pointclick-train eval JSON with model.iouAt and model.nocAt`);
  }
  return value;
};
const defaults = read(defaultPath);
const fineTuned = read(fineTunedPath);
const rows = [
  ['models/default', defaults.model],
  ['fine-tuned', fineTuned.model],
  ...(fineTuned.baseline ? [['baseline (non-learned)', fineTuned.baseline]] : []),
];
const iouKeys = Object.keys(fineTuned.model.iouAt);
const nocKeys = Object.keys(fineTuned.model.nocAt);
const format = (value) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(2) : '—');
console.log(`| model | ${iouKeys.map((k) => `IoU@${k}`).join(' | ')} | ${nocKeys.map((k) => `NoC@${k}`).join(' | ')} |`);
console.log(`|---|${[...iouKeys, ...nocKeys].map(() => '---').join('|')}|`);
for (const [name, summary] of rows) {
  console.log(`| ${name} | ${iouKeys.map((k) => format(summary.iouAt[k])).join(' | ')} | ${nocKeys.map((k) => format(summary.nocAt[k])).join(' | ')} |`);
}
