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
// within sum_error_bound of the exact sum (see prepare_mixed_features). The float32 scan keeps
// a few more candidates than k; finalize_topk re-scores every candidate within 2 x the bound of
// the k-th best in float64 and, when the kept list cannot prove that no other row is that close,
// scans the row again in float64 — so the winners are those of the float64 distance.
constexpr float kNullSentinel = 3.0e38f;
constexpr double kClampScaled = 1.0e30;

struct MixedFeatures {
  int64_t columns = 0;         // D = numeric + categorical
  int64_t rows_a = 0, rows_b = 0;
  int64_t padded_b = 0;        // rows_b rounded up to a multiple of kPadRows
  std::vector<float> a;        // rows_a x D, row-major
  std::vector<float> b;        // D x padded_b, column-major (padding rows are 0 and never reported)
  // |float32 sum - exact sum| <= sum_error_bound for every pair (in sum units, before / D):
  // u (4 S (M + 1) + D^2), u = 2^-24, S = scaled numeric columns, M = largest |scaled feature|.
  // Each scaled term is off by <= u(|a| + |b| + |b - a|) <= 4u(M + 1) (min(., 1) is 1-Lipschitz;
  // coded columns are exact integers), and D float32 additions of partial sums <= D add <= u D^2.
  double sum_error_bound = 0.0;
};
constexpr int64_t kPadRows = 64;

// Validates the arguments (error message in `error`, false on failure) and fills `out`.
bool prepare_mixed_features(int64_t rows_a, const double *a_num, const int32_t *a_cat, int64_t rows_b,
                            const double *b_num, const int32_t *b_cat, int64_t num, int64_t cat,
                            const double *inv_range, MixedFeatures &out, std::string &error);

// The DCR distance in float64, exactly as defined in datalab_kernels.h.
double exact_distance(const double *a_num, const int32_t *a_cat, const double *b_num, const int32_t *b_cat,
                      int64_t num, int64_t cat, const double *inv_range);

// Running list of the `slots` best float32 sums (slots <= kMaxCandidates) for one row of A,
// ascending; ties keep the lower index because candidates arrive in increasing index order and
// only a strictly smaller sum enters. slots > k leaves room to see near-ties of the k-th best.
constexpr int kMaxCandidates = 8;
struct TopK {
  float dist[kMaxCandidates];
  int32_t index[kMaxCandidates];
};
inline void topk_reset(TopK &t) {
  for (int i = 0; i < kMaxCandidates; ++i) t.dist[i] = 3.402823466e38f, t.index[i] = -1;
}
inline void topk_offer(TopK &t, int slots, float d, int32_t j) {
  if (!(d < t.dist[slots - 1])) return;
  int i = slots - 1;
  for (; i > 0 && d < t.dist[i - 1]; --i) t.dist[i] = t.dist[i - 1], t.index[i] = t.index[i - 1];
  t.dist[i] = d, t.index[i] = j;
}

// Writes the k nearest rows of B for every A row, sorted by (float64 distance, index): the
// candidates of `best` (`slots` kept per row) within 2 x f.sum_error_bound of the k-th best
// float32 sum are re-scored in float64; a row whose whole list is that close (more near-ties
// than slots) is scanned again over all of B in float64. Returns the number of such rows.
int64_t finalize_topk(const std::vector<TopK> &best, int slots, int k, bool exclude_same, double sum_error_bound,
                      int64_t rows_a, int64_t rows_b, const double *a_num, const int32_t *a_cat, const double *b_num,
                      const int32_t *b_cat, int64_t num, int64_t cat, const double *inv_range, double *out_distance,
                      int32_t *out_index);

// Exact row matching (host): hash of the categorical codes, then a sorted window on the first
// numeric column, then a full check of the candidates.
int match_rows_host(int64_t rows_a, const double *a_num, const int32_t *a_cat, int64_t rows_b, const double *b_num,
                    const int32_t *b_cat, int64_t num, int64_t cat, double rel_tolerance, uint8_t *matched);

}  // namespace dl
