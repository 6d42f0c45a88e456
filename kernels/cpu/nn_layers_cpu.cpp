// nn layer ops of section 6 on the CPU: Linear (+ fused bias and activation, and its fused
// backward), standalone activations, BatchNorm1d (+ fused activation), Dropout. The GEMMs go
// through the blocked dl_gemm_f32 (gemm_cpu.cpp); the epilogues are one pass over the output.
#include <omp.h>

#include <cmath>
#include <vector>

#include "../common/last_error.hpp"
#include "../common/nn_math.hpp"
#include "../common/thread_count.hpp"
#include "../include/datalab_kernels.h"

namespace {
constexpr int64_t kParallelElements = 1 << 15;
int threads_for(int64_t work) { return work >= kParallelElements ? dl::worker_threads() : 1; }

bool valid_act(int act) { return act >= DL_ACT_IDENTITY && act <= DL_ACT_TANH; }
}  // namespace

extern "C" {

DL_API int dl_nn_linear_forward(int64_t rows, int64_t in, int64_t out, const float *x, const float *w, const float *b,
                                int act, float slope, float *y) {
  if (rows < 0 || in < 1 || out < 1 || !valid_act(act))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn linear_forward: rows >= 0, in >= 1, out >= 1 and a known act needed");
  const int status = dl_gemm_f32(0, 1, rows, out, in, 1.0f, x, w, 0.0f, y);
  if (status != DL_OK) return status;
#pragma omp parallel for num_threads(threads_for(rows * out))
  for (int64_t r = 0; r < rows; ++r) {
    float *row = y + r * out;
    if (b != nullptr) {
#pragma omp simd
      for (int64_t j = 0; j < out; ++j) row[j] += b[j];
    }
    if (act == DL_ACT_RELU) {
#pragma omp simd
      for (int64_t j = 0; j < out; ++j) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
    } else if (act == DL_ACT_LEAKY_RELU) {
#pragma omp simd
      for (int64_t j = 0; j < out; ++j) row[j] = row[j] > 0.0f ? row[j] : slope * row[j];
    } else if (act == DL_ACT_TANH) {
      for (int64_t j = 0; j < out; ++j) row[j] = std::tanh(row[j]);
    }
  }
  return DL_OK;
}

DL_API int dl_nn_activation_backward(int64_t n, int act, float slope, const float *y, const float *dy, float *dx) {
  if (!valid_act(act)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn activation_backward: unknown act");
#pragma omp parallel for simd num_threads(threads_for(n))
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * dl::nn::activation_slope_from_output(act, slope, y[i]);
  return DL_OK;
}

DL_API int dl_nn_activation_forward(int64_t n, int act, float slope, const float *x, float *y) {
  if (!valid_act(act)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn activation_forward: unknown act");
#pragma omp parallel for num_threads(threads_for(n))
  for (int64_t i = 0; i < n; ++i) y[i] = dl::nn::activate(act, slope, x[i]);
  return DL_OK;
}

DL_API int dl_nn_linear_backward(int64_t rows, int64_t in, int64_t out, const float *x, const float *w, const float *y,
                                 const float *dy, int act, float slope, float *dz, float *dx, float *dw, float *db) {
  if (rows < 0 || in < 1 || out < 1 || !valid_act(act))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn linear_backward: rows >= 0, in >= 1, out >= 1 and a known act needed");
  if (act != DL_ACT_IDENTITY) {
    dl_nn_activation_backward(rows * out, act, slope, y, dy, dz);
  } else if (dz != dy) {
    dl_nn_copy(dz, dy, static_cast<uint64_t>(rows * out) * sizeof(float));
  }
  if (db != nullptr) {
    for (int64_t r = 0; r < rows; ++r) {
      const float *row = dz + r * out;
#pragma omp simd
      for (int64_t j = 0; j < out; ++j) db[j] += row[j];
    }
  }
  int status = dl_gemm_f32(1, 0, out, in, rows, 1.0f, dz, x, 1.0f, dw);
  if (status == DL_OK && dx != nullptr) status = dl_gemm_f32(0, 0, rows, in, out, 1.0f, dz, w, 0.0f, dx);
  return status;
}

DL_API int dl_nn_batchnorm_forward(int64_t rows, int64_t features, const float *x, const float *gamma,
                                   const float *beta, float *running_mean, float *running_var, float momentum,
                                   float eps, int training, int act, float slope, float *y, float *saved_mean,
                                   float *saved_invstd) {
  if (rows < 1 || features < 1 || !valid_act(act)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn batchnorm_forward: rows >= 1, features >= 1, known act");
  if (training && rows < 2) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn batchnorm_forward: training needs at least 2 rows");
  if (training) {
    // Two passes in double (mean, then centred squares): no cancellation for offset inputs.
    std::vector<double> sum(static_cast<size_t>(features), 0.0), sq(static_cast<size_t>(features), 0.0);
    for (int64_t r = 0; r < rows; ++r) {
      const float *row = x + r * features;
      for (int64_t j = 0; j < features; ++j) sum[j] += row[j];
    }
    for (int64_t j = 0; j < features; ++j) sum[j] /= static_cast<double>(rows);
    for (int64_t r = 0; r < rows; ++r) {
      const float *row = x + r * features;
      for (int64_t j = 0; j < features; ++j) {
        const double d = row[j] - sum[j];
        sq[j] += d * d;
      }
    }
    for (int64_t j = 0; j < features; ++j) {
      const double var = sq[j] / static_cast<double>(rows);
      saved_mean[j] = static_cast<float>(sum[j]);
      saved_invstd[j] = static_cast<float>(1.0 / std::sqrt(var + eps));
      const double unbiased = sq[j] / static_cast<double>(rows - 1);
      running_mean[j] = static_cast<float>((1.0 - momentum) * running_mean[j] + momentum * sum[j]);
      running_var[j] = static_cast<float>((1.0 - momentum) * running_var[j] + momentum * unbiased);
    }
  } else {
    for (int64_t j = 0; j < features; ++j) {
      saved_mean[j] = running_mean[j];
      saved_invstd[j] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var[j]) + eps));
    }
  }
#pragma omp parallel for num_threads(threads_for(rows * features))
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * features;
    float *yr = y + r * features;
    for (int64_t j = 0; j < features; ++j)
      yr[j] = dl::nn::activate(act, slope, (xr[j] - saved_mean[j]) * saved_invstd[j] * gamma[j] + beta[j]);
  }
  return DL_OK;
}

DL_API int dl_nn_batchnorm_backward(int64_t rows, int64_t features, const float *x, const float *gamma,
                                    const float *saved_mean, const float *saved_invstd, const float *y,
                                    const float *dy, int training, int act, float slope, float *dx, float *dgamma,
                                    float *dbeta) {
  if (rows < 1 || features < 1 || !valid_act(act)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn batchnorm_backward: rows >= 1, features >= 1, known act");
  // g = dy ⊙ act'(y); x̂ = (x − μ) invstd. Training (μ, σ depend on the batch):
  // dx = γ invstd (g − mean(g) − x̂ mean(g x̂)); eval: dx = γ invstd g.
  std::vector<double> sum_g(static_cast<size_t>(features), 0.0), sum_gx(static_cast<size_t>(features), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * features, *yr = y + r * features, *dyr = dy + r * features;
    for (int64_t j = 0; j < features; ++j) {
      const float g = dyr[j] * dl::nn::activation_slope_from_output(act, slope, yr[j]);
      sum_g[j] += g;
      sum_gx[j] += g * ((xr[j] - saved_mean[j]) * saved_invstd[j]);
    }
  }
  for (int64_t j = 0; j < features; ++j) {
    dgamma[j] += static_cast<float>(sum_gx[j]);
    dbeta[j] += static_cast<float>(sum_g[j]);
  }
  if (dx == nullptr) return DL_OK;
  const double inv_rows = 1.0 / static_cast<double>(rows);
#pragma omp parallel for num_threads(threads_for(rows * features))
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * features, *yr = y + r * features, *dyr = dy + r * features;
    float *dxr = dx + r * features;
    for (int64_t j = 0; j < features; ++j) {
      const float g = dyr[j] * dl::nn::activation_slope_from_output(act, slope, yr[j]);
      const float scale = gamma[j] * saved_invstd[j];
      if (!training) {
        dxr[j] = scale * g;
        continue;
      }
      const float xhat = (xr[j] - saved_mean[j]) * saved_invstd[j];
      dxr[j] = scale * static_cast<float>(g - sum_g[j] * inv_rows - xhat * sum_gx[j] * inv_rows);
    }
  }
  return DL_OK;
}

DL_API int dl_nn_dropout_forward(int64_t n, float p, uint64_t seed, uint64_t *rng_counter, const float *x, float *y,
                                 float *mask) {
  if (!(p >= 0.0f && p < 1.0f)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn dropout: p must be in [0, 1)");
  const uint64_t counter = *rng_counter;
  const float keep_scale = 1.0f / (1.0f - p);
  const int64_t blocks = dl::nn::blocks_covering(counter, n);
#pragma omp parallel for num_threads(threads_for(n * 8))
  for (int64_t k = 0; k < blocks; ++k)
    dl::nn::for_each_uniform_in_blocks(seed, counter, n, k, 1, [&](int64_t i, double u) {
      const float m = u >= p ? keep_scale : 0.0f;
      mask[i] = m;
      y[i] = x[i] * m;
    });
  *rng_counter = counter + static_cast<uint64_t>(n);
  return DL_OK;
}

}  // extern "C"
