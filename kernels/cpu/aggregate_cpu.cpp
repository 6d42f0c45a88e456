// Federated update aggregation on the CPU: pass 1 computes each update's L2 norm (float64
// accumulation), pass 2 fuses clip scale, weights, sum and Gaussian noise per column chunk
// (each update read once more, the output written once). Threads over column chunks.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "../common/argument_checks.hpp"
#include "../common/thread_count.hpp"
#include "../common/last_error.hpp"
#include "../include/datalab_kernels.h"
#include "rng_cpu.hpp"

namespace {
constexpr int64_t kColumnChunk = 4096;
}

extern "C" DL_API int dl_aggregate_updates(const float *updates, int64_t k, int64_t n, const float *weights,
                                           double clip, double noise_std, uint64_t seed, uint64_t counter,
                                           float *out, float *norms_out) {
  const std::string problem = dl::aggregate_problem(updates, k, n, weights, clip, noise_std, out, norms_out);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "aggregate_updates: " + problem);
  std::vector<double> coef(static_cast<size_t>(k));
  for (int64_t u = 0; u < k; ++u) {
    const float *row = updates + u * n;
    double sum = 0.0;
#pragma omp parallel for num_threads(dl::worker_threads()) reduction(+ : sum) schedule(static) if (n > (1 << 16))
    for (int64_t j = 0; j < n; ++j) sum += static_cast<double>(row[j]) * static_cast<double>(row[j]);
    const double norm = std::sqrt(sum);
    norms_out[u] = static_cast<float>(norm);
    const bool clipping = clip > 0 && std::isfinite(clip);
    const double scale = clipping && norm > clip ? clip / norm : 1.0;
    coef[static_cast<size_t>(u)] = static_cast<double>(weights[u]) * scale;
  }
  const int64_t chunks = (n + kColumnChunk - 1) / kColumnChunk;
#pragma omp parallel num_threads(dl::worker_threads()) if (chunks > 1)
  {
    std::vector<double> acc(static_cast<size_t>(kColumnChunk));
    std::vector<double> noise(static_cast<size_t>(kColumnChunk));
#pragma omp for schedule(dynamic, 1)
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      const int64_t j0 = chunk * kColumnChunk, len = std::min(kColumnChunk, n - j0);
      std::fill(acc.begin(), acc.begin() + len, 0.0);
      for (int64_t u = 0; u < k; ++u) {
        const float *row = updates + u * n + j0;
        const double w = coef[static_cast<size_t>(u)];
        for (int64_t j = 0; j < len; ++j) acc[static_cast<size_t>(j)] += w * static_cast<double>(row[j]);
      }
      if (noise_std > 0) {
        dl::fill_normal(seed, counter + static_cast<uint64_t>(j0), noise.data(), len);
        for (int64_t j = 0; j < len; ++j) acc[static_cast<size_t>(j)] += noise_std * noise[static_cast<size_t>(j)];
      }
      for (int64_t j = 0; j < len; ++j) out[j0 + j] = static_cast<float>(acc[static_cast<size_t>(j)]);
    }
  }
  return DL_OK;
}
