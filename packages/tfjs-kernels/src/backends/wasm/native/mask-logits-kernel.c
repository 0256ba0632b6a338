/*
 * The decoder's mask logits with their click priors in one pass (PointclickMaskLogitsWithPriors), for the
 * wasm backend. Linked into the matMul module (scripts/build-wasm-kernels.ts), so it runs on the tfjs
 * backend's imported memory: no data segments, no stack, every value in locals.
 *
 * out[r, c] = ((product[r, c] + rowBias[c]) + (distanceKernel[r, c]·distanceGain + distanceBias))
 *             + (geodesicBias − geodesicDistances[r, c]·geodesicGain)
 * with each bracketed term present only when its bit is set in `terms`. The additions run in the order the
 * composite of tfjs ops runs them, and wasm has no fused multiply-add, so every float rounds as it does there.
 */
typedef float f32;
typedef int i32;

#define EXPORT(name) __attribute__((export_name(name)))

/* Bits of `terms`. */
#define ROW_BIAS 1
#define DISTANCE 2
#define GEODESIC 4

EXPORT("mask_logits_with_priors")
void mask_logits_with_priors(f32 *restrict out, const f32 *restrict product, const f32 *restrict row_bias, const f32 *restrict distance_kernel,
                             f32 distance_gain, f32 distance_bias, const f32 *restrict geodesic_distances, f32 geodesic_gain,
                             f32 geodesic_bias, i32 rows, i32 columns, i32 terms) {
  const i32 has_row_bias = terms & ROW_BIAS;
  const i32 has_distance = terms & DISTANCE;
  const i32 has_geodesic = terms & GEODESIC;
  for (i32 row = 0; row < rows; row++) {
    const i32 base = row * columns;
    for (i32 column = 0; column < columns; column++) {
      const i32 index = base + column;
      f32 value = product[index];
      if (has_row_bias) value = value + row_bias[column];
      if (has_distance) value = value + (distance_kernel[index] * distance_gain + distance_bias);
      if (has_geodesic) value = value + (geodesic_bias - geodesic_distances[index] * geodesic_gain);
      out[index] = value;
    }
  }
}
