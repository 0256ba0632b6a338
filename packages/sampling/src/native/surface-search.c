/*
 * Geodesic searches of SurfaceGraph (src/surface-graph.ts) in wasm32: the dominated-edge pruning of the
 * search rows and the bucket-queue Dijkstra. No libc, no static data, no stack: the TypeScript loader
 * (src/surface-search-wasm.ts) lays out every array in the module's memory and passes pointers.
 * Built by `pnpm --filter @pointclick/sampling build:wasm` (scripts/build-wasm.ts).
 */

#define EXPORT(name) __attribute__((export_name(#name)))

/*
 * Drops, in place, every edge u→v of the compressed rows that a two-edge path u→w→v undercuts by more
 * than float64 rounding: (c_uw + c_wv)·(1 + 2⁻⁴⁰) + margin < c_uv, margin = limit·2⁻⁴⁰ metres. A search
 * capped at `limit` then gives the same distances to the bit (see SurfaceGraph's TSDoc). `marks` holds
 * pointCount float64 values, all negative on entry and on return; `keep` edgeCount bytes of scratch.
 * Returns the number of edges kept; `offsets` is rewritten for the kept rows.
 */
EXPORT(prune_dominated_edges)
int prune_dominated_edges(int point_count, int *offsets, int *targets, float *costs, double *marks, unsigned char *keep, double margin) {
  const double scale = 1.0 + 0x1p-40;
  for (int point = 0; point < point_count; point++) {
    const int start = offsets[point], end = offsets[point + 1];
    for (int edge = start; edge < end; edge++) marks[targets[edge]] = costs[edge];
    for (int first = start; first < end; first++) {
      const int middle = targets[first];
      const double first_cost = costs[first];
      for (int second = offsets[middle], second_end = offsets[middle + 1]; second < second_end; second++) {
        const int other = targets[second];
        // A dominated neighbour's mark becomes -1 (every cost is ≥ 0, so no later path beats it).
        if (marks[other] > (first_cost + costs[second]) * scale + margin) marks[other] = -1.0;
      }
    }
    for (int edge = start; edge < end; edge++) {
      keep[edge] = marks[targets[edge]] >= 0.0;
      marks[targets[edge]] = -1.0;
    }
  }
  int kept = 0;
  for (int point = 0; point < point_count; point++) {
    const int start = offsets[point], end = offsets[point + 1];
    offsets[point] = kept;
    for (int edge = start; edge < end; edge++) {
      if (!keep[edge]) continue;
      targets[kept] = targets[edge];
      costs[kept++] = costs[edge];
    }
  }
  offsets[point_count] = kept;
  return kept;
}

/*
 * Dijkstra from `source` with a bucket queue, as SurfaceGraph.searchBuckets: bucket b holds the points
 * whose tentative distance d has floor(d / width) = b, in doubly linked lists (`next`, `previous`,
 * `bucket_of`). Writes distances below `limit` into `result` (its other entries untouched). On entry
 * `tentative` is +infinity, `bucket_of` and `heads` −1 everywhere; both hold again on return (every
 * reached point is settled, every bucket emptied), so a search costs only the points it reaches: the
 * settled points are listed in `settled` (room for `point_count`; a point lowered again by rounding after
 * it was settled is settled twice, and should that overflow the list, all of `tentative` is reset).
 * Returns the number of settlings.
 */
EXPORT(search_buckets)
int search_buckets(const int *offsets, const int *targets, const float *costs, double *tentative, int *next, int *previous,
                   int *bucket_of, int *heads, int *settled, int point_count, int source, double limit, double width, int bucket_count, float *result) {
  int settled_count = 0;
  tentative[source] = 0.0;
  next[source] = -1;
  previous[source] = -1;
  bucket_of[source] = 0;
  heads[0] = source;
  for (int bucket = 0; bucket < bucket_count; bucket++) {
    for (int point = heads[bucket]; point >= 0; point = heads[bucket]) {
      heads[bucket] = next[point];
      if (next[point] >= 0) previous[next[point]] = -1;
      bucket_of[point] = -1;
      const double distance = tentative[point];
      result[point] = (float)distance;
      if (settled_count < point_count) settled[settled_count] = point;
      settled_count++;
      for (int edge = offsets[point], end = offsets[point + 1]; edge < end; edge++) {
        const int other = targets[edge];
        const double candidate = distance + costs[edge];
        if (candidate >= tentative[other] || candidate >= limit) continue;
        if (bucket_of[other] >= 0) {
          const int before = previous[other], after = next[other];
          if (before >= 0) next[before] = after;
          else heads[bucket_of[other]] = after;
          if (after >= 0) previous[after] = before;
        }
        tentative[other] = candidate;
        const int target = (int)__builtin_floor(candidate / width);
        const int head = heads[target];
        next[other] = head;
        previous[other] = -1;
        if (head >= 0) previous[head] = other;
        heads[target] = other;
        bucket_of[other] = target;
      }
    }
  }
  if (settled_count <= point_count) {
    for (int index = 0; index < settled_count; index++) tentative[settled[index]] = __builtin_inf();
  } else {
    for (int point = 0; point < point_count; point++) tentative[point] = __builtin_inf();
  }
  return settled_count;
}
