// Exact mixed-type nearest neighbours on the CPU. Both tables become float32 features
// (common/mixed_rows.hpp) on which dist = sum_c min(|a_c - b_c|, 1) / D. Threads take chunks of
// A rows; within a chunk, B is scanned in tiles that stay in L2 (column-major, 8 B rows per
// AVX2 vector), four A rows at a time so each B load serves four distance sums. A running top-k
// per A row keeps kMaxCandidates float32 sums (so near-ties of the k-th best stay visible) and is
// updated only when a lane beats its last entry (rare after the start); finalize_topk then picks
// the winners in float64 (common/mixed_rows.hpp).
// Memory: the float32 copies of A and B plus O(threads x tile); never |A| x |B|.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <vector>

#include "../common/argument_checks.hpp"
#include "../common/thread_count.hpp"
#include "../common/last_error.hpp"
#include "../common/mixed_rows.hpp"
#include "../include/datalab_kernels.h"

namespace {

constexpr int64_t kGroupRows = 4;     // A rows sharing each B load
constexpr int64_t kChunkRows = 256;   // A rows per scheduling unit
constexpr int64_t kTileBytes = 96 * 1024;

struct ScanContext {
  const dl::MixedFeatures *f;
  int slots;  // float32 candidates kept per A row
  bool exclude_same;
};

// Offers lane results of one 8-row block to the top-k of A row `arow`.
inline void offer_lanes(const ScanContext &ctx, dl::TopK &best, int64_t arow, int64_t j0, const float *sums, int lanes) {
  for (int l = 0; l < lanes; ++l) {
    const int64_t j = j0 + l;
    if (j >= ctx.f->rows_b || (ctx.exclude_same && j == arow)) continue;
    dl::topk_offer(best, ctx.slots, sums[l], static_cast<int32_t>(j));
  }
}

#if defined(__AVX2__)
// Scans B rows [j_begin, j_end) (multiples of 8) for A rows arow[0..3] (duplicates allowed).
void scan_group(const ScanContext &ctx, const int64_t arow[kGroupRows], dl::TopK *best[kGroupRows], int64_t j_begin,
                int64_t j_end) {
  const dl::MixedFeatures &f = *ctx.f;
  const int64_t d = f.columns;
  const float *a0 = f.a.data() + arow[0] * d;
  const float *a1 = f.a.data() + arow[1] * d;
  const float *a2 = f.a.data() + arow[2] * d;
  const float *a3 = f.a.data() + arow[3] * d;
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  alignas(32) float sums[8];
  for (int64_t j = j_begin; j < j_end; j += 8) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    const float *bcol = f.b.data() + j;
    for (int64_t c = 0; c < d; ++c, bcol += f.padded_b) {
      const __m256 bv = _mm256_loadu_ps(bcol);
      s0 = _mm256_add_ps(s0, _mm256_min_ps(_mm256_and_ps(_mm256_sub_ps(bv, _mm256_broadcast_ss(a0 + c)), abs_mask), one));
      s1 = _mm256_add_ps(s1, _mm256_min_ps(_mm256_and_ps(_mm256_sub_ps(bv, _mm256_broadcast_ss(a1 + c)), abs_mask), one));
      s2 = _mm256_add_ps(s2, _mm256_min_ps(_mm256_and_ps(_mm256_sub_ps(bv, _mm256_broadcast_ss(a2 + c)), abs_mask), one));
      s3 = _mm256_add_ps(s3, _mm256_min_ps(_mm256_and_ps(_mm256_sub_ps(bv, _mm256_broadcast_ss(a3 + c)), abs_mask), one));
    }
    const __m256 s[kGroupRows] = {s0, s1, s2, s3};
    for (int r = 0; r < kGroupRows; ++r) {
      const __m256 threshold = _mm256_set1_ps(best[r]->dist[ctx.slots - 1]);
      if (_mm256_movemask_ps(_mm256_cmp_ps(s[r], threshold, _CMP_LT_OQ)) == 0) continue;
      _mm256_store_ps(sums, s[r]);
      offer_lanes(ctx, *best[r], arow[r], j, sums, 8);
    }
  }
}
#else
// Portable version of the same scan (compilers vectorize the inner lane loop).
void scan_group(const ScanContext &ctx, const int64_t arow[kGroupRows], dl::TopK *best[kGroupRows], int64_t j_begin,
                int64_t j_end) {
  const dl::MixedFeatures &f = *ctx.f;
  const int64_t d = f.columns;
  float sums[kGroupRows][8];
  for (int64_t j = j_begin; j < j_end; j += 8) {
    for (int r = 0; r < kGroupRows; ++r) {
      const float *a = f.a.data() + arow[r] * d;
      for (int l = 0; l < 8; ++l) sums[r][l] = 0.0f;
      for (int64_t c = 0; c < d; ++c) {
        const float *bcol = f.b.data() + c * f.padded_b + j;
        for (int l = 0; l < 8; ++l) {
          const float diff = bcol[l] - a[c];
          const float ad = diff < 0 ? -diff : diff;
          sums[r][l] += ad < 1.0f ? ad : 1.0f;
        }
      }
      offer_lanes(ctx, *best[r], arow[r], j, sums[r], 8);
    }
  }
}
#endif

}  // namespace

extern "C" {

DL_API int dl_nearest_neighbors(int64_t rows_a, const double *a_numeric, const int32_t *a_categorical, int64_t rows_b,
                                const double *b_numeric, const int32_t *b_categorical, int64_t numeric_count,
                                int64_t categorical_count, const double *inv_range, int k, int exclude_same_index,
                                double *out_distance, int32_t *out_index) {
  if (k != 1 && k != 2) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nearest_neighbors: k must be 1 or 2");
  if (rows_a > 0 && (out_distance == nullptr || out_index == nullptr))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nearest_neighbors: output buffers must not be null");
  dl::MixedFeatures f;
  std::string error;
  if (!dl::prepare_mixed_features(rows_a, a_numeric, a_categorical, rows_b, b_numeric, b_categorical, numeric_count,
                                  categorical_count, inv_range, f, error))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nearest_neighbors: " + error);
  std::vector<dl::TopK> best(static_cast<size_t>(rows_a));
  for (auto &t : best) dl::topk_reset(t);
  const ScanContext ctx{&f, dl::kMaxCandidates, exclude_same_index != 0};
  const int64_t tile = std::max<int64_t>(64, (kTileBytes / (4 * f.columns)) / 64 * 64);
  const int64_t chunks = (rows_a + kChunkRows - 1) / kChunkRows;
#pragma omp parallel for num_threads(dl::worker_threads()) schedule(dynamic, 1) if (chunks > 1)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const int64_t r0 = chunk * kChunkRows, r1 = std::min(rows_a, r0 + kChunkRows);
    for (int64_t t0 = 0; t0 < f.padded_b; t0 += tile) {
      const int64_t t1 = std::min(f.padded_b, t0 + tile);
      for (int64_t g = r0; g < r1; g += kGroupRows) {
        int64_t arow[kGroupRows];
        dl::TopK scratch[kGroupRows];
        dl::TopK *slot[kGroupRows];
        for (int64_t r = 0; r < kGroupRows; ++r) {
          // Past the end of the chunk, repeat the last row into a throwaway top-k.
          const bool real = g + r < r1;
          arow[r] = real ? g + r : r1 - 1;
          if (!real) dl::topk_reset(scratch[r]);
          slot[r] = real ? &best[static_cast<size_t>(g + r)] : &scratch[r];
        }
        scan_group(ctx, arow, slot, t0, t1);
      }
    }
  }
  dl::finalize_topk(best, dl::kMaxCandidates, k, exclude_same_index != 0, f.sum_error_bound, rows_a, rows_b, a_numeric,
                    a_categorical, b_numeric, b_categorical, numeric_count, categorical_count, inv_range, out_distance,
                    out_index);
  return DL_OK;
}

DL_API int dl_match_rows(int64_t rows_a, const double *a_numeric, const int32_t *a_categorical, int64_t rows_b,
                         const double *b_numeric, const int32_t *b_categorical, int64_t numeric_count,
                         int64_t categorical_count, double rel_tolerance, uint8_t *matched) {
  return dl::match_rows_checked(rows_a, a_numeric, a_categorical, rows_b, b_numeric, b_categorical, numeric_count,
                                categorical_count, rel_tolerance, matched);
}

}  // extern "C"
