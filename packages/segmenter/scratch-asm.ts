const voxelCount = 49825, clickCount = 10;
const columns = Array.from({ length: clickCount }, () => Float32Array.from({ length: voxelCount }, () => Math.random()));
function bench(name: string, f: () => Float32Array) {
  const times: number[] = [];
  for (let r = 0; r < 60; r++) { const s = performance.now(); f(); times.push(performance.now() - s); }
  times.sort((a, b) => a - b); console.log(name, times[30].toFixed(2));
}
bench('alloc only', () => new Float32Array(voxelCount * clickCount));
bench('column strided', () => {
  const result = new Float32Array(voxelCount * clickCount);
  for (let click = 0; click < clickCount; click++) {
    const column = columns[click];
    for (let row = 0, entry = click; row < voxelCount; row++, entry += clickCount) result[entry] = column[row];
  }
  return result;
});
bench('row major', () => {
  const result = new Float32Array(voxelCount * clickCount);
  for (let row = 0, entry = 0; row < voxelCount; row++) for (let click = 0; click < clickCount; click++, entry++) result[entry] = columns[click][row];
  return result;
});
bench('blocked 256', () => {
  const result = new Float32Array(voxelCount * clickCount);
  for (let start = 0; start < voxelCount; start += 256) {
    const end = Math.min(voxelCount, start + 256);
    for (let click = 0; click < clickCount; click++) {
      const column = columns[click];
      for (let row = start, entry = start * clickCount + click; row < end; row++, entry += clickCount) result[entry] = column[row];
    }
  }
  return result;
});
