// Streaming update aggregation on the CPU (section 5b of the header): a squared norm taken one
// chunk at a time while the chunk is hot in cache, and a one-pass weighted accumulation into the
// running sum. Together they read each update from memory once, where dl_aggregate_updates reads
// it twice (norms, then sum) and also re-reads the previous sum as an input row.
#include <omp.h>

#include <algorithm>
#include <string>

#include "../common/last_error.hpp"
#include "../common/thread_count.hpp"
#include "../include/datalab_kernels.h"

namespace {
constexpr int kLanes = 8;
// Columns per task of the accumulation: 16K floats = 64 KiB per row, so a task's rows stay in L2.
constexpr int64_t kColumnBlock = 16384;
}  // namespace

extern "C" DL_API int dl_sum_squares_f32(const float *x, int64_t n, double *sum_squares_out) {
  if (n < 0) return dl::fail(DL_ERR_INVALID_ARGUMENT, "sum_squares_f32: n must be >= 0, got " + std::to_string(n));
  if (sum_squares_out == nullptr || (n > 0 && x == nullptr))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "sum_squares_f32: x and sum_squares_out must not be null");
  // Independent lanes: the compiler vectorizes them without reassociating (no -ffast-math), and
  // the lanes are combined in one fixed order, so the result does not depend on threads.
  double lane[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  const int64_t whole = n - n % kLanes;
  for (int64_t j = 0; j < whole; j += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      const double v = static_cast<double>(x[j + l]);
      lane[l] += v * v;
    }
  }
  for (int64_t j = whole; j < n; ++j) {
    const double v = static_cast<double>(x[j]);
    lane[j - whole] += v * v;
  }
  *sum_squares_out = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  return DL_OK;
}

extern "C" DL_API int dl_accumulate_scaled_f32(float *acc, const float *updates, int64_t k, int64_t n, const double *coef) {
  if (k < 0 || n < 0)
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "accumulate_scaled_f32: k and n must be >= 0, got k=" + std::to_string(k) + " n=" + std::to_string(n));
  if (n > 0 && acc == nullptr) return dl::fail(DL_ERR_INVALID_ARGUMENT, "accumulate_scaled_f32: acc must not be null");
  if (k > 0 && n > 0 && (updates == nullptr || coef == nullptr))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "accumulate_scaled_f32: updates and coef must not be null");
  if (k == 0 || n == 0) return DL_OK;
  const int64_t blocks = (n + kColumnBlock - 1) / kColumnBlock;
  // Each column's result depends only on its own values (the k terms in row order), so any
  // split over threads gives the same bits.
#pragma omp parallel for num_threads(dl::worker_threads()) schedule(static) if (blocks > 1)
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t j0 = b * kColumnBlock, j1 = std::min(n, j0 + kColumnBlock);
    double sum[256];
    for (int64_t s0 = j0; s0 < j1; s0 += 256) {
      const int64_t len = std::min<int64_t>(256, j1 - s0);
      for (int64_t j = 0; j < len; ++j) sum[j] = static_cast<double>(acc[s0 + j]);
      for (int64_t u = 0; u < k; ++u) {
        const float *row = updates + u * n + s0;
        const double w = coef[u];
        for (int64_t j = 0; j < len; ++j) sum[j] += w * static_cast<double>(row[j]);
      }
      for (int64_t j = 0; j < len; ++j) acc[s0 + j] = static_cast<float>(sum[j]);
    }
  }
  return DL_OK;
}
