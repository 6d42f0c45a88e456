// Host-side preparation shared by the CPU and CUDA nearest-neighbour kernels, the exact float64
// distance used to re-score the winners, and the row matcher (hash-based, host only).
#pragma once
#include <stdint.h>

#include <string>
#include <vector>

namespace dl {

// Every column of both tables as one float32 feature on which the DCR distance becomes
// sum_c min(|a_c - b_c|, 1):
//  - numeric, finite inv_range: (x - offset) * inv_range, offset = min of A's column, so real
//    values sit in [0, 1] and float32 keeps ~6e-8 absolute precision; clamped to +-1e30; null
//    becomes kNullSentinel (|v - sentinel| >= 1 for every value, sentinel - sentinel = 0);
//  - numeric with inv_range = +inf (constant real column) and categoricals: integer codes of
//    the distinct values (null = -1), so equal values give 0 and different ones >= 1.
// Rounding: each feature is within ~6e-8 of its float64 value; a sum of D terms in float32 is
// within ~D * 1.2e-7 of the exact sum. Winners are re-scored in float64 (exact_distance).
constexpr float kNullSentinel = 3.0e38f;
constexpr double kClampScaled = 1.0e30;

struct MixedFeatures {
  int64_t columns = 0;         // D = numeric + categorical
  int64_t rows_a = 0, rows_b = 0;
  int64_t padded_b = 0;        // rows_b rounded up to a multiple of kPadRows
  std::vector<float> a;        // rows_a x D, row-major
  std::vector<float> b;        // D x padded_b, column-major (padding rows are 0 and never reported)
};
constexpr int64_t kPadRows = 64;

// Validates the arguments (error message in `error`, false on failure) and fills `out`.
bool prepare_mixed_features(int64_t rows_a, const double *a_num, const int32_t *a_cat, int64_t rows_b,
                            const double *b_num, const int32_t *b_cat, int64_t num, int64_t cat,
                            const double *inv_range, MixedFeatures &out, std::string &error);

// The DCR distance in float64, exactly as defined in datalab_kernels.h.
double exact_distance(const double *a_num, const int32_t *a_cat, const double *b_num, const int32_t *b_cat,
                      int64_t num, int64_t cat, const double *inv_range);

// Running k-best list (k <= 2) for one row of A, on float32 sums; ties keep the lower index
// because candidates arrive in increasing index order and only a strictly smaller sum enters.
struct TopK {
  float dist[2];
  int32_t index[2];
};
inline void topk_reset(TopK &t) {
  t.dist[0] = t.dist[1] = 3.402823466e38f;
  t.index[0] = t.index[1] = -1;
}
inline void topk_offer(TopK &t, int k, float d, int32_t j) {
  if (k == 1) {
    if (d < t.dist[0]) t.dist[0] = d, t.index[0] = j;
    return;
  }
  if (d < t.dist[0]) {
    t.dist[1] = t.dist[0], t.index[1] = t.index[0];
    t.dist[0] = d, t.index[0] = j;
  } else if (d < t.dist[1]) {
    t.dist[1] = d, t.index[1] = j;
  }
}
// Merges two partial lists over disjoint index ranges (lo's indices all below hi's).
void topk_merge(TopK &into, const TopK &other, int k);

// Re-scores the winners of every A row in float64 and writes them sorted (distance, index).
void finalize_topk(const std::vector<TopK> &best, int k, int64_t rows_a, const double *a_num, const int32_t *a_cat,
                   const double *b_num, const int32_t *b_cat, int64_t num, int64_t cat, const double *inv_range,
                   double *out_distance, int32_t *out_index);

// Exact row matching (host): hash of the categorical codes, then a sorted window on the first
// numeric column, then a full check of the candidates.
int match_rows_host(int64_t rows_a, const double *a_num, const int32_t *a_cat, int64_t rows_b, const double *b_num,
                    const int32_t *b_cat, int64_t num, int64_t cat, double rel_tolerance, uint8_t *matched);

}  // namespace dl
