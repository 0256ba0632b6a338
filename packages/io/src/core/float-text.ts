/**
 * The shortest decimal text that reads back (through `Number` then float32) to the same float32 value, so text formats
 * keep float32 coordinates exactly without printing 17 digits.
 */
export function formatFloat32(value: number): string {
  const target = Math.fround(value);
  if (Number.isInteger(target)) return String(target);
  for (let digits = 6; digits < 9; digits++) {
    const text = target.toPrecision(digits);
    if (Math.fround(Number(text)) === target) return String(Number(text));
  }
  return String(Number(target.toPrecision(9)));
}
