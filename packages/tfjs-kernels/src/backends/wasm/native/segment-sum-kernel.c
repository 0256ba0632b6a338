/*
 * Unsorted segment sum over rows (PointclickSegmentSum) for the wasm backend, float32. Linked into the matMul
 * module (scripts/build-wasm-kernels.ts), so it runs on the tfjs backend's imported memory: no data
 * segments, no stack, every value in locals.
 *
 * out[s, :] = Σ_{r: ids[r] = s} x[r, :], rows added in order (as the JavaScript kernel does, so the sums round
 * alike); rows with a negative id are dropped.
 */
typedef float f32;
typedef int i32;

#define EXPORT(name) __attribute__((export_name(name)))

/*
 * Zeroes `out` [segments × channels] and adds every row of `x` [rows × channels] into its segment's row.
 * Returns -1, or the first row whose id is ≥ `segments` (rows before it have been added; the caller reports it).
 */
EXPORT("segment_sum")
i32 segment_sum(f32 *restrict out, const f32 *restrict x, const i32 *restrict ids, i32 rows, i32 channels, i32 segments) {
  const i32 total = segments * channels;
  for (i32 index = 0; index < total; index++) out[index] = 0;
  for (i32 row = 0; row < rows; row++) {
    const i32 segment = ids[row];
    if (segment < 0) continue;
    if (segment >= segments) return row;
    f32 *restrict target = out + segment * channels;
    const f32 *restrict source = x + row * channels;
    for (i32 channel = 0; channel < channels; channel++) target[channel] = target[channel] + source[channel];
  }
  return -1;
}
