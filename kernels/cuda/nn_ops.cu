// CUDA nn ops of section 6: memory, elementwise ops, data movement, random fills, Linear (GEMM
// through cuBLAS when loaded, else the own kernel, then one fused bias+activation pass),
// activations, BatchNorm1d, Dropout. All enqueued on the library's stream, no host sync.
#include <cuda_runtime.h>

#include <string>

#include "nn.cuh"

using dl::gpu::check;
using dl::gpu::stream;
using namespace dl::nn_gpu;

namespace dl {
namespace nn_gpu {
__global__ void advance_counter_kernel(uint64_t *counter, uint64_t n) { *counter += n; }
}  // namespace nn_gpu
}  // namespace dl

namespace {

#define GRID_STRIDE(i, n) \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); i += static_cast<int64_t>(gridDim.x) * blockDim.x)

__global__ void fill_kernel(int64_t n, float value, float *x) { GRID_STRIDE(i, n) x[i] = value; }
__global__ void axpy_kernel(int64_t n, float alpha, const float *x, float *y) { GRID_STRIDE(i, n) y[i] += alpha * x[i]; }
__global__ void mul_kernel(int64_t n, const float *a, const float *b, float *out) { GRID_STRIDE(i, n) out[i] = a[i] * b[i]; }

__global__ void sum_kernel(int64_t n, const float *x, float scale, float *out) {
  double s = 0.0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += x[i];
  const double total = block_sum(s);
  if (threadIdx.x == 0) out[0] = static_cast<float>(scale * total);
}

__global__ void broadcast_rows_kernel(int64_t rows, int64_t width, const float *vec, float *out) {
  GRID_STRIDE(i, rows * width) out[i] = vec[i % width];
}

// One thread per column, rows in order: the same summation order as the CPU library.
__global__ void column_sum_kernel(int64_t rows, int64_t width, const float *x, float *out) {
  GRID_STRIDE(j, width) {
    float s = 0.0f;
    for (int64_t r = 0; r < rows; ++r) s += x[r * width + j];
    out[j] += s;
  }
}

__global__ void copy_columns_kernel(int64_t rows, int64_t width, const float *src, int64_t src_width, int64_t src_start, float *dst,
                                    int64_t dst_width, int64_t dst_start, int accumulate) {
  GRID_STRIDE(i, rows * width) {
    const int64_t r = i / width, j = i % width;
    const float v = src[r * src_width + src_start + j];
    float &d = dst[r * dst_width + dst_start + j];
    d = accumulate ? d + v : v;
  }
}

__global__ void gather_rows_kernel(int64_t rows, int64_t width, const float *table, const int32_t *indices, float *out) {
  GRID_STRIDE(i, rows * width) out[i] = table[static_cast<int64_t>(indices[i / width]) * width + i % width];
}

__global__ void one_hot_kernel(int64_t rows, int64_t width, const int32_t *indices, float *out) {
  GRID_STRIDE(i, rows * width) out[i] = indices[i / width] == static_cast<int32_t>(i % width) ? 1.0f : 0.0f;
}

// One thread per Philox block: both Box–Muller normals of the block (section 1's pairing).
__global__ void normal_kernel(int64_t n, uint64_t seed, const uint64_t *counter_ptr, float mean, float std, float *out) {
  const uint64_t counter = *counter_ptr;
  const int64_t blocks = dl::nn::blocks_covering(counter, n);
  GRID_STRIDE(k, blocks) {
    const uint64_t block = (counter >> 1) + static_cast<uint64_t>(k);
    const dl::Philox4 x = dl::philox_block(seed, block);
    const double r = sqrt(-2.0 * log(dl::uniform_from_bits(x.v[0], x.v[1])));
    double s, c;
    sincos(dl::kTwoPi * dl::uniform_from_bits(x.v[2], x.v[3]), &s, &c);
    const int64_t i0 = static_cast<int64_t>(2 * block - counter);
    if (i0 >= 0 && i0 < n) out[i0] = mean + std * static_cast<float>(r * c);
    if (i0 + 1 >= 0 && i0 + 1 < n) out[i0 + 1] = mean + std * static_cast<float>(r * s);
  }
}

__global__ void uniform_kernel(int64_t n, uint64_t seed, const uint64_t *counter_ptr, float lo, float hi, float *out) {
  const uint64_t counter = *counter_ptr;
  const double width = static_cast<double>(hi) - lo;
  GRID_STRIDE(k, dl::nn::blocks_covering(counter, n))
  dl::nn::for_each_uniform_in_blocks(seed, counter, n, k, 1, [&](int64_t i, double u) { out[i] = static_cast<float>(lo + width * u); });
}

__global__ void bias_activation_kernel(int64_t rows, int64_t out, const float *b, int act, float slope, float *y) {
  GRID_STRIDE(i, rows * out) y[i] = dl::nn::activate(act, slope, y[i] + (b != nullptr ? b[i % out] : 0.0f));
}

__global__ void activation_forward_kernel(int64_t n, int act, float slope, const float *x, float *y) {
  GRID_STRIDE(i, n) y[i] = dl::nn::activate(act, slope, x[i]);
}

__global__ void activation_backward_kernel(int64_t n, int act, float slope, const float *y, const float *dy, float *dx) {
  GRID_STRIDE(i, n) dx[i] = dy[i] * dl::nn::activation_slope_from_output(act, slope, y[i]);
}

// One thread per feature, rows in order, two passes in double (as the CPU library).
__global__ void batchnorm_stats_kernel(int64_t rows, int64_t f, const float *x, float *running_mean, float *running_var,
                                       float momentum, float eps, int training, float *saved_mean, float *saved_invstd) {
  GRID_STRIDE(j, f) {
    if (!training) {
      saved_mean[j] = running_mean[j];
      saved_invstd[j] = static_cast<float>(1.0 / sqrt(static_cast<double>(running_var[j]) + eps));
      continue;
    }
    double s = 0.0;
    for (int64_t r = 0; r < rows; ++r) s += x[r * f + j];
    const double mean = s / static_cast<double>(rows);
    double q = 0.0;
    for (int64_t r = 0; r < rows; ++r) q += (x[r * f + j] - mean) * (x[r * f + j] - mean);
    saved_mean[j] = static_cast<float>(mean);
    saved_invstd[j] = static_cast<float>(1.0 / sqrt(q / static_cast<double>(rows) + eps));
    running_mean[j] = static_cast<float>((1.0 - momentum) * running_mean[j] + momentum * mean);
    running_var[j] = static_cast<float>((1.0 - momentum) * running_var[j] + momentum * q / static_cast<double>(rows - 1));
  }
}

__global__ void batchnorm_apply_kernel(int64_t rows, int64_t f, const float *x, const float *gamma, const float *beta, const float *mean,
                                       const float *invstd, int act, float slope, float *y) {
  GRID_STRIDE(i, rows * f) {
    const int64_t j = i % f;
    y[i] = dl::nn::activate(act, slope, (x[i] - mean[j]) * invstd[j] * gamma[j] + beta[j]);
  }
}

// Per feature: Σg and Σg·x̂ (g = dy ⊙ act'(y)), kept in double for the dx pass.
__global__ void batchnorm_grad_stats_kernel(int64_t rows, int64_t f, const float *x, const float *mean, const float *invstd, const float *y,
                                            const float *dy, int act, float slope, double *sums, float *dgamma, float *dbeta) {
  GRID_STRIDE(j, f) {
    double sg = 0.0, sgx = 0.0;
    for (int64_t r = 0; r < rows; ++r) {
      const float g = dy[r * f + j] * dl::nn::activation_slope_from_output(act, slope, y[r * f + j]);
      sg += g;
      sgx += g * ((x[r * f + j] - mean[j]) * invstd[j]);
    }
    sums[j] = sg;
    sums[f + j] = sgx;
    if (dgamma == nullptr) continue;
    dgamma[j] += static_cast<float>(sgx);
    dbeta[j] += static_cast<float>(sg);
  }
}

__global__ void batchnorm_dx_kernel(int64_t rows, int64_t f, const float *x, const float *gamma, const float *mean, const float *invstd,
                                    const float *y, const float *dy, int training, int act, float slope, const double *sums, float *dx) {
  GRID_STRIDE(i, rows * f) {
    const int64_t j = i % f;
    const float g = dy[i] * dl::nn::activation_slope_from_output(act, slope, y[i]);
    const float scale = gamma[j] * invstd[j];
    if (!training) {
      dx[i] = scale * g;
    } else {
      const float xhat = (x[i] - mean[j]) * invstd[j];
      const double inv_rows = 1.0 / static_cast<double>(rows);
      dx[i] = scale * static_cast<float>(g - sums[j] * inv_rows - xhat * sums[f + j] * inv_rows);
    }
  }
}

__global__ void dropout_kernel(int64_t n, float p, uint64_t seed, const uint64_t *counter_ptr, const float *x, float *y, float *mask) {
  const uint64_t counter = *counter_ptr;
  const float keep_scale = 1.0f / (1.0f - p);
  GRID_STRIDE(k, dl::nn::blocks_covering(counter, n))
  dl::nn::for_each_uniform_in_blocks(seed, counter, n, k, 1, [&](int64_t i, double u) {
    const float m = u >= p ? keep_scale : 0.0f;
    mask[i] = m;
    y[i] = x[i] * m;
  });
}

bool valid_act(int act) { return act >= DL_ACT_IDENTITY && act <= DL_ACT_TANH; }

int advance(uint64_t *counter, int64_t n, const char *what) {
  advance_counter_kernel<<<1, 1, 0, stream()>>>(counter, static_cast<uint64_t>(n));
  return launched(what);
}

}  // namespace

extern "C" {

DL_API void *dl_nn_alloc(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(dl::gpu::device_mutex());
  if (dl::gpu::ensure_device("nn alloc") != DL_OK) return nullptr;
  void *p = nullptr;
  if (check(cudaMalloc(&p, bytes == 0 ? 1 : bytes), "nn alloc") != DL_OK) return nullptr;
  if (check(cudaMemsetAsync(p, 0, bytes, stream()), "nn alloc (zero)") != DL_OK || check(cudaStreamSynchronize(stream()), "nn alloc") != DL_OK) {
    cudaFree(p);
    return nullptr;
  }
  return p;
}

DL_API int dl_nn_free(void *buffer) {
  DL_NN_PROLOGUE("nn free");
  return check(cudaFree(buffer), "nn free");
}

DL_API void *dl_nn_offset(void *buffer, uint64_t bytes) { return static_cast<char *>(buffer) + bytes; }

DL_API int dl_nn_upload(void *dst, const void *src, uint64_t bytes) {
  DL_NN_PROLOGUE("nn upload");
  if (bytes == 0) return DL_OK;
  const int status = check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream()), "nn upload");
  return status != DL_OK ? status : check(cudaStreamSynchronize(stream()), "nn upload");
}

DL_API int dl_nn_download(void *dst, const void *src, uint64_t bytes) {
  DL_NN_PROLOGUE("nn download");
  if (bytes == 0) return DL_OK;
  const int status = check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream()), "nn download");
  return status != DL_OK ? status : check(cudaStreamSynchronize(stream()), "nn download");
}

DL_API int dl_nn_copy(void *dst, const void *src, uint64_t bytes) {
  DL_NN_PROLOGUE("nn copy");
  if (bytes == 0 || dst == src) return DL_OK;
  return check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream()), "nn copy");
}

DL_API int dl_nn_synchronize(void) {
  DL_NN_PROLOGUE("nn synchronize");
  return check(cudaStreamSynchronize(stream()), "nn synchronize");
}

DL_API int dl_nn_fill_f32(int64_t n, float value, float *x) {
  DL_NN_PROLOGUE("nn fill");
  fill_kernel<<<grid_for(n), kThreads, 0, stream()>>>(n, value, x);
  return launched("nn fill");
}

DL_API int dl_nn_axpy_f32(int64_t n, float alpha, const float *x, float *y) {
  DL_NN_PROLOGUE("nn axpy");
  axpy_kernel<<<grid_for(n), kThreads, 0, stream()>>>(n, alpha, x, y);
  return launched("nn axpy");
}

DL_API int dl_nn_mul_f32(int64_t n, const float *a, const float *b, float *out) {
  DL_NN_PROLOGUE("nn mul");
  mul_kernel<<<grid_for(n), kThreads, 0, stream()>>>(n, a, b, out);
  return launched("nn mul");
}

DL_API int dl_nn_sum_f32(int64_t n, const float *x, float scale, float *out) {
  DL_NN_PROLOGUE("nn sum");
  sum_kernel<<<1, kThreads, 0, stream()>>>(n, x, scale, out);
  return launched("nn sum");
}

DL_API int dl_nn_broadcast_rows(int64_t rows, int64_t width, const float *vec, float *out) {
  DL_NN_PROLOGUE("nn broadcast_rows");
  broadcast_rows_kernel<<<grid_for(rows * width), kThreads, 0, stream()>>>(rows, width, vec, out);
  return launched("nn broadcast_rows");
}

DL_API int dl_nn_column_sum(int64_t rows, int64_t width, const float *x, float *out) {
  DL_NN_PROLOGUE("nn column_sum");
  column_sum_kernel<<<grid_for(width), kThreads, 0, stream()>>>(rows, width, x, out);
  return launched("nn column_sum");
}

DL_API int dl_nn_copy_columns(int64_t rows, int64_t width, const float *src, int64_t src_width, int64_t src_start, float *dst,
                              int64_t dst_width, int64_t dst_start, int accumulate) {
  if (src_start < 0 || dst_start < 0 || src_start + width > src_width || dst_start + width > dst_width)
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn copy_columns: column range outside a matrix");
  DL_NN_PROLOGUE("nn copy_columns");
  copy_columns_kernel<<<grid_for(rows * width), kThreads, 0, stream()>>>(rows, width, src, src_width, src_start, dst, dst_width, dst_start,
                                                                       accumulate);
  return launched("nn copy_columns");
}

DL_API int dl_nn_gather_rows(int64_t rows, int64_t width, const float *table, const int32_t *indices, float *out) {
  DL_NN_PROLOGUE("nn gather_rows");
  gather_rows_kernel<<<grid_for(rows * width), kThreads, 0, stream()>>>(rows, width, table, indices, out);
  return launched("nn gather_rows");
}

DL_API int dl_nn_one_hot(int64_t rows, int64_t width, const int32_t *indices, float *out) {
  DL_NN_PROLOGUE("nn one_hot");
  one_hot_kernel<<<grid_for(rows * width), kThreads, 0, stream()>>>(rows, width, indices, out);
  return launched("nn one_hot");
}

DL_API int dl_nn_normal_f32(int64_t n, uint64_t seed, uint64_t *rng_counter, float mean, float std, float *out) {
  DL_NN_PROLOGUE("nn normal");
  normal_kernel<<<grid_for(n / 2 + 1), kThreads, 0, stream()>>>(n, seed, rng_counter, mean, std, out);
  const int status = launched("nn normal");
  return status != DL_OK ? status : advance(rng_counter, n, "nn normal");
}

DL_API int dl_nn_uniform_f32(int64_t n, uint64_t seed, uint64_t *rng_counter, float lo, float hi, float *out) {
  DL_NN_PROLOGUE("nn uniform");
  uniform_kernel<<<grid_for(n / 2 + 1), kThreads, 0, stream()>>>(n, seed, rng_counter, lo, hi, out);
  const int status = launched("nn uniform");
  return status != DL_OK ? status : advance(rng_counter, n, "nn uniform");
}

DL_API int dl_nn_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a, const float *b,
                          float beta, float *c) {
  DL_NN_PROLOGUE("nn gemm");
  return dl::gpu::gemm_device(trans_a != 0, trans_b != 0, m, n, k, alpha, a, b, beta, c, false);
}

DL_API int dl_nn_linear_forward(int64_t rows, int64_t in, int64_t out, const float *x, const float *w, const float *b, int act, float slope,
                                float *y) {
  if (rows < 0 || in < 1 || out < 1 || !valid_act(act))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn linear_forward: rows >= 0, in >= 1, out >= 1 and a known act needed");
  DL_NN_PROLOGUE("nn linear_forward");
  if (rows == 0) return DL_OK;
  const int status = dl::gpu::gemm_device(false, true, rows, out, in, 1.0f, x, w, 0.0f, y, false);
  if (status != DL_OK) return status;
  bias_activation_kernel<<<grid_for(rows * out), kThreads, 0, stream()>>>(rows, out, b, act, slope, y);
  return launched("nn linear_forward");
}

DL_API int dl_nn_linear_backward(int64_t rows, int64_t in, int64_t out, const float *x, const float *w, const float *y, const float *dy,
                                 int act, float slope, float *dz, float *dx, int64_t dx_cols, float *dw, float *db) {
  if (rows < 0 || in < 1 || out < 1 || !valid_act(act))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn linear_backward: rows >= 0, in >= 1, out >= 1 and a known act needed");
  if (dx != nullptr && (dx_cols < 1 || dx_cols > in))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn linear_backward: dx_cols must be in 1 .. in when dx is given");
  // dx_cols is a bound, not a request: this device's GEMM has no row strides, so it writes all
  // `in` columns of dx (the columns from dx_cols on are allowed to hold anything).
  DL_NN_PROLOGUE("nn linear_backward");
  if (rows == 0) return DL_OK;
  activation_backward_kernel<<<grid_for(rows * out), kThreads, 0, stream()>>>(rows * out, act, slope, y, dy, dz);
  int status = launched("nn linear_backward");
  if (status == DL_OK && db != nullptr) {
    column_sum_kernel<<<grid_for(out), kThreads, 0, stream()>>>(rows, out, dz, db);
    status = launched("nn linear_backward (bias)");
  }
  if (status == DL_OK && dw != nullptr) status = dl::gpu::gemm_device(true, false, out, in, rows, 1.0f, dz, x, 1.0f, dw, false);
  if (status == DL_OK && dx != nullptr) status = dl::gpu::gemm_device(false, false, rows, in, out, 1.0f, dz, w, 0.0f, dx, false);
  return status;
}

DL_API int dl_nn_activation_forward(int64_t n, int act, float slope, const float *x, float *y) {
  if (!valid_act(act)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn activation_forward: unknown act");
  DL_NN_PROLOGUE("nn activation_forward");
  activation_forward_kernel<<<grid_for(n), kThreads, 0, stream()>>>(n, act, slope, x, y);
  return launched("nn activation_forward");
}

DL_API int dl_nn_activation_backward(int64_t n, int act, float slope, const float *y, const float *dy, float *dx) {
  if (!valid_act(act)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn activation_backward: unknown act");
  DL_NN_PROLOGUE("nn activation_backward");
  activation_backward_kernel<<<grid_for(n), kThreads, 0, stream()>>>(n, act, slope, y, dy, dx);
  return launched("nn activation_backward");
}

DL_API int dl_nn_batchnorm_forward(int64_t rows, int64_t features, const float *x, const float *gamma, const float *beta,
                                   float *running_mean, float *running_var, float momentum, float eps, int training, int act, float slope,
                                   float *y, float *saved_mean, float *saved_invstd) {
  if (rows < 1 || features < 1 || !valid_act(act) || (training && rows < 2))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn batchnorm_forward: rows >= 1 (training: >= 2), features >= 1, known act");
  DL_NN_PROLOGUE("nn batchnorm_forward");
  batchnorm_stats_kernel<<<grid_for(features), kThreads, 0, stream()>>>(rows, features, x, running_mean, running_var, momentum, eps, training,
                                                                        saved_mean, saved_invstd);
  batchnorm_apply_kernel<<<grid_for(rows * features), kThreads, 0, stream()>>>(rows, features, x, gamma, beta, saved_mean, saved_invstd, act,
                                                                               slope, y);
  return launched("nn batchnorm_forward");
}

DL_API int dl_nn_batchnorm_backward(int64_t rows, int64_t features, const float *x, const float *gamma, const float *saved_mean,
                                    const float *saved_invstd, const float *y, const float *dy, int training, int act, float slope,
                                    float *dx, float *dgamma, float *dbeta) {
  if (rows < 1 || features < 1 || !valid_act(act))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn batchnorm_backward: rows >= 1, features >= 1, known act");
  DL_NN_PROLOGUE("nn batchnorm_backward");
  int status = DL_OK;
  double *sums = static_cast<double *>(dl::gpu::scratch(dl::gpu::kSlotH, static_cast<size_t>(2 * features) * sizeof(double), status));
  if (sums == nullptr) return status;
  batchnorm_grad_stats_kernel<<<grid_for(features), kThreads, 0, stream()>>>(rows, features, x, saved_mean, saved_invstd, y, dy, act, slope,
                                                                             sums, dgamma, dbeta);
  if (dx != nullptr)
    batchnorm_dx_kernel<<<grid_for(rows * features), kThreads, 0, stream()>>>(rows, features, x, gamma, saved_mean, saved_invstd, y, dy,
                                                                              training, act, slope, sums, dx);
  return launched("nn batchnorm_backward");
}

DL_API int dl_nn_dropout_forward(int64_t n, float p, uint64_t seed, uint64_t *rng_counter, const float *x, float *y, float *mask) {
  if (!(p >= 0.0f && p < 1.0f)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn dropout: p must be in [0, 1)");
  DL_NN_PROLOGUE("nn dropout");
  dropout_kernel<<<grid_for(n / 2 + 1), kThreads, 0, stream()>>>(n, p, seed, rng_counter, x, y, mask);
  const int status = launched("nn dropout");
  return status != DL_OK ? status : advance(rng_counter, n, "nn dropout");
}

}  // extern "C"
