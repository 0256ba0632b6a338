/*
 * Plain single-threaded C references for the sampling benchmark, compiled at bench time with gcc -O3.
 * Same algorithms as the TypeScript code, so outputs can be compared index for index:
 *   reference fps    <positions.f32> <pointCount> <sampleCount> <startIndex> <out.i32> <repeats>
 *   reference fps32  (same arguments; float32 distances instead of double: faster, may differ on ties)
 *   reference fpsbucket (same arguments; bucket-pruned exact FPS, the algorithm the library ships)
 *   reference voxel  <positions.f32> <pointCount> <voxelSize> <out.i32> <repeats>
 * Prints the best wall time of the kernel (excluding file IO) in milliseconds.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static float *read_positions(const char *path, long count) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  float *data = malloc(sizeof(float) * 3 * count);
  if (fread(data, sizeof(float), 3 * count, f) != (size_t)(3 * count)) { fprintf(stderr, "short read\n"); exit(1); }
  fclose(f);
  return data;
}

static void write_ints(const char *path, const int32_t *data, long count) {
  FILE *f = fopen(path, "wb");
  fwrite(data, sizeof(int32_t), count, f);
  fclose(f);
}

/* Exact FPS with float64 distances, mirroring the TypeScript kernel (interleaved double coordinates). */
static void fps_double(const float *positions, long n, long m, long start, int32_t *out) {
  double *coords = malloc(sizeof(double) * 3 * n);
  double *mind = malloc(sizeof(double) * n);
  for (long i = 0; i < 3 * n; i++) coords[i] = positions[i];
  for (long i = 0; i < n; i++) mind[i] = INFINITY;
  long current = start;
  out[0] = (int32_t)current;
  mind[current] = -1;
  for (long s = 1; s < m; s++) {
    double x = coords[current * 3], y = coords[current * 3 + 1], z = coords[current * 3 + 2];
    double best = -1;
    long bestIndex = 0;
    for (long i = 0; i < n; i++) {
      double dx = coords[i * 3] - x, dy = coords[i * 3 + 1] - y, dz = coords[i * 3 + 2] - z;
      double d = dx * dx + dy * dy + dz * dz;
      double md = mind[i];
      if (d < md) { md = d; mind[i] = d; }
      if (md > best) { best = md; bestIndex = i; }
    }
    current = bestIndex;
    out[s] = (int32_t)current;
    mind[current] = -1;
  }
  free(coords);
  free(mind);
}

/* The usual float32 variant (as in PointNet++ CUDA/CPU kernels). */
static void fps_float(const float *p, long n, long m, long start, int32_t *out) {
  float *mind = malloc(sizeof(float) * n);
  for (long i = 0; i < n; i++) mind[i] = INFINITY;
  long current = start;
  out[0] = (int32_t)current;
  mind[current] = -1;
  for (long s = 1; s < m; s++) {
    float x = p[current * 3], y = p[current * 3 + 1], z = p[current * 3 + 2];
    float best = -1;
    long bestIndex = 0;
    for (long i = 0; i < n; i++) {
      float dx = p[i * 3] - x, dy = p[i * 3 + 1] - y, dz = p[i * 3 + 2] - z;
      float d = dx * dx + dy * dy + dz * dz;
      float md = mind[i];
      if (d < md) { md = d; mind[i] = d; }
      if (md > best) { best = md; bestIndex = i; }
    }
    current = bestIndex;
    out[s] = (int32_t)current;
    mind[current] = -1;
  }
  free(mind);
}

/* Bucket-pruned exact FPS, mirroring farthestPointBucketKernel in the TypeScript code. */
#define BUCKET_SIZE 128
static const float *g_p;
static void select_nth(int32_t *order, long left, long right, long nth, int axis) {
  const float *p = g_p;
  while (right > left) {
    long middle = (left + right) >> 1;
    float a = p[order[left] * 3 + axis], b = p[order[middle] * 3 + axis], c = p[order[right] * 3 + axis];
    long ps = a < b ? (b < c ? middle : a < c ? right : left) : a < c ? left : b < c ? right : middle;
    float pivot = p[order[ps] * 3 + axis];
    long i = left, j = right;
    while (i <= j) {
      while (p[order[i] * 3 + axis] < pivot) i++;
      while (p[order[j] * 3 + axis] > pivot) j--;
      if (i <= j) { int32_t t = order[i]; order[i] = order[j]; order[j] = t; i++; j--; }
    }
    if (nth <= j) right = j; else if (nth >= i) left = i; else return;
  }
}
static void partition(int32_t *order, long start, long end, long *ends, long *count) {
  const float *p = g_p;
  if (end - start <= BUCKET_SIZE) { ends[(*count)++] = end; return; }
  float mn[3] = {INFINITY, INFINITY, INFINITY}, mx[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (long s = start; s < end; s++) for (int a = 0; a < 3; a++) {
    float v = p[order[s] * 3 + a];
    if (v < mn[a]) mn[a] = v;
    if (v > mx[a]) mx[a] = v;
  }
  float ex = mx[0] - mn[0], ey = mx[1] - mn[1], ez = mx[2] - mn[2];
  int axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
  if ((axis == 0 ? ex : axis == 1 ? ey : ez) == 0) { ends[(*count)++] = end; return; }
  long middle = (start + end) >> 1;
  select_nth(order, start, end - 1, middle, axis);
  partition(order, start, middle, ends, count);
  partition(order, middle, end, ends, count);
}
static int compare_int(const void *a, const void *b) { return *(const int32_t *)a - *(const int32_t *)b; }
static void fps_bucket(const float *p, long n, long m, long start_position, int32_t *out) {
  g_p = p;
  int32_t *order = malloc(sizeof(int32_t) * n);
  for (long i = 0; i < n; i++) order[i] = (int32_t)i;
  long *ends = malloc(sizeof(long) * (n / 32 + 16));
  long bucket_count = 0;
  partition(order, 0, n, ends, &bucket_count);
  long *bstart = malloc(sizeof(long) * bucket_count);
  double *box = malloc(sizeof(double) * 6 * bucket_count);
  double *bmax = malloc(sizeof(double) * bucket_count);
  long *barg = malloc(sizeof(long) * bucket_count);
  int32_t *bucket_of = malloc(sizeof(int32_t) * n);
  int32_t *slot_of = malloc(sizeof(int32_t) * n);
  double *xs = malloc(sizeof(double) * n), *ys = malloc(sizeof(double) * n), *zs = malloc(sizeof(double) * n);
  double *mind = malloc(sizeof(double) * n);
  for (long b = 0, s0 = 0; b < bucket_count; b++) {
    long e = ends[b];
    bstart[b] = s0;
    qsort(order + s0, e - s0, sizeof(int32_t), compare_int);
    barg[b] = s0;
    bmax[b] = INFINITY;
    double mn[3] = {INFINITY, INFINITY, INFINITY}, mx[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (long s = s0; s < e; s++) {
      double c[3] = {p[order[s] * 3], p[order[s] * 3 + 1], p[order[s] * 3 + 2]};
      xs[s] = c[0]; ys[s] = c[1]; zs[s] = c[2];
      bucket_of[s] = (int32_t)b;
      slot_of[order[s]] = (int32_t)s;
      mind[s] = INFINITY;
      for (int a = 0; a < 3; a++) { if (c[a] < mn[a]) mn[a] = c[a]; if (c[a] > mx[a]) mx[a] = c[a]; }
    }
    for (int a = 0; a < 3; a++) { box[b * 6 + a] = mn[a]; box[b * 6 + 3 + a] = mx[a]; }
    s0 = e;
  }
  long current = slot_of[start_position];
  for (long sample = 0;;) {
    out[sample] = order[current];
    mind[current] = -1;
    if (++sample == m) break;
    double x = xs[current], y = ys[current], z = zs[current];
    long own = bucket_of[current];
    double best = -1;
    long best_slot = -1;
    for (long b = 0; b < bucket_count; b++) {
      double bb = bmax[b];
      if (b != own) {
        const double *bx = box + b * 6;
        double gx = x < bx[0] ? bx[0] - x : x > bx[3] ? x - bx[3] : 0;
        double gy = y < bx[1] ? bx[1] - y : y > bx[4] ? y - bx[4] : 0;
        double gz = z < bx[2] ? bx[2] - z : z > bx[5] ? z - bx[5] : 0;
        if (gx * gx + gy * gy + gz * gz >= bb) {
          long s = barg[b];
          if (bb > best || (bb == best && order[s] < order[best_slot])) { best = bb; best_slot = s; }
          continue;
        }
      }
      bb = -2;
      long bs = bstart[b];
      for (long s = bstart[b], e = ends[b]; s < e; s++) {
        double dx = xs[s] - x, dy = ys[s] - y, dz = zs[s] - z;
        double d = dx * dx + dy * dy + dz * dz;
        double md = mind[s];
        if (d < md) { md = d; mind[s] = d; }
        if (md > bb) { bb = md; bs = s; }
      }
      bmax[b] = bb;
      barg[b] = bs;
      if (bb > best || (bb == best && best_slot >= 0 && order[bs] < order[best_slot]) || best_slot < 0) { best = bb; best_slot = bs; }
    }
    current = best_slot;
  }
  free(order); free(ends); free(bstart); free(box); free(bmax); free(barg); free(bucket_of); free(slot_of);
  free(xs); free(ys); free(zs); free(mind);
}

static inline uint32_t hash_cell(int32_t x, int32_t y, int32_t z) {
  uint32_t h = ((uint32_t)x * 0x9e3779b1u) ^ ((uint32_t)y * 0x85ebca77u) ^ ((uint32_t)z * 0xc2b2ae3du);
  h ^= h >> 16;
  h *= 0x7feb352du;
  h ^= h >> 15;
  return h;
}

/* Voxel grid with an open-addressing table of voxel ids + 1 (0 = empty, calloc'd), mirroring the TypeScript code. */
static long voxel_grid(const float *p, long n, double size, int32_t *point_to_voxel, int32_t **kept_out, int32_t **grid_out) {
  double minx = INFINITY, miny = INFINITY, minz = INFINITY;
  for (long i = 0; i < n; i++) {
    if (p[i * 3] < minx) minx = p[i * 3];
    if (p[i * 3 + 1] < miny) miny = p[i * 3 + 1];
    if (p[i * 3 + 2] < minz) minz = p[i * 3 + 2];
  }
  long table_size = 16;
  while (table_size < n * 2) table_size *= 2;
  uint32_t mask = (uint32_t)(table_size - 1);
  int32_t *table = calloc(table_size, sizeof(int32_t));
  int32_t *kept = malloc(sizeof(int32_t) * n);
  int32_t *cells = malloc(sizeof(int32_t) * 3 * n);
  long voxels = 0;
  for (long i = 0; i < n; i++) {
    int32_t cx = (int32_t)floor((p[i * 3] - minx) / size);
    int32_t cy = (int32_t)floor((p[i * 3 + 1] - miny) / size);
    int32_t cz = (int32_t)floor((p[i * 3 + 2] - minz) / size);
    uint32_t slot = hash_cell(cx, cy, cz) & mask;
    for (;;) {
      int32_t stored = table[slot];
      if (stored == 0) {
        table[slot] = (int32_t)voxels + 1;
        kept[voxels] = (int32_t)i;
        cells[voxels * 3] = cx;
        cells[voxels * 3 + 1] = cy;
        cells[voxels * 3 + 2] = cz;
        point_to_voxel[i] = (int32_t)voxels;
        voxels++;
        break;
      }
      const int32_t *k = cells + (long)(stored - 1) * 3;
      if (k[0] == cx && k[1] == cy && k[2] == cz) { point_to_voxel[i] = stored - 1; break; }
      slot = (slot + 1) & mask;
    }
  }
  int32_t *grid = malloc(sizeof(int32_t) * 3 * voxels);
  memcpy(grid, cells, sizeof(int32_t) * 3 * voxels);
  free(cells);
  free(table);
  *kept_out = kept;
  *grid_out = grid;
  return voxels;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: see header\n"); return 2; }
  if (strcmp(argv[1], "fps") == 0 || strcmp(argv[1], "fps32") == 0 || strcmp(argv[1], "fpsbucket") == 0) {
    long n = atol(argv[3]), m = atol(argv[4]), start = atol(argv[5]);
    int repeats = atoi(argv[7]);
    float *p = read_positions(argv[2], n);
    int32_t *out = malloc(sizeof(int32_t) * m);
    double best = INFINITY;
    for (int r = 0; r < repeats; r++) {
      double t0 = now_ms();
      if (argv[1][3] == '3') fps_float(p, n, m, start, out);
      else if (argv[1][3] == 'b') fps_bucket(p, n, m, start, out);
      else fps_double(p, n, m, start, out);
      double t = now_ms() - t0;
      if (t < best) best = t;
    }
    write_ints(argv[6], out, m);
    printf("%.3f\n", best);
    return 0;
  }
  if (strcmp(argv[1], "voxel") == 0) {
    long n = atol(argv[3]);
    double size = atof(argv[4]);
    int repeats = atoi(argv[6]);
    float *p = read_positions(argv[2], n);
    int32_t *point_to_voxel = malloc(sizeof(int32_t) * n);
    double best = INFINITY;
    long voxels = 0;
    for (int r = 0; r < repeats; r++) {
      int32_t *kept, *grid;
      double t0 = now_ms();
      voxels = voxel_grid(p, n, size, point_to_voxel, &kept, &grid);
      double t = now_ms() - t0;
      free(kept);
      free(grid);
      if (t < best) best = t;
    }
    write_ints(argv[5], point_to_voxel, n);
    printf("%.3f %ld\n", best, voxels);
    return 0;
  }
  fprintf(stderr, "unknown mode %s\n", argv[1]);
  return 2;
}
