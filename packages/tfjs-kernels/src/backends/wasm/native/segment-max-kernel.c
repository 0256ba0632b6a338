/*
 * Segment max over rows (PointclickSegmentMax) for the wasm backend, float32. Linked into the matMul module
 * (scripts/build-wasm-kernels.ts), so it runs on the tfjs backend's imported memory: no data segments, no
 * stack, every value in locals.
 *
 * maxima[s, c] = max over the rows r with ids[r] = s of x[r, c], argmax[s, c] = the first such row reaching it
 * (a later row wins only when strictly greater); a segment without rows keeps 0 and argmax -1. The same
 * comparisons in the same row order as the JavaScript kernel (src/backends/shared/segment-max-values.ts), so
 * both give the same values and rows to the bit.
 */
typedef float f32;
typedef int i32;

#define EXPORT(name) __attribute__((export_name(name)))

/*
 * Fills `maxima` and `argmax` [segments × channels] from `x` [rows × channels] and `ids` [rows]. Returns -1, or the
 * first row whose id is outside [0, segments) (rows before it have been taken in; the caller reports it).
 */
EXPORT("segment_max")
i32 segment_max(f32 *restrict maxima, i32 *restrict argmax, const f32 *restrict x, const i32 *restrict ids, i32 rows, i32 channels, i32 segments) {
  const i32 total = segments * channels;
  for (i32 index = 0; index < total; index++) {
    maxima[index] = 0;
    argmax[index] = -1;
  }
  for (i32 row = 0; row < rows; row++) {
    const i32 segment = ids[row];
    if (segment < 0 || segment >= segments) return row;
    f32 *restrict best = maxima + segment * channels;
    i32 *restrict winner = argmax + segment * channels;
    const f32 *restrict source = x + row * channels;
    for (i32 channel = 0; channel < channels; channel++) {
      const f32 value = source[channel];
      if (winner[channel] < 0 || value > best[channel]) {
        best[channel] = value;
        winner[channel] = row;
      }
    }
  }
  return -1;
}
