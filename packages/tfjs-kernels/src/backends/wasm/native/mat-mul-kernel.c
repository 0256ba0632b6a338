/*
 * Matrix product for the wasm backend, tuned for the tall, narrow shapes of point networks
 * (A [tens of thousands × 16…1728] · B [16…1728 × 16…512]), where the stock tfjs wasm kernel runs at
 * about a third of its large-square rate.
 *
 * Compiled by clang to wasm32 + SIMD128 (scripts/build-wasm-kernels.ts) with an IMPORTED memory: the
 * loader passes the tfjs wasm backend's own WebAssembly.Memory, so the kernel reads the operands and
 * writes the product where the backend keeps them, with no copy. For that the module must not touch
 * memory it does not own: no data segments and no stack (the build script checks both). All state is
 * in wasm locals; the packed copy of B lives in a buffer the loader allocates with the backend's malloc.
 *
 * Scheme (GotoBLAS order, one level): B is packed into panels of 8 columns ([inner × 8] contiguous,
 * zero-padded past the last column), A is walked in blocks of rows whose A rows and C rows each stay
 * under 64 KiB, and for each panel a 4 × 8 register tile (8 accumulators) runs over the rows of the
 * block; with a short inner dimension the blocks are single tiles. wasm SIMD128
 * has no fused multiply-add, so each step is a mul and an add. Rows past the end alias the last
 * real row (their results are identical and stored over it in order); columns past the end are
 * computed on the zero padding and not stored.
 */
#include <wasm_simd128.h>

typedef float f32;
typedef int i32;
typedef unsigned int u32;

#define EXPORT(name) __attribute__((export_name(name)))

/* Columns per packed panel of B. */
#define PANEL 8
/* Rows per register tile. */
#define TILE_ROWS 4
/* Floats of A per row block: 16 Ki floats = 64 KiB, about half of a small L2. */
#define BLOCK_FLOATS 16384
/*
 * Inner sizes above DEPTH_LIMIT run in ranges of DEPTH_BLOCK steps: a panel's range is then 16 KiB
 * (L1) and a block of 32 rows of A 64 KiB. Below the limit one range is faster (no extra pass over C).
 */
#define DEPTH_LIMIT 2048
#define DEPTH_BLOCK 512
/* Inner sizes up to this run the tiles row by row over all panels (see mat_mul_packed). */
#define SHORT_INNER 128

/*
 * Declares the 4 row pointers of a register tile, name0…name3, rows `stride` apart from `first`; rows past the
 * end (`remaining` < 4) alias the last real row, so their results are identical and stored over it in order.
 */
#define TILE_ROW_POINTERS(type, name, first, stride, remaining)          \
  type *name##0 = (first);                                              \
  type *name##1 = (remaining) > 1 ? name##0 + (stride) : name##0;       \
  type *name##2 = (remaining) > 2 ? name##1 + (stride) : name##1;       \
  type *name##3 = (remaining) > 3 ? name##2 + (stride) : name##2

/* Floats the packed copy of B [inner × cols] needs. */
EXPORT("mat_mul_packed_floats")
i32 mat_mul_packed_floats(i32 inner, i32 cols) { return inner * ((cols + PANEL - 1) / PANEL) * PANEL; }

/*
 * Packs B into panels: packed[panel][k][0..7] = B[k][panel·8 + 0..7], zeros past the last column.
 * `transposed` != 0 reads B stored as [cols × inner] (the transposeB flag), so no transpose is made.
 */
EXPORT("mat_mul_pack")
void mat_mul_pack(f32 *restrict packed, const f32 *restrict b, i32 inner, i32 cols, i32 transposed) {
  for (i32 start = 0; start < cols; start += PANEL) {
    i32 width = cols - start < PANEL ? cols - start : PANEL;
    if (!transposed && width == PANEL) {
      for (i32 k = 0; k < inner; k++, packed += PANEL) {
        wasm_v128_store(packed, wasm_v128_load(b + k * cols + start));
        wasm_v128_store(packed + 4, wasm_v128_load(b + k * cols + start + 4));
      }
      continue;
    }
    for (i32 k = 0; k < inner; k++, packed += PANEL) {
      for (i32 j = 0; j < PANEL; j++) {
        f32 value = 0;
        if (j < width) value = transposed ? b[(start + j) * inner + k] : b[k * cols + start + j];
        packed[j] = value;
      }
    }
  }
}

/* Stores the first `width` (1…8) lanes of (low, high) at c. */
static inline void store_columns(f32 *c, v128_t low, v128_t high, i32 width) {
  if (width == PANEL) {
    wasm_v128_store(c, low);
    wasm_v128_store(c + 4, high);
    return;
  }
  if (width & 4) {
    wasm_v128_store(c, low);
    low = high;
    c += 4;
  }
  if (width & 2) {
    wasm_v128_store64_lane(c, low, 0);
    low = wasm_i64x2_shuffle(low, low, 1, 1);
    c += 2;
  }
  if (width & 1) wasm_v128_store32_lane(c, low, 0);
}

/* Loads the first `width` (1…8) columns at c into (low, high), zeros elsewhere. */
static inline void load_columns(const f32 *c, v128_t *low, v128_t *high, i32 width) {
  if (width == PANEL) {
    *low = wasm_v128_load(c);
    *high = wasm_v128_load(c + 4);
    return;
  }
  f32 values[PANEL];
  for (i32 j = 0; j < PANEL; j++) values[j] = j < width ? c[j] : 0;
  *low = wasm_f32x4_make(values[0], values[1], values[2], values[3]);
  *high = wasm_f32x4_make(values[4], values[5], values[6], values[7]);
}

/*
 * The 4×8 tile's inner loop: for k < depth, row r of the tile (rows a0…a3, each read at offset k) adds
 * a_r[k] · panel row k (8 floats, at w + k·PANEL) into its two accumulators. Inlined into both the
 * matMul and the sparse convolution, so the accumulators stay in registers.
 */
static inline __attribute__((always_inline)) void accumulate_tile(const f32 *w, const f32 *a0, const f32 *a1, const f32 *a2,
                                                                  const f32 *a3, i32 depth, v128_t *t00, v128_t *t01, v128_t *t10,
                                                                  v128_t *t11, v128_t *t20, v128_t *t21, v128_t *t30, v128_t *t31) {
  v128_t r00 = *t00, r01 = *t01, r10 = *t10, r11 = *t11, r20 = *t20, r21 = *t21, r30 = *t30, r31 = *t31;
  for (i32 k = 0; k < depth; k++, w += PANEL) {
    v128_t b0 = wasm_v128_load(w);
    v128_t b1 = wasm_v128_load(w + 4);
    v128_t s0 = wasm_v128_load32_splat(a0 + k);
    v128_t s1 = wasm_v128_load32_splat(a1 + k);
    v128_t s2 = wasm_v128_load32_splat(a2 + k);
    v128_t s3 = wasm_v128_load32_splat(a3 + k);
    r00 = wasm_f32x4_add(r00, wasm_f32x4_mul(s0, b0));
    r01 = wasm_f32x4_add(r01, wasm_f32x4_mul(s0, b1));
    r10 = wasm_f32x4_add(r10, wasm_f32x4_mul(s1, b0));
    r11 = wasm_f32x4_add(r11, wasm_f32x4_mul(s1, b1));
    r20 = wasm_f32x4_add(r20, wasm_f32x4_mul(s2, b0));
    r21 = wasm_f32x4_add(r21, wasm_f32x4_mul(s2, b1));
    r30 = wasm_f32x4_add(r30, wasm_f32x4_mul(s3, b0));
    r31 = wasm_f32x4_add(r31, wasm_f32x4_mul(s3, b1));
  }
  *t00 = r00; *t01 = r01; *t10 = r10; *t11 = r11; *t20 = r20; *t21 = r21; *t30 = r30; *t31 = r31;
}

/*
 * C[rows × cols] (+)= A[rows × inner] · B over the inner range [k0, k1), with B packed by
 * mat_mul_pack: the first range stores, later ones add to C. A has row stride `inner`, C `cols`.
 */
static void multiply_range(f32 *c, const f32 *a, const f32 *packed, i32 rows, i32 inner, i32 cols, i32 k0, i32 k1) {
  i32 panels = (cols + PANEL - 1) / PANEL;
  i32 depth = k1 - k0;
  i32 blockRows = BLOCK_FLOATS / depth;
  i32 outputRows = BLOCK_FLOATS / cols;
  if (outputRows < blockRows) blockRows = outputRows;
  blockRows &= ~(TILE_ROWS - 1);
  /*
   * With a short inner dimension a tile is cheap to reload and the product is bound by writing C: then
   * each 4-row tile runs over every panel, so C rows are written whole (up to 1.2× faster measured).
   */
  if (depth <= SHORT_INNER || blockRows < TILE_ROWS) blockRows = TILE_ROWS;
  for (i32 blockStart = 0; blockStart < rows; blockStart += blockRows) {
    i32 blockEnd = blockStart + blockRows < rows ? blockStart + blockRows : rows;
    for (i32 panel = 0; panel < panels; panel++) {
      const f32 *panelStart = packed + (panel * inner + k0) * PANEL;
      i32 column = panel * PANEL;
      i32 width = cols - column < PANEL ? cols - column : PANEL;
      for (i32 row = blockStart; row < blockEnd; row += TILE_ROWS) {
        i32 remaining = blockEnd - row;
        TILE_ROW_POINTERS(const f32, a, a + row * inner + k0, inner, remaining);
        TILE_ROW_POINTERS(f32, c, c + row * cols + column, cols, remaining);
        v128_t r00 = wasm_f32x4_splat(0), r01 = r00, r10 = r00, r11 = r00, r20 = r00, r21 = r00, r30 = r00, r31 = r00;
        const f32 *w = panelStart;
        accumulate_tile(w, a0, a1, a2, a3, depth, &r00, &r01, &r10, &r11, &r20, &r21, &r30, &r31);
        if (k0 > 0) {
          /* Aliased rows read the partial sums of the row they alias, so they end up equal too. */
          v128_t low, high;
          load_columns(c0, &low, &high, width);
          r00 = wasm_f32x4_add(r00, low);
          r01 = wasm_f32x4_add(r01, high);
          load_columns(c1, &low, &high, width);
          r10 = wasm_f32x4_add(r10, low);
          r11 = wasm_f32x4_add(r11, high);
          load_columns(c2, &low, &high, width);
          r20 = wasm_f32x4_add(r20, low);
          r21 = wasm_f32x4_add(r21, high);
          load_columns(c3, &low, &high, width);
          r30 = wasm_f32x4_add(r30, low);
          r31 = wasm_f32x4_add(r31, high);
        }
        /* Highest row first: aliased rows hold the same values as the row they alias. */
        store_columns(c3, r30, r31, width);
        store_columns(c2, r20, r21, width);
        store_columns(c1, r10, r11, width);
        store_columns(c0, r00, r01, width);
      }
    }
  }
}

/*
 * C[rows × cols] = A[rows × inner] · B, with B packed by mat_mul_pack. A has row stride `inner`
 * and C row stride `cols`; A and C must not overlap. Long inner dimensions (the weight gradients,
 * whose inner size is the point count) run in ranges of DEPTH_BLOCK, so a panel's range stays in L1.
 */
EXPORT("mat_mul_packed")
void mat_mul_packed(f32 *c, const f32 *a, const f32 *packed, i32 rows, i32 inner, i32 cols) {
  if (rows <= 0 || cols <= 0) return;
  if (inner <= 0) {
    for (i32 index = 0; index < rows * cols; index++) c[index] = 0;
    return;
  }
  i32 step = inner > DEPTH_LIMIT ? DEPTH_BLOCK : inner;
  for (i32 k0 = 0; k0 < inner; k0 += step) multiply_range(c, a, packed, rows, inner, cols, k0, k0 + step < inner ? k0 + step : inner);
}

/*
 * Submanifold sparse convolution with the gather fused into the product, so the im2col buffer
 * [rows × offsets·channels] is never written:
 *   out[v][:] = bias + Σ_k Σ_j x[neighbours[v·offsets + k]][j] · W[k·channels + j][:]
 * with W [offsets·channels × cols] packed by mat_mul_pack (inner = offsets·channels). A neighbour
 * outside [0, sourceRows) (-1, or sourceRows for a "zero row") is absent: its row reads `zeros`, which
 * this function fills with `channels` zeros, and an offset absent for all four rows of a tile is skipped.
 * Same 4 × 8 register tile as multiply_range, each tile running over every panel (the gathered rows of
 * a tile, offsets·channels floats each, stay in L1 across the panels). `has_bias` != 0 adds bias[cols].
 */
EXPORT("sparse_convolution_packed")
void sparse_convolution_packed(f32 *out, const f32 *x, const i32 *neighbours, const f32 *packed, const f32 *bias, i32 has_bias,
                               f32 *zeros, i32 rows, i32 source_rows, i32 channels, i32 offsets, i32 cols) {
  if (rows <= 0 || cols <= 0) return;
  for (i32 j = 0; j < channels; j++) zeros[j] = 0;
  i32 panels = (cols + PANEL - 1) / PANEL;
  i32 inner = offsets * channels;
  u32 limit = (u32)source_rows;
  for (i32 row = 0; row < rows; row += TILE_ROWS) {
    i32 remaining = rows - row;
    /* Rows past the end alias the last real row, as in multiply_range. */
    TILE_ROW_POINTERS(const i32, n, neighbours + row * offsets, offsets, remaining);
    TILE_ROW_POINTERS(f32, c, out + row * cols, cols, remaining);
    for (i32 panel = 0; panel < panels; panel++) {
      i32 column = panel * PANEL;
      i32 width = cols - column < PANEL ? cols - column : PANEL;
      v128_t r00 = wasm_f32x4_splat(0), r01 = r00;
      if (has_bias) load_columns(bias + column, &r00, &r01, width);
      v128_t r10 = r00, r11 = r01, r20 = r00, r21 = r01, r30 = r00, r31 = r01;
      const f32 *w = packed + panel * inner * PANEL;
      for (i32 k = 0; k < offsets; k++, w += channels * PANEL) {
        u32 i0 = (u32)n0[k], i1 = (u32)n1[k], i2 = (u32)n2[k], i3 = (u32)n3[k];
        if (i0 >= limit && i1 >= limit && i2 >= limit && i3 >= limit) continue;
        const f32 *a0 = i0 < limit ? x + i0 * channels : zeros;
        const f32 *a1 = i1 < limit ? x + i1 * channels : zeros;
        const f32 *a2 = i2 < limit ? x + i2 * channels : zeros;
        const f32 *a3 = i3 < limit ? x + i3 * channels : zeros;
        accumulate_tile(w, a0, a1, a2, a3, channels, &r00, &r01, &r10, &r11, &r20, &r21, &r30, &r31);
      }
      /* Highest row first: aliased rows hold the same values as the row they alias. */
      store_columns(c3 + column, r30, r31, width);
      store_columns(c2 + column, r20, r21, width);
      store_columns(c1 + column, r10, r11, width);
      store_columns(c0 + column, r00, r01, width);
    }
  }
}

/*
 * Index of the first neighbour table entry outside [-1, source_rows] (the values sparse_convolution_packed
 * accepts), or -1 when all `count` entries are valid: the range check of the kernel's JavaScript wrapper, four
 * entries per SIMD compare; the scalar rescan that names the first bad entry runs only when one exists.
 */
EXPORT("first_invalid_neighbour")
i32 first_invalid_neighbour(const i32 *neighbours, i32 count, i32 source_rows) {
  const v128_t low = wasm_i32x4_splat(-1), high = wasm_i32x4_splat(source_rows);
  v128_t bad = wasm_i32x4_splat(0);
  i32 index = 0;
  for (; index + 4 <= count; index += 4) {
    v128_t values = wasm_v128_load(neighbours + index);
    bad = wasm_v128_or(bad, wasm_v128_or(wasm_i32x4_lt(values, low), wasm_i32x4_gt(values, high)));
  }
  for (i32 entry = wasm_v128_any_true(bad) ? 0 : index; entry < count; entry++) {
    if (neighbours[entry] < -1 || neighbours[entry] > source_rows) return entry;
  }
  return -1;
}
