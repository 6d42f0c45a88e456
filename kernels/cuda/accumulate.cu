// Streaming update aggregation on the GPU (section 5b of the header). The ABI takes host arrays,
// like dl_aggregate_updates: inputs are copied in, the result copied back. dl_sum_squares_f32
// reduces in double: strided sums per thread, a fixed tree per block, the blocks added in order
// on the host, so the same input gives the same bits run after run (not bit-equal to the CPU
// library's 8 lanes; both are within the float64 reference's bound).
#include <algorithm>
#include <string>

#include "../common/last_error.hpp"
#include "../include/datalab_kernels.h"
#include "runtime.cuh"

namespace dl {
namespace gpu {
namespace accumulate {

constexpr int kThreads = 256;
constexpr int kMaxBlocks = 1024;

// Per block: a fixed-order tree over the block's strided partial sums, written to partial[block].
__global__ void sum_squares_kernel(const float *__restrict__ x, int64_t n, double *__restrict__ partial) {
  __shared__ double shared[kThreads];
  double s = 0.0;
  for (int64_t j = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; j < n;
       j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const double v = static_cast<double>(x[j]);
    s += v * v;
  }
  shared[threadIdx.x] = s;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) shared[threadIdx.x] += shared[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = shared[0];
}

// acc_j = (float)(acc_j + Σ_u coef_u u_uj): a warp reads 32 consecutive floats of each row.
__global__ void accumulate_kernel(float *__restrict__ acc, const float *__restrict__ updates, int64_t k, int64_t n,
                                  const double *__restrict__ coef) {
  for (int64_t j = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; j < n;
       j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    double sum = static_cast<double>(acc[j]);
    for (int64_t u = 0; u < k; ++u) sum += __ldg(coef + u) * static_cast<double>(updates[u * n + j]);
    acc[j] = static_cast<float>(sum);
  }
}

int blocks_for(int64_t n) {
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>((n + kThreads - 1) / kThreads, kMaxBlocks)));
}

}  // namespace accumulate
}  // namespace gpu
}  // namespace dl

using namespace dl::gpu;

extern "C" {

DL_API int dl_sum_squares_f32(const float *x, int64_t n, double *sum_squares_out) {
  if (n < 0) return dl::fail(DL_ERR_INVALID_ARGUMENT, "sum_squares_f32: n must be >= 0, got " + std::to_string(n));
  if (sum_squares_out == nullptr || (n > 0 && x == nullptr))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "sum_squares_f32: x and sum_squares_out must not be null");
  if (n == 0) {
    *sum_squares_out = 0.0;
    return DL_OK;
  }
  std::lock_guard<std::mutex> lock(device_mutex());
  int status = ensure_device("sum_squares_f32");
  if (status != DL_OK) return status;
  const float *dx = static_cast<const float *>(upload(kSlotA, x, static_cast<size_t>(n) * 4, status));
  if (dx == nullptr) return status;
  const int blocks = accumulate::blocks_for(n);
  double *partial = static_cast<double *>(scratch(kSlotB, static_cast<size_t>(blocks) * 8, status));
  if (partial == nullptr) return status;
  accumulate::sum_squares_kernel<<<blocks, accumulate::kThreads, 0, stream()>>>(dx, n, partial);
  status = check(cudaGetLastError(), "sum_squares_f32");
  if (status != DL_OK) return status;
  double host[accumulate::kMaxBlocks];
  status = check(cudaMemcpyAsync(host, partial, static_cast<size_t>(blocks) * 8, cudaMemcpyDeviceToHost, stream()), "sum_squares_f32 (copy back)");
  if (status != DL_OK) return status;
  status = check(cudaStreamSynchronize(stream()), "sum_squares_f32");
  if (status != DL_OK) return status;
  double total = 0.0;
  for (int b = 0; b < blocks; ++b) total += host[b];
  *sum_squares_out = total;
  return DL_OK;
}

DL_API int dl_accumulate_scaled_f32(float *acc, const float *updates, int64_t k, int64_t n, const double *coef) {
  if (k < 0 || n < 0)
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "accumulate_scaled_f32: k and n must be >= 0, got k=" + std::to_string(k) + " n=" + std::to_string(n));
  if (n > 0 && acc == nullptr) return dl::fail(DL_ERR_INVALID_ARGUMENT, "accumulate_scaled_f32: acc must not be null");
  if (k > 0 && n > 0 && (updates == nullptr || coef == nullptr))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "accumulate_scaled_f32: updates and coef must not be null");
  if (k == 0 || n == 0) return DL_OK;
  std::lock_guard<std::mutex> lock(device_mutex());
  int status = ensure_device("accumulate_scaled_f32");
  if (status != DL_OK) return status;
  float *dacc = static_cast<float *>(upload(kSlotA, acc, static_cast<size_t>(n) * 4, status));
  if (dacc == nullptr) return status;
  const float *du = static_cast<const float *>(upload(kSlotB, updates, static_cast<size_t>(k * n) * 4, status));
  if (du == nullptr) return status;
  const double *dcoef = static_cast<const double *>(upload(kSlotC, coef, static_cast<size_t>(k) * 8, status));
  if (dcoef == nullptr) return status;
  accumulate::accumulate_kernel<<<accumulate::blocks_for(n), accumulate::kThreads, 0, stream()>>>(dacc, du, k, n, dcoef);
  status = check(cudaGetLastError(), "accumulate_scaled_f32");
  if (status != DL_OK) return status;
  status = check(cudaMemcpyAsync(acc, dacc, static_cast<size_t>(n) * 4, cudaMemcpyDeviceToHost, stream()), "accumulate_scaled_f32 (copy back)");
  if (status != DL_OK) return status;
  return check(cudaStreamSynchronize(stream()), "accumulate_scaled_f32");
}

}  // extern "C"
