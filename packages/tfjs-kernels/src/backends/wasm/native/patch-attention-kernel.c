/*
 * Fused patch attention for the wasm backend: for every (patch, head) block of
 * [patchSize, headChannels] rows, O = softmax(q kᵀ · scale) v, and its gradient.
 *
 * Compiled by clang to wasm32 + SIMD128 (scripts/build-wasm-kernels.ts); the bytes are embedded
 * in src/backends/wasm/patch-attention-wasm-binary.ts so users need no C toolchain.
 * No libc: the exponential is a Cephes-style polynomial (about 2 ulp on the softmax range).
 *
 * Maxima use f32x4.pmax (one maxps in V8) rather than f32x4.max, whose NaN and signed-zero rules
 * cost V8 a sequence of about seven instructions: the softmax took twice as long with it.
 *
 * Every block is first packed into scratch with both dimensions padded to multiples of 4 (zeros),
 * so that the products below need no tail loops. Padded key columns are masked out of the softmax
 * (probability 0); padded query rows are computed and dropped when the block is unpacked.
 */
#include <wasm_simd128.h>

typedef float f32;
typedef int i32;

#define EXPORT(name) __attribute__((export_name(name)))

static inline i32 round_up4(i32 value) { return (value + 3) & ~3; }

/* C[rows × cols] = A[rows × inner] · B[inner × cols], row-major, all sizes multiples of 4. */
static void multiply(f32 *restrict c, const f32 *restrict a, const f32 *restrict b, i32 rows, i32 inner, i32 cols) {
  for (i32 row = 0; row < rows; row += 4) {
    const f32 *a0 = a + row * inner;
    const f32 *a1 = a0 + inner;
    const f32 *a2 = a1 + inner;
    const f32 *a3 = a2 + inner;
    i32 col = 0;
    /* 4 rows × 8 columns: 8 accumulators, fits the 16 SIMD registers of x64 without spills. */
    for (; col + 8 <= cols; col += 8) {
      v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      const f32 *bp = b + col;
      for (i32 k = 0; k < inner; k++, bp += cols) {
        v128_t b0 = wasm_v128_load(bp);
        v128_t b1 = wasm_v128_load(bp + 4);
        v128_t s0 = wasm_v128_load32_splat(a0 + k);
        v128_t s1 = wasm_v128_load32_splat(a1 + k);
        v128_t s2 = wasm_v128_load32_splat(a2 + k);
        v128_t s3 = wasm_v128_load32_splat(a3 + k);
        c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(s0, b0));
        c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(s0, b1));
        c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(s1, b0));
        c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(s1, b1));
        c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(s2, b0));
        c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(s2, b1));
        c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(s3, b0));
        c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(s3, b1));
      }
      f32 *cp = c + row * cols + col;
      wasm_v128_store(cp, c00);
      wasm_v128_store(cp + 4, c01);
      wasm_v128_store(cp + cols, c10);
      wasm_v128_store(cp + cols + 4, c11);
      wasm_v128_store(cp + 2 * cols, c20);
      wasm_v128_store(cp + 2 * cols + 4, c21);
      wasm_v128_store(cp + 3 * cols, c30);
      wasm_v128_store(cp + 3 * cols + 4, c31);
    }
    for (; col < cols; col += 4) {
      v128_t c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
      const f32 *bp = b + col;
      for (i32 k = 0; k < inner; k++, bp += cols) {
        v128_t b0 = wasm_v128_load(bp);
        c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_v128_load32_splat(a0 + k), b0));
        c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(wasm_v128_load32_splat(a1 + k), b0));
        c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(wasm_v128_load32_splat(a2 + k), b0));
        c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(wasm_v128_load32_splat(a3 + k), b0));
      }
      f32 *cp = c + row * cols + col;
      wasm_v128_store(cp, c0);
      wasm_v128_store(cp + cols, c1);
      wasm_v128_store(cp + 2 * cols, c2);
      wasm_v128_store(cp + 3 * cols, c3);
    }
  }
}

/* destination[cols × rows] = sourceᵀ for a row-major source[rows × cols], both multiples of 4. */
static void transpose(f32 *restrict destination, const f32 *restrict source, i32 rows, i32 cols) {
  for (i32 row = 0; row < rows; row += 4) {
    for (i32 col = 0; col < cols; col += 4) {
      const f32 *s = source + row * cols + col;
      v128_t r0 = wasm_v128_load(s);
      v128_t r1 = wasm_v128_load(s + cols);
      v128_t r2 = wasm_v128_load(s + 2 * cols);
      v128_t r3 = wasm_v128_load(s + 3 * cols);
      v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
      v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
      v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
      v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      f32 *d = destination + col * rows + row;
      wasm_v128_store(d, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
      wasm_v128_store(d + rows, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
      wasm_v128_store(d + 2 * rows, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
      wasm_v128_store(d + 3 * rows, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
    }
  }
}

/*
 * exp(x) for x ≤ 0, the "rr2-p5" scheme of XNNPACK's softmax kernels: x = n ln2 + r with a two-part
 * ln2, a degree-5 polynomial in r, times 2ⁿ built in the exponent bits (relative error about 1e-7).
 * Inputs below -87.3 are clamped (result ≈ 1e-38 instead of 0), harmless after the max subtraction.
 */
static inline v128_t exp_nonpositive(v128_t x) {
  x = wasm_f32x4_pmax(x, wasm_f32x4_splat(-87.3f));
  /* Adding 1.5·2²³ + 127 rounds x·log2(e) to the nearest integer n, held with the exponent bias in the
   * low mantissa bits; shifting those bits into the exponent field gives 2ⁿ. */
  const v128_t magic = wasm_f32x4_splat(0x1.8000FEp23f);
  v128_t shifted = wasm_f32x4_add(wasm_f32x4_mul(x, wasm_f32x4_splat(0x1.715476p+0f)), magic);
  v128_t power = wasm_i32x4_shl(shifted, 23);
  v128_t n = wasm_f32x4_sub(shifted, magic);
  v128_t r = wasm_f32x4_add(wasm_f32x4_mul(n, wasm_f32x4_splat(-0x1.62E400p-1f)), x);
  r = wasm_f32x4_add(wasm_f32x4_mul(n, wasm_f32x4_splat(-0x1.7F7D1Cp-20f)), r);
  v128_t p = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_splat(0x1.0F9F9Cp-7f), r), wasm_f32x4_splat(0x1.573A1Ap-5f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(0x1.555A80p-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(0x1.FFFDC6p-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(0x1.FFFFF6p-1f));
  r = wasm_f32x4_mul(r, power);
  return wasm_f32x4_add(wasm_f32x4_mul(r, p), power);
}

/*
 * Row softmax of logits[rows4 × cols4] in place; columns ≥ cols (padding) get weight 0. Writes each
 * row's 1/Σ to inverses[row]; divides the row by its sum only when `normalize` (the forward pass
 * instead scales the [size × channels] output rows, which is cheaper).
 */
static void softmax_rows(f32 *logits, f32 *inverses, i32 rows4, i32 cols, i32 cols4, i32 normalize) {
  for (i32 row = 0; row < rows4; row++) {
    f32 *line = logits + row * cols4;
    for (i32 col = cols; col < cols4; col++) line[col] = -3.0e38f;
    v128_t top = wasm_v128_load(line);
    for (i32 col = 4; col < cols4; col += 4) top = wasm_f32x4_pmax(top, wasm_v128_load(line + col));
    top = wasm_f32x4_pmax(top, wasm_i32x4_shuffle(top, top, 2, 3, 0, 1));
    top = wasm_f32x4_pmax(top, wasm_i32x4_shuffle(top, top, 1, 0, 3, 2));
    v128_t total = wasm_f32x4_splat(0);
    for (i32 col = 0; col < cols4; col += 4) {
      v128_t weight = exp_nonpositive(wasm_f32x4_sub(wasm_v128_load(line + col), top));
      wasm_v128_store(line + col, weight);
      total = wasm_f32x4_add(total, weight);
    }
    /* Padded columns took part in the sum with ≈1e-38 each (clamped exponential): negligible. */
    for (i32 col = cols; col < cols4; col++) line[col] = 0;
    f32 sum = wasm_f32x4_extract_lane(total, 0) + wasm_f32x4_extract_lane(total, 1) + wasm_f32x4_extract_lane(total, 2) +
              wasm_f32x4_extract_lane(total, 3);
    inverses[row] = 1.0f / sum;
    if (normalize) {
      v128_t inverse = wasm_f32x4_splat(inverses[row]);
      for (i32 col = 0; col < cols4; col += 4) wasm_v128_store(line + col, wasm_f32x4_mul(wasm_v128_load(line + col), inverse));
    }
  }
}

/* packed[size4 × channels4] (zero padded, times factor) from source[size × channels]. */
static void pack(f32 *restrict packed, const f32 *restrict source, i32 size, i32 channels, i32 size4, i32 channels4, f32 factor) {
  for (i32 row = 0; row < size4; row++) {
    f32 *line = packed + row * channels4;
    if (row < size) {
      const f32 *from = source + row * channels;
      i32 col = 0;
      if (channels == channels4) {
        v128_t scale = wasm_f32x4_splat(factor);
        for (; col < channels; col += 4) wasm_v128_store(line + col, wasm_f32x4_mul(wasm_v128_load(from + col), scale));
      } else {
        for (; col < channels; col++) line[col] = from[col] * factor;
        for (; col < channels4; col++) line[col] = 0;
      }
    } else {
      for (i32 col = 0; col < channels4; col++) line[col] = 0;
    }
  }
}

/* destination[size × channels] = packed[size4 × channels4] without the padding, times factor (times rowFactors[row] if given). */
static void unpack(f32 *restrict destination, const f32 *restrict packed, i32 size, i32 channels, i32 channels4, f32 factor,
                   const f32 *rowFactors) {
  for (i32 row = 0; row < size; row++) {
    const f32 *line = packed + row * channels4;
    f32 *to = destination + row * channels;
    f32 rowFactor = rowFactors ? factor * rowFactors[row] : factor;
    for (i32 col = 0; col < channels; col++) to[col] = line[col] * rowFactor;
  }
}

/* Scratch floats the two entry points need for one block (the caller allocates them, 16-byte aligned). */
EXPORT("scratch_floats") i32 scratch_floats(i32 size, i32 channels) {
  i32 size4 = round_up4(size), channels4 = round_up4(channels);
  return 8 * size4 * channels4 + 3 * size4 * size4 + size4;
}

/*
 * P = softmax(Qs Kᵀ) for one block, with Qs = q · scale packed; fills query, key, keyT, value,
 * probabilities (unnormalized unless `normalize`) and inverses (1/row sum).
 */
static void forward_block(const f32 *q, const f32 *k, const f32 *v, i32 size, i32 channels, f32 scale, f32 *query, f32 *key,
                          f32 *keyT, f32 *value, f32 *probabilities, f32 *inverses, i32 normalize) {
  i32 size4 = round_up4(size), channels4 = round_up4(channels);
  pack(query, q, size, channels, size4, channels4, scale);
  pack(key, k, size, channels, size4, channels4, 1.0f);
  pack(value, v, size, channels, size4, channels4, 1.0f);
  transpose(keyT, key, size4, channels4);
  multiply(probabilities, query, keyT, size4, channels4, size4); /* logits [size4 × size4] */
  softmax_rows(probabilities, inverses, size4, size, size4, normalize);
}

/* output = softmax(q kᵀ · scale) v for blockCount consecutive [size × channels] blocks. */
EXPORT("patch_attention_forward")
void patch_attention_forward(const f32 *q, const f32 *k, const f32 *v, f32 *output, i32 blockCount, i32 size, i32 channels,
                             f32 scale, f32 *scratch) {
  i32 size4 = round_up4(size), channels4 = round_up4(channels), tile = size4 * channels4;
  f32 *query = scratch, *key = query + tile, *keyT = key + tile, *value = keyT + tile, *result = value + tile;
  f32 *probabilities = result + tile, *inverses = probabilities + size4 * size4;
  for (i32 block = 0; block < blockCount; block++) {
    i32 offset = block * size * channels;
    forward_block(q + offset, k + offset, v + offset, size, channels, scale, query, key, keyT, value, probabilities, inverses, 0);
    multiply(result, probabilities, value, size4, size4, channels4);
    unpack(output + offset, result, size, channels, channels4, 1.0f, inverses);
  }
}

/*
 * Gradient for blockCount blocks, recomputing P: dV = Pᵀ dO, dP = dO Vᵀ,
 * dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dS K · scale, dK = dSᵀ (Q · scale).
 */
EXPORT("patch_attention_backward")
void patch_attention_backward(const f32 *q, const f32 *k, const f32 *v, const f32 *outputGradient, f32 *queryGradient,
                              f32 *keyGradient, f32 *valueGradient, i32 blockCount, i32 size, i32 channels, f32 scale,
                              f32 *scratch) {
  i32 size4 = round_up4(size), channels4 = round_up4(channels), tile = size4 * channels4, square = size4 * size4;
  f32 *query = scratch, *key = query + tile, *keyT = key + tile, *value = keyT + tile, *valueT = value + tile;
  f32 *gradient = valueT + tile, *result = gradient + tile, *spare = result + tile;
  f32 *probabilities = spare + tile, *logitGradient = probabilities + square, *transposed = logitGradient + square;
  f32 *inverses = transposed + square;
  for (i32 block = 0; block < blockCount; block++) {
    i32 offset = block * size * channels;
    forward_block(q + offset, k + offset, v + offset, size, channels, scale, query, key, keyT, value, probabilities, inverses, 1);
    pack(gradient, outputGradient + offset, size, channels, size4, channels4, 1.0f);
    /* dV = Pᵀ dO */
    transpose(transposed, probabilities, size4, size4);
    multiply(result, transposed, gradient, size4, size4, channels4);
    unpack(valueGradient + offset, result, size, channels, channels4, 1.0f, 0);
    /* dP = dO Vᵀ, then dS in place */
    transpose(valueT, value, size4, channels4);
    multiply(logitGradient, gradient, valueT, size4, channels4, size4);
    for (i32 row = 0; row < size4; row++) {
      f32 *p = probabilities + row * size4, *d = logitGradient + row * size4;
      v128_t dot = wasm_f32x4_splat(0);
      for (i32 col = 0; col < size4; col += 4) dot = wasm_f32x4_add(dot, wasm_f32x4_mul(wasm_v128_load(p + col), wasm_v128_load(d + col)));
      f32 rowDot = wasm_f32x4_extract_lane(dot, 0) + wasm_f32x4_extract_lane(dot, 1) + wasm_f32x4_extract_lane(dot, 2) +
                   wasm_f32x4_extract_lane(dot, 3);
      v128_t shift = wasm_f32x4_splat(rowDot);
      for (i32 col = 0; col < size4; col += 4) {
        wasm_v128_store(d + col, wasm_f32x4_mul(wasm_v128_load(p + col), wasm_f32x4_sub(wasm_v128_load(d + col), shift)));
      }
    }
    /* dQ = dS K · scale */
    multiply(result, logitGradient, key, size4, size4, channels4);
    unpack(queryGradient + offset, result, size, channels, channels4, scale, 0);
    /* dK = dSᵀ (Q · scale) */
    transpose(transposed, logitGradient, size4, size4);
    multiply(spare, transposed, query, size4, size4, channels4);
    unpack(keyGradient + offset, spare, size, channels, channels4, 1.0f, 0);
  }
}
