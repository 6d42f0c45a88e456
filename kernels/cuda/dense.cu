// CUDA kernels over dense arrays: Philox streams, float32 GEMM (cuBLAS or own) and federated
// update aggregation. The device-resident timings of the GPU check are in timing.cu.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../common/argument_checks.hpp"
#include "../common/last_error.hpp"
#include "../common/philox.hpp"
#include "../include/datalab_kernels.h"
#include "runtime.cuh"

namespace dl {
namespace gpu {
namespace dense {

constexpr int kThreads = 256;

__device__ __forceinline__ void device_normal_pair(uint64_t seed, uint64_t block, double &z0, double &z1) {
  auto log_ = [](double v) { return log(v); };
  auto sqrt_ = [](double v) { return sqrt(v); };
  auto sincos_ = [](double v, double &s, double &c) { sincos(v, &s, &c); };
  normal_pair_from_block(philox_block(seed, block), z0, z1, log_, sqrt_, sincos_);
}

// One thread per Philox block q (draws 2q and 2q+1), writing those inside [counter, counter+n).
__global__ void philox_kernel(uint64_t seed, uint64_t counter, double *out, int64_t n, int normal) {
  const uint64_t first_block = counter >> 1;
  const uint64_t blocks = ((counter + static_cast<uint64_t>(n) - 1) >> 1) - first_block + 1;
  for (uint64_t t = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; t < blocks;
       t += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    const uint64_t q = first_block + t;
    double v0, v1;
    if (normal) {
      device_normal_pair(seed, q, v0, v1);
    } else {
      const Philox4 x = philox_block(seed, q);
      v0 = uniform_from_bits(x.v[0], x.v[1]);
      v1 = uniform_from_bits(x.v[2], x.v[3]);
    }
    const int64_t i0 = static_cast<int64_t>(2 * q - counter);
    if (i0 >= 0 && i0 < n) out[i0] = v0;
    if (i0 + 1 >= 0 && i0 + 1 < n) out[i0 + 1] = v1;
  }
}

int grid_for(int64_t work) {
  const int64_t blocks = (work + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < 65535 * 16 ? (blocks < 1 ? 1 : blocks) : 65535 * 16);
}

int philox_fill(uint64_t seed, uint64_t counter, double *host_out, size_t n, int normal, const char *what) {
  const std::string problem = philox_out_problem(host_out, n);
  if (!problem.empty()) return fail(DL_ERR_INVALID_ARGUMENT, std::string(what) + ": " + problem);
  std::lock_guard<std::mutex> lock(device_mutex());
  int status = ensure_device(what);
  if (status != DL_OK || n == 0) return status;
  double *out = static_cast<double *>(scratch(kSlotA, n * sizeof(double), status));
  if (out == nullptr) return status;
  philox_kernel<<<grid_for(static_cast<int64_t>(n / 2 + 2)), kThreads, 0, stream()>>>(seed, counter, out,
                                                                                     static_cast<int64_t>(n), normal);
  status = check(cudaGetLastError(), what);
  if (status != DL_OK) return status;
  status = check(cudaMemcpyAsync(host_out, out, n * sizeof(double), cudaMemcpyDeviceToHost, stream()), what);
  if (status != DL_OK) return status;
  return check(cudaStreamSynchronize(stream()), what);
}

// ---- own GEMM: 128x128 block tile, BK = 8, 256 threads, 8x8 outputs per thread ---------------
// Each thread owns rows {ty*4 + i, 64 + ty*4 + i} and columns {tx*4 + j, 64 + tx*4 + j}, so its
// shared-memory reads are float4 vectors that a quarter-warp reads without bank conflicts.
constexpr int kBM = 128, kBN = 128, kBK = 8, kPad = 4;
constexpr int kLoadsPerThread = kBM * kBK / 256;  // elements of each tile a thread stages

template <bool TA, bool TB>
__global__ void __launch_bounds__(256) sgemm_tiled(int64_t m, int64_t n, int64_t k, float alpha, const float *__restrict__ a,
                                                   const float *__restrict__ b, float beta, float *__restrict__ c) {
  __shared__ __align__(16) float as[kBK][kBM + kPad];
  __shared__ __align__(16) float bs[kBK][kBN + kPad];
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t row0 = static_cast<int64_t>(blockIdx.y) * kBM, col0 = static_cast<int64_t>(blockIdx.x) * kBN;
  float acc[8][8];
#pragma unroll
  for (int i = 0; i < 8; ++i)
#pragma unroll
    for (int j = 0; j < 8; ++j) acc[i][j] = 0.0f;

  for (int64_t k0 = 0; k0 < k; k0 += kBK) {
#pragma unroll
    for (int e = 0; e < kLoadsPerThread; ++e) {
      const int idx = tid + e * 256;
      // Consecutive threads walk the contiguous dimension of each stored layout (coalesced).
      const int r = TA ? idx % kBM : idx / kBK;
      const int kk = TA ? idx / kBM : idx % kBK;
      const int64_t gr = row0 + r, gk = k0 + kk;
      as[kk][r] = (gr < m && gk < k) ? (TA ? a[gk * m + gr] : a[gr * k + gk]) : 0.0f;
      const int cc = TB ? idx / kBK : idx % kBN;
      const int kb = TB ? idx % kBK : idx / kBN;
      const int64_t gc = col0 + cc, gkb = k0 + kb;
      bs[kb][cc] = (gc < n && gkb < k) ? (TB ? b[gc * k + gkb] : b[gkb * n + gc]) : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kBK; ++kk) {
      const float4 a0 = *reinterpret_cast<const float4 *>(&as[kk][ty * 4]);
      const float4 a1 = *reinterpret_cast<const float4 *>(&as[kk][64 + ty * 4]);
      const float4 b0 = *reinterpret_cast<const float4 *>(&bs[kk][tx * 4]);
      const float4 b1 = *reinterpret_cast<const float4 *>(&bs[kk][64 + tx * 4]);
      const float av[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
      const float bv[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
      for (int i = 0; i < 8; ++i)
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    const int64_t r = row0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + (i - 4));
    if (r >= m) continue;
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      const int64_t col = col0 + (j < 4 ? tx * 4 + j : 64 + tx * 4 + (j - 4));
      if (col >= n) continue;
      float *dst = c + r * n + col;
      *dst = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *dst;
    }
  }
}

__global__ void scale_kernel(float *c, int64_t count, float beta) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    c[i] = beta == 0.0f ? 0.0f : beta * c[i];
}

// Dispatch on device pointers: cuBLAS when loaded (and sizes fit its int32 API), else own.
int gemm_device_impl(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a, const float *b,
                float beta, float *c, bool force_own) {
  if (m == 0 || n == 0) return DL_OK;
  if (k == 0 || alpha == 0.0f) {
    scale_kernel<<<grid_for(m * n), kThreads, 0, stream()>>>(c, m * n, beta);
    return check(cudaGetLastError(), "gemm (scale)");
  }
  const bool fits_int = m < (1ll << 31) && n < (1ll << 31) && k < (1ll << 31);
  if (!force_own && !own_gemm_forced() && cublas_ready() && fits_int)
    return cublas_sgemm_row_major(ta, tb, m, n, k, alpha, a, b, beta, c);
  return own_sgemm(ta, tb, m, n, k, alpha, a, b, beta, c);
}

// ---- aggregation ---------------------------------------------------------------------------
// Pass 1: sum of squares of each update (double), blocks over (column chunk, update).
__global__ void sum_squares_kernel(const float *__restrict__ updates, int64_t k, int64_t n, double *__restrict__ sums) {
  __shared__ double warp_sums[kThreads / 32];
  for (int64_t u = blockIdx.y; u < k; u += gridDim.y) {
    const float *row = updates + u * n;
    double s = 0.0;
    for (int64_t j = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; j < n;
         j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
      const double v = row[j];
      s += v * v;
    }
    for (int offset = 16; offset > 0; offset >>= 1) s += __shfl_down_sync(0xffffffffu, s, offset);
    if ((threadIdx.x & 31) == 0) warp_sums[threadIdx.x / 32] = s;
    __syncthreads();
    if (threadIdx.x == 0) {
      double total = 0.0;
      for (int w = 0; w < kThreads / 32; ++w) total += warp_sums[w];
      atomicAdd(sums + u, total);
    }
    __syncthreads();
  }
}

// coef_u = weight_u * min(1, clip / norm_u) (clip <= 0 or +inf: no clipping).
__global__ void clip_coefficients_kernel(const float *__restrict__ weights, const double *__restrict__ sums, int64_t k,
                                         double clip, double *__restrict__ coef) {
  for (int64_t u = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; u < k;
       u += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const double norm = sqrt(sums[u]);
    const bool clipping = clip > 0 && isfinite(clip);
    coef[u] = static_cast<double>(weights[u]) * (clipping && norm > clip ? clip / norm : 1.0);
  }
}

// Pass 2: out = sum_u coef_u u + noise_std N(0,1), one thread per Philox block (2 columns);
// a warp reads 64 consecutive floats of each update (coalesced), the output is written once.
__global__ void combine_kernel(const float *__restrict__ updates, int64_t k, int64_t n, const double *__restrict__ coef,
                               double noise_std, uint64_t seed, uint64_t counter, float *__restrict__ out) {
  const uint64_t first_block = counter >> 1;
  const uint64_t blocks = n == 0 ? 0 : ((counter + static_cast<uint64_t>(n) - 1) >> 1) - first_block + 1;
  for (uint64_t t = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; t < blocks;
       t += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    const uint64_t q = first_block + t;
    const int64_t j0 = static_cast<int64_t>(2 * q - counter);
    double acc0 = 0.0, acc1 = 0.0;
    for (int64_t u = 0; u < k; ++u) {
      const float *row = updates + u * n;
      const double w = __ldg(coef + u);
      if (j0 >= 0) acc0 += w * row[j0];
      if (j0 + 1 < n) acc1 += w * row[j0 + 1];
    }
    if (noise_std > 0) {
      double z0, z1;
      device_normal_pair(seed, q, z0, z1);
      acc0 += noise_std * z0;
      acc1 += noise_std * z1;
    }
    if (j0 >= 0) out[j0] = static_cast<float>(acc0);
    if (j0 + 1 < n) out[j0 + 1] = static_cast<float>(acc1);
  }
}

// `sums` holds 2k doubles: sums of squares, then the clip coefficients.
int aggregate_device_impl(const float *updates, int64_t k, int64_t n, const float *weights, double clip, double noise_std,
                     uint64_t seed, uint64_t counter, float *out, double *sums) {
  int status = check(cudaMemsetAsync(sums, 0, static_cast<size_t>(k > 0 ? k : 1) * sizeof(double), stream()), "aggregate");
  if (status != DL_OK) return status;
  double *coef = sums + k;
  if (k > 0 && n > 0) {
    const int chunks = static_cast<int>(std::min<int64_t>((n + kThreads * 8 - 1) / (kThreads * 8), 4096));
    const unsigned ys = static_cast<unsigned>(std::min<int64_t>(k, 65535));
    sum_squares_kernel<<<dim3(chunks, ys), kThreads, 0, stream()>>>(updates, k, n, sums);
    status = check(cudaGetLastError(), "aggregate (norms)");
    if (status != DL_OK) return status;
  }
  if (k > 0) {
    clip_coefficients_kernel<<<grid_for(k), kThreads, 0, stream()>>>(weights, sums, k, clip, coef);
    status = check(cudaGetLastError(), "aggregate (clip)");
    if (status != DL_OK) return status;
  }
  if (n > 0) {
    combine_kernel<<<grid_for(n / 2 + 2), kThreads, 0, stream()>>>(updates, k, n, coef, noise_std, seed, counter, out);
    status = check(cudaGetLastError(), "aggregate (combine)");
  }
  return status;
}

// Test data for the device-resident timings: U(-0.5, 0.5) from the Philox stream.
__global__ void fill_uniform_f32(float *x, int64_t count, uint64_t seed) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const dl::Philox4 r = dl::philox_block(seed, static_cast<uint64_t>(i));
    x[i] = static_cast<float>(dl::uniform_from_bits(r.v[0], r.v[1])) - 0.5f;
  }
}

}  // namespace dense
using namespace dense;

int gemm_device(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a, const float *b,
                float beta, float *c, bool force_own) {
  return gemm_device_impl(ta, tb, m, n, k, alpha, a, b, beta, c, force_own);
}

int aggregate_device(const float *updates, int64_t k, int64_t n, const float *weights, double clip, double noise_std,
                     uint64_t seed, uint64_t counter, float *out, double *sums) {
  return aggregate_device_impl(updates, k, n, weights, clip, noise_std, seed, counter, out, sums);
}

int fill_uniform_device(float *x, int64_t count, uint64_t seed) {
  fill_uniform_f32<<<grid_for(count), kThreads, 0, stream()>>>(x, count, seed);
  return check(cudaGetLastError(), "fill_uniform_device");
}

int own_sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float *a, const float *b,
              float beta, float *c) {
  const dim3 grid(static_cast<unsigned>((n + kBN - 1) / kBN), static_cast<unsigned>((m + kBM - 1) / kBM));
  if (grid.y > 65535) return fail(DL_ERR_INVALID_ARGUMENT, "gemm: m too large for the own kernel's grid (max 8388480)");
  if (!ta && !tb) sgemm_tiled<false, false><<<grid, 256, 0, stream()>>>(m, n, k, alpha, a, b, beta, c);
  else if (ta && !tb) sgemm_tiled<true, false><<<grid, 256, 0, stream()>>>(m, n, k, alpha, a, b, beta, c);
  else if (!ta && tb) sgemm_tiled<false, true><<<grid, 256, 0, stream()>>>(m, n, k, alpha, a, b, beta, c);
  else sgemm_tiled<true, true><<<grid, 256, 0, stream()>>>(m, n, k, alpha, a, b, beta, c);
  return check(cudaGetLastError(), "gemm (own kernel)");
}

}  // namespace gpu
}  // namespace dl

using namespace dl::gpu;

extern "C" {

DL_API int dl_philox_uniform_f64(uint64_t seed, uint64_t counter, double *out, size_t n) {
  return philox_fill(seed, counter, out, n, 0, "philox_uniform");
}

DL_API int dl_philox_normal_f64(uint64_t seed, uint64_t counter, double *out, size_t n) {
  return philox_fill(seed, counter, out, n, 1, "philox_normal");
}

DL_API int dl_philox4x32_raw(uint32_t key0, uint32_t key1, const uint32_t ctr_in[4], uint32_t *out, size_t blocks) {
  return dl::philox4x32_raw_host(key0, key1, ctr_in, out, blocks);
}

DL_API int dl_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                       const float *b, float beta, float *c) {
  const std::string problem = dl::gemm_problem(m, n, k, a, b, c);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "gemm: " + problem);
  std::lock_guard<std::mutex> lock(device_mutex());
  int status = ensure_device("gemm");
  if (status != DL_OK || m == 0 || n == 0) return status;
  const size_t bytes_a = static_cast<size_t>(m * k) * 4, bytes_b = static_cast<size_t>(k * n) * 4,
               bytes_c = static_cast<size_t>(m * n) * 4;
  const float *da = static_cast<const float *>(upload(kSlotA, a, bytes_a, status));
  if (da == nullptr) return status;
  const float *db = static_cast<const float *>(upload(kSlotB, b, bytes_b, status));
  if (db == nullptr) return status;
  // C is read only when beta != 0 (beta = 0 ignores it, NaN included).
  float *dc = static_cast<float *>(beta != 0.0f ? upload(kSlotC, c, bytes_c, status) : scratch(kSlotC, bytes_c, status));
  if (dc == nullptr) return status;
  status = gemm_device(trans_a != 0, trans_b != 0, m, n, k, alpha, da, db, beta, dc, false);
  if (status != DL_OK) return status;
  status = check(cudaMemcpyAsync(c, dc, bytes_c, cudaMemcpyDeviceToHost, stream()), "gemm (copy back)");
  if (status != DL_OK) return status;
  return check(cudaStreamSynchronize(stream()), "gemm");
}

DL_API int dl_aggregate_updates(const float *updates, int64_t k, int64_t n, const float *weights, double clip,
                                double noise_std, uint64_t seed, uint64_t counter, float *out, float *norms_out) {
  const std::string problem = dl::aggregate_problem(updates, k, n, weights, clip, noise_std, out, norms_out);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "aggregate_updates: " + problem);
  std::lock_guard<std::mutex> lock(device_mutex());
  int status = ensure_device("aggregate_updates");
  if (status != DL_OK) return status;
  const float *du = static_cast<const float *>(upload(kSlotA, updates, static_cast<size_t>(k * n) * 4, status));
  if (du == nullptr) return status;
  const float *dw = static_cast<const float *>(upload(kSlotB, weights, static_cast<size_t>(k) * 4, status));
  if (dw == nullptr) return status;
  float *dout = static_cast<float *>(scratch(kSlotC, static_cast<size_t>(n) * 4, status));
  if (dout == nullptr) return status;
  double *sums = static_cast<double *>(scratch(kSlotD, static_cast<size_t>(k > 0 ? 2 * k : 1) * 8, status));
  if (sums == nullptr) return status;
  status = aggregate_device(du, k, n, dw, clip, noise_std, seed, counter, dout, sums);
  if (status != DL_OK) return status;
  std::vector<double> host_sums(static_cast<size_t>(k));
  if (k > 0) {
    status = check(cudaMemcpyAsync(host_sums.data(), sums, static_cast<size_t>(k) * 8, cudaMemcpyDeviceToHost, stream()), "aggregate (norms back)");
    if (status != DL_OK) return status;
  }
  if (n > 0) {
    status = check(cudaMemcpyAsync(out, dout, static_cast<size_t>(n) * 4, cudaMemcpyDeviceToHost, stream()), "aggregate (copy back)");
    if (status != DL_OK) return status;
  }
  status = check(cudaStreamSynchronize(stream()), "aggregate_updates");
  for (int64_t u = 0; u < k; ++u) norms_out[u] = static_cast<float>(std::sqrt(host_sums[static_cast<size_t>(u)]));
  return status;
}

}  // extern "C"

