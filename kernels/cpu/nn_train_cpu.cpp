// nn ops of section 6 on the CPU for the output layer and training: per-span activations
// (tanh, softmax, Gumbel-softmax), losses (span cross-entropy, MSE), the AdamW update over one
// parameter arena, and the WGAN-GP helpers.
#include <omp.h>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <vector>

#include "../common/last_error.hpp"
#include "../common/nn_math.hpp"
#include "../common/thread_count.hpp"
#include "../include/datalab_kernels.h"
#include "rng_cpu.hpp"
#include "task_pool.hpp"

namespace {
// Every op runs on the barrier-free task pool (task_pool.hpp; an OpenMP team would wait at its
// barrier for a member the OS has not scheduled yet), with a second thread from kPoolElements up.
constexpr int64_t kPoolElements = 1 << 15;
int pool_threads_for(int64_t work) { return work >= kPoolElements ? dl::worker_threads() : 1; }

bool spans_valid(int64_t width, int64_t span_count, const int32_t *spans) {
  for (int64_t s = 0; s < span_count; ++s) {
    const int32_t start = spans[3 * s], length = spans[3 * s + 1], kind = spans[3 * s + 2];
    if (start < 0 || length < 1 || start + length > width || kind < DL_SPAN_IDENTITY || kind > DL_SPAN_GUMBEL_SOFTMAX)
      return false;
  }
  return true;
}

#if defined(DL_USE_LIBMVEC) && defined(__AVX2__)
extern "C" __m256 _ZGVdN8v_expf(__m256);
#endif

// v[i] = expf(v[i]), i < n: glibc's vector expf (libmvec) 8 at a time where built with it.
void exp_in_place(float *v, int64_t n) {
  int64_t i = 0;
#if defined(DL_USE_LIBMVEC) && defined(__AVX2__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(v + i, _ZGVdN8v_expf(_mm256_loadu_ps(v + i)));
#endif
  for (; i < n; ++i) v[i] = std::exp(v[i]);
}

// Numerically stable softmax of v[0..n) / tau into out (max subtracted first).
void softmax_into(const float *v, int64_t n, float tau, float *out) {
  float top = v[0];
  for (int64_t k = 1; k < n; ++k) top = v[k] > top ? v[k] : top;
  double total = 0.0;
  for (int64_t k = 0; k < n; ++k) {
    out[k] = std::exp((v[k] - top) / tau);
    total += out[k];
  }
  const float inv = static_cast<float>(1.0 / total);
  for (int64_t k = 0; k < n; ++k) out[k] *= inv;
}
}  // namespace

extern "C" {

DL_API int dl_nn_span_activation_forward(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans,
                                         float tau, uint64_t seed, uint64_t *rng_counter, const float *x, float *y) {
  if (!spans_valid(width, span_count, spans) || !(tau > 0.0f))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn span_activation: a span lies outside the row or has an unknown kind, or tau <= 0");
  const uint64_t counter = *rng_counter;
  bool gumbel = false;
  for (int64_t s = 0; s < span_count; ++s) gumbel = gumbel || spans[3 * s + 2] == DL_SPAN_GUMBEL_SOFTMAX;
  // Element (r, j) uses draw counter + r·width + j (independent of threads and of spans). The
  // Gumbel noise of a block of rows is drawn at once (vectorized Philox and log, rng_cpu.cpp).
  constexpr int64_t kRowsPerChunk = 16;
  const int64_t chunks = (rows + kRowsPerChunk - 1) / kRowsPerChunk;
  dl::run_tasks(chunks, pool_threads_for(rows * width * 4), [&](int64_t chunk) {
    thread_local std::vector<double> noise;
    thread_local std::vector<float> arg;
    const int64_t r0 = chunk * kRowsPerChunk, r1 = std::min(rows, r0 + kRowsPerChunk);
    if (gumbel) {
      noise.resize(static_cast<size_t>((r1 - r0) * width));
      dl::fill_uniform(seed, counter + static_cast<uint64_t>(r0 * width), noise.data(), (r1 - r0) * width);
      dl::gumbel_in_place(noise.data(), (r1 - r0) * width);
    }
    arg.resize(static_cast<size_t>(width));
    for (int64_t r = r0; r < r1; ++r) {
      const float *xr = x + r * width;
      float *yr = y + r * width;
      // Softmax spans: arg = (v − max v) / tau per span (v = x, plus Gumbel noise), then one
      // exp over the whole row (vectorized), then each span's sum (double) and scale.
      for (int64_t s = 0; s < span_count; ++s) {
        const int32_t start = spans[3 * s], length = spans[3 * s + 1], kind = spans[3 * s + 2];
        float *as = arg.data() + start;
        if (kind == DL_SPAN_IDENTITY || kind == DL_SPAN_TANH) {
          for (int32_t k = 0; k < length; ++k) as[k] = 0.0f;
          continue;
        }
        const float t = kind == DL_SPAN_SOFTMAX ? 1.0f : tau;
        if (kind == DL_SPAN_SOFTMAX) {
          for (int32_t k = 0; k < length; ++k) as[k] = xr[start + k];
        } else {
          const double *g = noise.data() + (r - r0) * width + start;
          for (int32_t k = 0; k < length; ++k) as[k] = xr[start + k] + static_cast<float>(g[k]);
        }
        float top = as[0];
        for (int32_t k = 1; k < length; ++k) top = as[k] > top ? as[k] : top;
        for (int32_t k = 0; k < length; ++k) as[k] = (as[k] - top) / t;
      }
      exp_in_place(arg.data(), width);
      for (int64_t s = 0; s < span_count; ++s) {
        const int32_t start = spans[3 * s], length = spans[3 * s + 1], kind = spans[3 * s + 2];
        if (kind == DL_SPAN_IDENTITY) {
          for (int32_t k = 0; k < length; ++k) yr[start + k] = xr[start + k];
        } else if (kind == DL_SPAN_TANH) {
          for (int32_t k = 0; k < length; ++k) yr[start + k] = std::tanh(xr[start + k]);
        } else {
          const float *e = arg.data() + start;
          double total = 0.0;
          for (int32_t k = 0; k < length; ++k) total += e[k];
          const float inv = static_cast<float>(1.0 / total);
          for (int32_t k = 0; k < length; ++k) yr[start + k] = e[k] * inv;
        }
      }
    }
  });
  *rng_counter = counter + static_cast<uint64_t>(rows * width);
  return DL_OK;
}

DL_API int dl_nn_span_activation_backward(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans,
                                          float tau, const float *y, const float *dy, float *dx) {
  if (!spans_valid(width, span_count, spans) || !(tau > 0.0f))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn span_activation_backward: a span lies outside the row or has an unknown kind, or tau <= 0");
  dl::run_tasks(rows, pool_threads_for(rows * width), [&](int64_t r) {
    const float *yr = y + r * width, *dyr = dy + r * width;
    float *dxr = dx + r * width;
    for (int64_t s = 0; s < span_count; ++s) {
      const int32_t start = spans[3 * s], length = spans[3 * s + 1], kind = spans[3 * s + 2];
      if (kind == DL_SPAN_IDENTITY) {
        for (int32_t k = start; k < start + length; ++k) dxr[k] = dyr[k];
      } else if (kind == DL_SPAN_TANH) {
        for (int32_t k = start; k < start + length; ++k) dxr[k] = dyr[k] * (1.0f - yr[k] * yr[k]);
      } else {
        // Jacobian of softmax(v / tau): (1/tau)(diag(y) − y yᵀ).
        const float inv_tau = kind == DL_SPAN_SOFTMAX ? 1.0f : 1.0f / tau;
        double dot = 0.0;
        for (int32_t k = start; k < start + length; ++k) dot += static_cast<double>(yr[k]) * dyr[k];
        for (int32_t k = start; k < start + length; ++k) dxr[k] = inv_tau * yr[k] * static_cast<float>(dyr[k] - dot);
      }
    }
  });
  return DL_OK;
}

DL_API int dl_nn_span_cross_entropy(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans,
                                    const float *logits, const int32_t *targets, float scale, float *loss_out,
                                    float *dlogits) {
  if (!spans_valid(width, span_count, spans)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn span_cross_entropy: bad span table");
  // Rows in parallel (each writes its own gradient row and loss); the per-row losses are then
  // summed in row order on one thread, so the total does not depend on the thread count.
  std::vector<double> row_loss(static_cast<size_t>(rows), 0.0);
  dl::run_tasks(rows, pool_threads_for(rows * width * 4), [&](int64_t r) {
    const float *lr = logits + r * width;
    float *dr = dlogits == nullptr ? nullptr : dlogits + r * width;
    double &total = row_loss[static_cast<size_t>(r)];
    for (int64_t s = 0; s < span_count; ++s) {
      const int32_t target = targets[r * span_count + s];
      const int32_t start = spans[3 * s], length = spans[3 * s + 1];
      if (target < 0 || target >= length) continue;
      // CE = logsumexp(v) − v_target, computed around the maximum.
      float top = lr[start];
      for (int32_t k = 1; k < length; ++k) top = lr[start + k] > top ? lr[start + k] : top;
      double z = 0.0;
      for (int32_t k = 0; k < length; ++k) z += std::exp(static_cast<double>(lr[start + k] - top));
      total += std::log(z) + top - lr[start + target];
      if (dr == nullptr) continue;
      for (int32_t k = 0; k < length; ++k) {
        const double p = std::exp(static_cast<double>(lr[start + k] - top)) / z;
        dr[start + k] += scale * static_cast<float>(p - (k == target ? 1.0 : 0.0));
      }
    }
  });
  double total = 0.0;
  for (int64_t r = 0; r < rows; ++r) total += row_loss[static_cast<size_t>(r)];
  loss_out[0] = static_cast<float>(scale * total);
  return DL_OK;
}

DL_API int dl_nn_mse(int64_t n, const float *y, const float *t, float scale, float *loss_out, float *dy) {
  double total = 0.0;
// One thread, lanes combined in a fixed order: the sum does not depend on the thread count.
#pragma omp simd reduction(+ : total)
  for (int64_t i = 0; i < n; ++i) {
    const float d = y[i] - t[i];
    total += static_cast<double>(d) * d;
    if (dy != nullptr) dy[i] += 2.0f * scale * d;
  }
  loss_out[0] = static_cast<float>(scale * total);
  return DL_OK;
}

DL_API int dl_nn_adamw(int64_t n, float *params, const float *grads, float *m, float *v, int64_t *step, float lr,
                       float beta1, float beta2, float eps, float weight_decay) {
  if (!(beta1 >= 0.0f && beta1 < 1.0f && beta2 >= 0.0f && beta2 < 1.0f) || !(lr >= 0.0f))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn adamw: betas must be in [0, 1) and lr >= 0");
  const int64_t t = ++*step;
  const float c1 = static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(beta1), static_cast<double>(t))));
  const float c2 = static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(beta2), static_cast<double>(t))));
  // One pass over the arena, in chunks per thread. Explicit AVX2 because std::sqrt's errno
  // semantics keep the compiler from vectorizing it; the same IEEE operations in the same order
  // (no FMA contraction) as the scalar tail, so every element gets identical bits either way.
  constexpr int64_t kChunk = 8192;
  dl::run_tasks((n + kChunk - 1) / kChunk, pool_threads_for(n), [&](int64_t chunk) {
    const int64_t start = chunk * kChunk;
    const int64_t end = std::min(n, start + kChunk);
    int64_t i = start;
#if defined(__AVX2__)
    const __m256 b1 = _mm256_set1_ps(beta1), nb1 = _mm256_set1_ps(1.0f - beta1), b2 = _mm256_set1_ps(beta2),
                 nb2 = _mm256_set1_ps(1.0f - beta2), vc1 = _mm256_set1_ps(c1), vc2 = _mm256_set1_ps(c2),
                 veps = _mm256_set1_ps(eps), vlr = _mm256_set1_ps(lr), vwd = _mm256_set1_ps(weight_decay);
    for (; i + 8 <= end; i += 8) {
      const __m256 g = _mm256_loadu_ps(grads + i), p = _mm256_loadu_ps(params + i);
      const __m256 mi = _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(nb1, g));
      const __m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v + i)), _mm256_mul_ps(_mm256_mul_ps(nb2, g), g));
      _mm256_storeu_ps(m + i, mi);
      _mm256_storeu_ps(v + i, vi);
      const __m256 adapt = _mm256_div_ps(_mm256_mul_ps(mi, vc1), _mm256_add_ps(_mm256_sqrt_ps(_mm256_mul_ps(vi, vc2)), veps));
      _mm256_storeu_ps(params + i, _mm256_sub_ps(p, _mm256_mul_ps(vlr, _mm256_add_ps(_mm256_mul_ps(vwd, p), adapt))));
    }
#endif
    for (; i < end; ++i) {
      const float g = grads[i];
      const float mi = beta1 * m[i] + (1.0f - beta1) * g;
      const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] -= lr * (weight_decay * params[i] + (mi * c1) / (std::sqrt(vi * c2) + eps));
    }
  });
  return DL_OK;
}

DL_API int dl_nn_interpolate_rows(int64_t rows, int64_t width, const float *real, const float *fake, uint64_t seed,
                                  uint64_t *rng_counter, float *out) {
  const uint64_t counter = *rng_counter;
  dl::run_tasks(rows, pool_threads_for(rows * width), [&](int64_t r) {
    const float alpha = static_cast<float>(dl::nn::uniform_at(seed, counter + static_cast<uint64_t>(r)));
    for (int64_t j = 0; j < width; ++j) out[r * width + j] = alpha * real[r * width + j] + (1.0f - alpha) * fake[r * width + j];
  });
  *rng_counter = counter + static_cast<uint64_t>(rows);
  return DL_OK;
}

DL_API int dl_nn_gp_norm(int64_t rows, int64_t width, const float *grad, float lambda, float *penalty_out,
                         float *dgrad) {
  if (rows < 1) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn gp_norm: rows must be >= 1");
  const double per_row = static_cast<double>(lambda) / static_cast<double>(rows);
  // Rows in parallel, each norm summed in column order by one thread; the rows' terms are then
  // summed in row order on one thread: the total does not depend on the thread count.
  std::vector<double> terms(static_cast<size_t>(rows));
  dl::run_tasks(rows, pool_threads_for(rows * width), [&](int64_t r) {
    const float *g = grad + r * width;
    double sq = 0.0;
    for (int64_t j = 0; j < width; ++j) sq += static_cast<double>(g[j]) * g[j];
    const double norm = std::sqrt(sq);
    terms[static_cast<size_t>(r)] = (norm - 1.0) * (norm - 1.0);
    const float factor = norm > 0.0 ? static_cast<float>(per_row * 2.0 * (norm - 1.0) / norm) : 0.0f;
    for (int64_t j = 0; j < width; ++j) dgrad[r * width + j] = factor * g[j];
  });
  double total = 0.0;
  for (int64_t r = 0; r < rows; ++r) total += terms[static_cast<size_t>(r)];
  penalty_out[0] = static_cast<float>(per_row * total);
  return DL_OK;
}

DL_API int dl_nn_leaky_mask_mul(int64_t n, const float *h, const float *mask, float slope, const float *in,
                                float *out) {
  dl::run_ranges(n, 1 << 15, pool_threads_for(n), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float s = h[i] > 0.0f ? 1.0f : slope;
      out[i] = in[i] * s * (mask == nullptr ? 1.0f : mask[i]);
    }
  });
  return DL_OK;
}

}  // extern "C"
