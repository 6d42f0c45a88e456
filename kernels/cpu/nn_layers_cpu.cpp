// nn layer ops of section 6 on the CPU: Linear (+ fused bias and activation, and its fused
// backward), standalone activations, BatchNorm1d (+ fused activation), Dropout. The GEMMs go
// through the blocked dl_gemm_f32 (gemm_cpu.cpp); the epilogues are one pass over the output.
#include <omp.h>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "../common/last_error.hpp"
#include "../common/nn_math.hpp"
#include "../common/thread_count.hpp"
#include "../include/datalab_kernels.h"
#include "gemm_cpu.hpp"
#include "rng_cpu.hpp"
#include "task_pool.hpp"

namespace {
// Every op runs on the barrier-free task pool (task_pool.hpp; an OpenMP team would wait at its
// barrier for a member the OS has not scheduled yet), with a second thread from kPoolElements up.
constexpr int64_t kPoolElements = 1 << 15;
int pool_threads_for(int64_t work) { return work >= kPoolElements ? dl::worker_threads() : 1; }

bool valid_act(int act) { return act >= DL_ACT_IDENTITY && act <= DL_ACT_TANH; }

// BatchNorm works on blocks of at most this many features (per-feature sums on the stack), one
// block per thread when the features allow it, walking rows in order (streaming reads).
constexpr int64_t kFeatureBlock = 256;
int64_t feature_block(int64_t features, int threads) {
  const int64_t per_thread = (features + threads - 1) / threads;
  return std::min(kFeatureBlock, std::max<int64_t>(16, (per_thread + 15) / 16 * 16));
}

// g[j] = dy[j] act'(y[j]), j < n (g may alias dy). The ReLU/LeakyReLU slope is a select of two
// constants then a multiply, exactly as the scalar dy · (y > 0 ? 1 : s) (signed zeros and NaN
// included); written with AVX2 because the compiler keeps that select as a branch.
void activation_grad(int act, float slope, int64_t n, const float *y, const float *dy, float *g) {
  int64_t j = 0;
  if (act == DL_ACT_RELU || act == DL_ACT_LEAKY_RELU) {
    const float low = act == DL_ACT_RELU ? 0.0f : slope;
#if defined(__AVX2__)
    const __m256 one = _mm256_set1_ps(1.0f), lowv = _mm256_set1_ps(low), zero = _mm256_setzero_ps();
    for (; j + 8 <= n; j += 8) {
      const __m256 positive = _mm256_cmp_ps(_mm256_loadu_ps(y + j), zero, _CMP_GT_OQ);
      _mm256_storeu_ps(g + j, _mm256_mul_ps(_mm256_loadu_ps(dy + j), _mm256_blendv_ps(lowv, one, positive)));
    }
#endif
    for (; j < n; ++j) g[j] = dy[j] * (y[j] > 0.0f ? 1.0f : low);
  } else if (act == DL_ACT_TANH) {
    for (; j < n; ++j) g[j] = dy[j] * (1.0f - y[j] * y[j]);
  } else if (g != dy) {
    std::memcpy(g, dy, static_cast<size_t>(n) * sizeof(float));
  }
}
}  // namespace

extern "C" {

DL_API int dl_nn_linear_forward(int64_t rows, int64_t in, int64_t out, const float *x, const float *w, const float *b,
                                int act, float slope, float *y) {
  if (rows < 0 || in < 1 || out < 1 || !valid_act(act))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn linear_forward: rows >= 0, in >= 1, out >= 1 and a known act needed");
  // y = act(x wᵀ + b): bias and activation applied by the GEMM as each output tile completes.
  const dl::GemmEpilogue epilogue{b, act, slope};
  return dl::gemm_f32(0, 1, rows, out, in, 1.0f, x, w, 0.0f, y, &epilogue);
}

DL_API int dl_nn_activation_backward(int64_t n, int act, float slope, const float *y, const float *dy, float *dx) {
  if (!valid_act(act)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn activation_backward: unknown act");
  dl::run_ranges(n, 1 << 15, pool_threads_for(n), [&](int64_t begin, int64_t end) {
    activation_grad(act, slope, end - begin, y + begin, dy + begin, dx + begin);
  });
  return DL_OK;
}

DL_API int dl_nn_activation_forward(int64_t n, int act, float slope, const float *x, float *y) {
  if (!valid_act(act)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn activation_forward: unknown act");
  dl::run_ranges(n, 1 << 15, pool_threads_for(n), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = dl::nn::activate(act, slope, x[i]);
  });
  return DL_OK;
}

DL_API int dl_nn_linear_backward(int64_t rows, int64_t in, int64_t out, const float *x, const float *w, const float *y,
                                 const float *dy, int act, float slope, float *dz, float *dx, int64_t dx_cols, float *dw,
                                 float *db) {
  if (rows < 0 || in < 1 || out < 1 || !valid_act(act))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn linear_backward: rows >= 0, in >= 1, out >= 1 and a known act needed");
  if (dx != nullptr && (dx_cols < 1 || dx_cols > in))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn linear_backward: dx_cols must be in 1 .. in when dx is given");
  // One pass over the rows: dz = dy ⊙ act'(y) (dz may alias dy) and db += Σ_rows dz, rows in
  // order. Threads take blocks of columns, so each db[j] is still summed by one thread in row
  // order (the same bits whatever the thread count).
  constexpr int64_t kColumnBlock = 64;
  dl::run_tasks((out + kColumnBlock - 1) / kColumnBlock, pool_threads_for(rows * out), [&](int64_t block) {
    const int64_t j0 = block * kColumnBlock, width = std::min(kColumnBlock, out - j0);
    for (int64_t r = 0; r < rows; ++r) {
      float *dzr = dz + r * out + j0;
      activation_grad(act, slope, width, y + r * out + j0, dy + r * out + j0, dzr);
      if (db != nullptr) {
#pragma omp simd
        for (int64_t j = 0; j < width; ++j) db[j0 + j] += dzr[j];
      }
    }
  });
  // dW += dzᵀ x (dw NULL: the caller wants the input gradient only) and dx = dz W on the packed
  // GEMM (its own team of threads); of dx only the leading dx_cols columns, in place (W's leading
  // columns, row stride in).
  int status = dw != nullptr ? dl::gemm_f32(1, 0, out, in, rows, 1.0f, dz, x, 1.0f, dw, nullptr) : DL_OK;
  if (status == DL_OK && dx != nullptr)
    status = dl::gemm_f32_strided(0, 0, rows, dx_cols, out, 1.0f, dz, out, w, in, 0.0f, dx, in, nullptr);
  return status;
}

DL_API int dl_nn_batchnorm_forward(int64_t rows, int64_t features, const float *x, const float *gamma,
                                   const float *beta, float *running_mean, float *running_var, float momentum,
                                   float eps, int training, int act, float slope, float *y, float *saved_mean,
                                   float *saved_invstd) {
  if (rows < 1 || features < 1 || !valid_act(act)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn batchnorm_forward: rows >= 1, features >= 1, known act");
  if (training && rows < 2) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn batchnorm_forward: training needs at least 2 rows");
  // Threads over blocks of features: each feature's sums run over rows in order, in one thread,
  // so the statistics do not depend on the thread count.
  const int threads = pool_threads_for(rows * features);
  const int64_t block = feature_block(features, threads), blocks = (features + block - 1) / block;
  dl::run_tasks(blocks, threads, [&](int64_t fb) {
    const int64_t j0 = fb * block, width = std::min(block, features - j0);
    if (training) {
      // Two passes in double (mean, then centred squares): no cancellation for offset inputs.
      double sum[kFeatureBlock] = {}, sq[kFeatureBlock] = {};
      for (int64_t r = 0; r < rows; ++r) {
        const float *row = x + r * features + j0;
        for (int64_t j = 0; j < width; ++j) sum[j] += row[j];
      }
      for (int64_t j = 0; j < width; ++j) sum[j] /= static_cast<double>(rows);
      for (int64_t r = 0; r < rows; ++r) {
        const float *row = x + r * features + j0;
        for (int64_t j = 0; j < width; ++j) {
          const double d = row[j] - sum[j];
          sq[j] += d * d;
        }
      }
      for (int64_t j = 0; j < width; ++j) {
        const double var = sq[j] / static_cast<double>(rows);
        saved_mean[j0 + j] = static_cast<float>(sum[j]);
        saved_invstd[j0 + j] = static_cast<float>(1.0 / std::sqrt(var + eps));
        const double unbiased = sq[j] / static_cast<double>(rows - 1);
        running_mean[j0 + j] = static_cast<float>((1.0 - momentum) * running_mean[j0 + j] + momentum * sum[j]);
        running_var[j0 + j] = static_cast<float>((1.0 - momentum) * running_var[j0 + j] + momentum * unbiased);
      }
    } else {
      for (int64_t j = j0; j < j0 + width; ++j) {
        saved_mean[j] = running_mean[j];
        saved_invstd[j] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var[j]) + eps));
      }
    }
    const float *shift = saved_mean + j0, *invstd = saved_invstd + j0, *gam = gamma + j0;
    for (int64_t r = 0; r < rows; ++r) {
      const float *xr = x + r * features + j0;
      float *yr = y + r * features + j0;
      const float *bt = beta + j0;
      switch (act) {
        case DL_ACT_RELU:
          for (int64_t j = 0; j < width; ++j) yr[j] = dl::nn::activate(DL_ACT_RELU, slope, (xr[j] - shift[j]) * invstd[j] * gam[j] + bt[j]);
          break;
        case DL_ACT_LEAKY_RELU:
          for (int64_t j = 0; j < width; ++j) yr[j] = dl::nn::activate(DL_ACT_LEAKY_RELU, slope, (xr[j] - shift[j]) * invstd[j] * gam[j] + bt[j]);
          break;
        default:
          for (int64_t j = 0; j < width; ++j) yr[j] = dl::nn::activate(act, slope, (xr[j] - shift[j]) * invstd[j] * gam[j] + bt[j]);
      }
    }
  });
  return DL_OK;
}

DL_API int dl_nn_batchnorm_backward(int64_t rows, int64_t features, const float *x, const float *gamma,
                                    const float *saved_mean, const float *saved_invstd, const float *y,
                                    const float *dy, int training, int act, float slope, float *dx, float *dgamma,
                                    float *dbeta) {
  if (rows < 1 || features < 1 || !valid_act(act)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn batchnorm_backward: rows >= 1, features >= 1, known act");
  // g = dy ⊙ act'(y); x̂ = (x − μ) invstd. Training (μ, σ depend on the batch):
  // dx = γ invstd (g − mean(g) − x̂ mean(g x̂)); eval: dx = γ invstd g.
  // Threads over blocks of features (each feature's sums in row order, in one thread).
  const double inv_rows = 1.0 / static_cast<double>(rows);
  const int threads = pool_threads_for(rows * features);
  const int64_t block = feature_block(features, threads), blocks = (features + block - 1) / block;
  dl::run_tasks(blocks, threads, [&](int64_t fb) {
    const int64_t j0 = fb * block, width = std::min(block, features - j0);
    const float *mean = saved_mean + j0, *invstd = saved_invstd + j0;
    double sum_g[kFeatureBlock] = {}, sum_gx[kFeatureBlock] = {};
    float g[kFeatureBlock];
    for (int64_t r = 0; r < rows; ++r) {
      const float *xr = x + r * features + j0, *yr = y + r * features + j0, *dyr = dy + r * features + j0;
      activation_grad(act, slope, width, yr, dyr, g);
      for (int64_t j = 0; j < width; ++j) {
        sum_g[j] += g[j];
        sum_gx[j] += g[j] * ((xr[j] - mean[j]) * invstd[j]);
      }
    }
    for (int64_t j = 0; dgamma != nullptr && j < width; ++j) {
      dgamma[j0 + j] += static_cast<float>(sum_gx[j]);
      dbeta[j0 + j] += static_cast<float>(sum_g[j]);
    }
    if (dx == nullptr) return;
    for (int64_t r = 0; r < rows; ++r) {
      const float *xr = x + r * features + j0, *yr = y + r * features + j0, *dyr = dy + r * features + j0;
      float *dxr = dx + r * features + j0;
      activation_grad(act, slope, width, yr, dyr, g);
      for (int64_t j = 0; j < width; ++j) {
        const float scale = gamma[j0 + j] * invstd[j];
        if (!training) {
          dxr[j] = scale * g[j];
          continue;
        }
        const float xhat = (xr[j] - mean[j]) * invstd[j];
        dxr[j] = scale * static_cast<float>(g[j] - sum_g[j] * inv_rows - xhat * sum_gx[j] * inv_rows);
      }
    }
  });
  return DL_OK;
}

DL_API int dl_nn_dropout_forward(int64_t n, float p, uint64_t seed, uint64_t *rng_counter, const float *x, float *y,
                                 float *mask) {
  if (!(p >= 0.0f && p < 1.0f)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn dropout: p must be in [0, 1)");
  const uint64_t counter = *rng_counter;
  const float keep_scale = 1.0f / (1.0f - p);
  constexpr int64_t kChunk = 1024;
  dl::run_tasks((n + kChunk - 1) / kChunk, pool_threads_for(n * 8), [&](int64_t chunk) {
    const int64_t start = chunk * kChunk;
    double u[kChunk];
    const int64_t len = std::min(kChunk, n - start);
    dl::fill_uniform(seed, counter + static_cast<uint64_t>(start), u, len);
    int64_t i = 0;
#if defined(__AVX2__)
    // The keep test as a vector select (a branch on it mispredicts half the time).
    const __m256d pd = _mm256_set1_pd(static_cast<double>(p)), one = _mm256_set1_pd(1.0);
    const __m256 scale = _mm256_set1_ps(keep_scale);
    for (; i + 8 <= len; i += 8) {
      const __m128 lo = _mm256_cvtpd_ps(_mm256_and_pd(_mm256_cmp_pd(_mm256_loadu_pd(u + i), pd, _CMP_GE_OQ), one));
      const __m128 hi = _mm256_cvtpd_ps(_mm256_and_pd(_mm256_cmp_pd(_mm256_loadu_pd(u + i + 4), pd, _CMP_GE_OQ), one));
      const __m256 m = _mm256_mul_ps(_mm256_set_m128(hi, lo), scale);  // 1·s = s and 0·s = 0 exactly
      _mm256_storeu_ps(mask + start + i, m);
      _mm256_storeu_ps(y + start + i, _mm256_mul_ps(_mm256_loadu_ps(x + start + i), m));
    }
#endif
    for (; i < len; ++i) {
      const float m = u[i] >= p ? keep_scale : 0.0f;
      mask[start + i] = m;
      y[start + i] = x[start + i] * m;
    }
  });
  *rng_counter = counter + static_cast<uint64_t>(n);
  return DL_OK;
}

}  // extern "C"
