// CUDA kernels over tables: the Gaussian-copula sampling pass and exact mixed-type nearest
// neighbours. Host-side preparation and the final float64 re-scoring are the shared code of
// kernels/common, so CPU and GPU pick the same winners from bit-identical float32 sums.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "../common/argument_checks.hpp"
#include "../common/copula_math.hpp"
#include "../common/copula_validate.hpp"
#include "../common/last_error.hpp"
#include "../common/mixed_rows.hpp"
#include "../common/philox.hpp"
#include "../include/datalab_kernels.h"
#include "runtime.cuh"

namespace dl {
namespace gpu {
namespace tabular {

constexpr int kThreads = 256;

int grid_for(int64_t work) {
  const int64_t blocks = (work + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < 65535 * 16 ? (blocks < 1 ? 1 : blocks) : 65535 * 16);
}

// ---- copula ------------------------------------------------------------------------------
// Normals of positions [(offset) d, (offset + rows) d) into eps (column-major rows x d), one
// thread per Philox block.
__global__ void copula_normals_kernel(int64_t rows, int64_t d, uint64_t seed, uint64_t counter_offset, double *eps) {
  const uint64_t p_begin = counter_offset * static_cast<uint64_t>(d);
  const uint64_t total = static_cast<uint64_t>(rows) * static_cast<uint64_t>(d);
  const uint64_t first_block = p_begin >> 1;
  const uint64_t blocks = ((p_begin + total - 1) >> 1) - first_block + 1;
  for (uint64_t t = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; t < blocks;
       t += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    const uint64_t q = first_block + t;
    double z[2];
    auto log_ = [](double v) { return log(v); };
    auto sqrt_ = [](double v) { return sqrt(v); };
    auto sincos_ = [](double v, double &s, double &c) { sincos(v, &s, &c); };
    normal_pair_from_block(philox_block(seed, q), z[0], z[1], log_, sqrt_, sincos_);
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const uint64_t p = 2 * q + h;
      if (p < p_begin || p >= p_begin + total) continue;
      const uint64_t local = p - p_begin;
      const int64_t row = static_cast<int64_t>(local / static_cast<uint64_t>(d));
      const int64_t col = static_cast<int64_t>(local % static_cast<uint64_t>(d));
      eps[col * rows + row] = z[h];
    }
  }
}

struct DeviceColumns {
  const int32_t *kind;
  const int64_t *offset;
  const int64_t *length;
  const double *tables;
  const double *z_min;
  const double *z_max;
};

// One thread per row: z = mean + L eps, then the column's inverse marginal (or z itself).
__global__ void copula_rows_kernel(int64_t rows, int64_t d, const double *__restrict__ chol,
                                   const double *__restrict__ mean, const double *__restrict__ eps, DeviceColumns cols,
                                   int with_columns, double *__restrict__ out) {
  for (int64_t r = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; r < rows;
       r += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    for (int64_t i = 0; i < d; ++i) {
      double s = 0.0;
      for (int64_t j = 0; j <= i; ++j) s += __ldg(chol + i * d + j) * eps[j * rows + r];
      // Same association as the CPU: the mean is added after the dot product.
      const double z = mean != nullptr ? mean[r * d + i] + s : s;
      double value = z;
      if (with_columns) {
        const double *table = cols.tables + cols.offset[i];
        value = cols.kind[i] == DL_COLUMN_NUMERIC
                    ? interpolate_table(table, cols.length[i], cols.z_min[i], cols.z_max[i], z)
                    : categorical_index(table, cols.length[i], z);
      }
      out[i * rows + r] = value;
    }
  }
}

int copula_pass(int64_t rows, int64_t d, const double *cholesky, const double *mean, const int32_t *kind,
                const int64_t *table_offset, const int64_t *table_length, const double *tables, int64_t tables_total,
                const double *z_min, const double *z_max, uint64_t seed, uint64_t counter_offset, double *out,
                bool with_columns, const char *what) {
  std::lock_guard<std::mutex> lock(device_mutex());
  int status = ensure_device(what);
  if (status != DL_OK || rows == 0) return status;
  const size_t cells = static_cast<size_t>(rows * d);
  const double *dchol = static_cast<const double *>(upload(kSlotA, cholesky, static_cast<size_t>(d * d) * 8, status));
  if (dchol == nullptr) return status;
  const double *dmean = nullptr;
  if (mean != nullptr) {
    dmean = static_cast<const double *>(upload(kSlotB, mean, cells * 8, status));
    if (dmean == nullptr) return status;
  }
  double *eps = static_cast<double *>(scratch(kSlotC, cells * 8, status));
  if (eps == nullptr) return status;
  double *dout = static_cast<double *>(scratch(kSlotD, cells * 8, status));
  if (dout == nullptr) return status;
  DeviceColumns cols{};
  if (with_columns) {
    // One upload for the small per-column descriptions: kind, offset, length, z_min, z_max.
    std::vector<char> packed(static_cast<size_t>(d) * (4 + 8 + 8 + 8 + 8) + 64);
    size_t at = 0;
    auto put = [&](const void *src, size_t bytes) {
      at = (at + 7) / 8 * 8;
      std::memcpy(packed.data() + at, src, bytes);
      const size_t where = at;
      at += bytes;
      return where;
    };
    const size_t o_kind = put(kind, static_cast<size_t>(d) * 4), o_off = put(table_offset, static_cast<size_t>(d) * 8),
                 o_len = put(table_length, static_cast<size_t>(d) * 8), o_min = put(z_min, static_cast<size_t>(d) * 8),
                 o_max = put(z_max, static_cast<size_t>(d) * 8);
    char *dpacked = static_cast<char *>(upload(kSlotE, packed.data(), at, status));
    if (dpacked == nullptr) return status;
    const double *dtables = static_cast<const double *>(upload(kSlotF, tables, static_cast<size_t>(tables_total) * 8, status));
    if (dtables == nullptr) return status;
    cols = DeviceColumns{reinterpret_cast<const int32_t *>(dpacked + o_kind), reinterpret_cast<const int64_t *>(dpacked + o_off),
                         reinterpret_cast<const int64_t *>(dpacked + o_len), dtables,
                         reinterpret_cast<const double *>(dpacked + o_min), reinterpret_cast<const double *>(dpacked + o_max)};
  }
  copula_normals_kernel<<<grid_for(static_cast<int64_t>(cells / 2 + 2)), kThreads, 0, stream()>>>(rows, d, seed,
                                                                                                 counter_offset, eps);
  status = check(cudaGetLastError(), what);
  if (status != DL_OK) return status;
  copula_rows_kernel<<<grid_for(rows), kThreads, 0, stream()>>>(rows, d, dchol, dmean, eps, cols, with_columns ? 1 : 0, dout);
  status = check(cudaGetLastError(), what);
  if (status != DL_OK) return status;
  status = check(cudaMemcpyAsync(out, dout, cells * 8, cudaMemcpyDeviceToHost, stream()), what);
  if (status != DL_OK) return status;
  return check(cudaStreamSynchronize(stream()), what);
}

// ---- nearest neighbours --------------------------------------------------------------------
constexpr int kSlots = 3;  // float32 candidates kept per A row (k <= 2, plus one)
static_assert(kSlots <= dl::kMaxCandidates, "TopK holds the device's candidates");

// Inserts (s, j) into the ascending top-3 (s < d2 is checked by the caller; ties keep the lower index).
__device__ __forceinline__ void offer3(float s, int32_t j, float &d0, float &d1, float &d2, int32_t &i0, int32_t &i1,
                                       int32_t &i2) {
  if (s < d1) {
    d2 = d1, i2 = i1;
    if (s < d0) {
      d1 = d0, i1 = i0;
      d0 = s, i0 = j;
    } else {
      d1 = s, i1 = j;
    }
  } else {
    d2 = s, i2 = j;
  }
}

// Each thread keeps R rows of A in registers (D <= MAXD) and a running top-3 of float32 sums
// for each (k <= 2 plus one, so the host sees whether the k-th best has a near-tie); the block
// streams B through shared memory in tiles of TB rows (column-major). The float32 sums are
// formed in the same order as the CPU kernel (c = 0..D-1 from 0.0f, no FMA possible); the host
// (finalize_topk) picks the winners in float64, rescanning rows with more near-ties than slots.
template <int MAXD, int R, int TB>
__global__ void __launch_bounds__(kThreads) nearest_kernel(const float *__restrict__ fa, int64_t rows_a,
                                                          const float *__restrict__ fb, int64_t padded_b,
                                                          int64_t rows_b, int d, int k, int exclude_same,
                                                          float *__restrict__ best_sum, int32_t *__restrict__ best_index) {
  __shared__ float tile[MAXD][TB];
  float a[R][MAXD];
  float d0[R], d1[R], d2[R];
  int32_t i0[R], i1[R], i2[R];
  int64_t arow[R];
#pragma unroll
  for (int r = 0; r < R; ++r) {
    arow[r] = (static_cast<int64_t>(blockIdx.x) * R + r) * blockDim.x + threadIdx.x;
    const bool real = arow[r] < rows_a;
#pragma unroll
    for (int c = 0; c < MAXD; ++c) a[r][c] = (real && c < d) ? fa[arow[r] * d + c] : 0.0f;
    d0[r] = d1[r] = d2[r] = 3.402823466e38f;
    i0[r] = i1[r] = i2[r] = -1;
  }
  for (int64_t t0 = 0; t0 < rows_b; t0 += TB) {
    for (int idx = threadIdx.x; idx < d * TB; idx += blockDim.x) {
      const int c = idx / TB, j = idx % TB;
      tile[c][j] = t0 + j < padded_b ? fb[c * padded_b + t0 + j] : 0.0f;
    }
    __syncthreads();
    const int jmax = static_cast<int>(rows_b - t0 < TB ? rows_b - t0 : TB);
    for (int j = 0; j < jmax; ++j) {
      float s[R];
#pragma unroll
      for (int r = 0; r < R; ++r) s[r] = 0.0f;
#pragma unroll
      for (int c = 0; c < MAXD; ++c) {
        if (c < d) {
          const float bv = tile[c][j];
#pragma unroll
          for (int r = 0; r < R; ++r) s[r] = __fadd_rn(s[r], fminf(fabsf(__fsub_rn(bv, a[r][c])), 1.0f));
        }
      }
      const int32_t jj = static_cast<int32_t>(t0 + j);
#pragma unroll
      for (int r = 0; r < R; ++r) {
        if (s[r] < d2[r] && !(exclude_same && jj == arow[r])) offer3(s[r], jj, d0[r], d1[r], d2[r], i0[r], i1[r], i2[r]);
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int r = 0; r < R; ++r) {
    if (arow[r] >= rows_a) continue;
    best_sum[arow[r] * kSlots] = d0[r];
    best_sum[arow[r] * kSlots + 1] = d1[r];
    best_sum[arow[r] * kSlots + 2] = d2[r];
    best_index[arow[r] * kSlots] = i0[r];
    best_index[arow[r] * kSlots + 1] = i1[r];
    best_index[arow[r] * kSlots + 2] = i2[r];
  }
}

// Columns beyond 64: A row from global memory (cached), one row per thread.
template <int TB>
__global__ void __launch_bounds__(kThreads) nearest_kernel_wide(const float *__restrict__ fa, int64_t rows_a,
                                                               const float *__restrict__ fb, int64_t padded_b,
                                                               int64_t rows_b, int d, int k, int exclude_same,
                                                               float *__restrict__ best_sum,
                                                               int32_t *__restrict__ best_index) {
  const int64_t arow = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const float *a = fa + (arow < rows_a ? arow : 0) * d;
  float d0 = 3.402823466e38f, d1 = d0, d2 = d0;
  int32_t i0 = -1, i1 = -1, i2 = -1;
  for (int64_t j = 0; j < rows_b; ++j) {
    float s = 0.0f;
    for (int c = 0; c < d; ++c) s = __fadd_rn(s, fminf(fabsf(__fsub_rn(__ldg(fb + c * padded_b + j), __ldg(a + c))), 1.0f));
    const int32_t jj = static_cast<int32_t>(j);
    if (s < d2 && !(exclude_same && jj == arow)) offer3(s, jj, d0, d1, d2, i0, i1, i2);
  }
  if (arow >= rows_a) return;
  best_sum[arow * kSlots] = d0;
  best_sum[arow * kSlots + 1] = d1;
  best_sum[arow * kSlots + 2] = d2;
  best_index[arow * kSlots] = i0;
  best_index[arow * kSlots + 1] = i1;
  best_index[arow * kSlots + 2] = i2;
}

}  // namespace tabular
}  // namespace gpu
}  // namespace dl

using namespace dl::gpu;
using namespace dl::gpu::tabular;

extern "C" {

DL_API int dl_copula_sample(int64_t rows, int64_t d, const double *cholesky, const double *mean, const int32_t *kind,
                            const int64_t *table_offset, const int64_t *table_length, const double *tables,
                            int64_t tables_total, const double *z_min, const double *z_max, uint64_t seed,
                            uint64_t counter_offset, double *out) {
  const std::string problem = dl::validate_copula_request(rows, d, cholesky, kind, table_offset, table_length, tables,
                                                          tables_total, z_min, z_max, out, true);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "copula_sample: " + problem);
  return copula_pass(rows, d, cholesky, mean, kind, table_offset, table_length, tables, tables_total, z_min, z_max,
                     seed, counter_offset, out, true, "copula_sample");
}

DL_API int dl_copula_normal_scores(int64_t rows, int64_t d, const double *cholesky, const double *mean, uint64_t seed,
                                   uint64_t counter_offset, double *out) {
  const std::string problem = dl::validate_copula_request(rows, d, cholesky, nullptr, nullptr, nullptr, nullptr, 0,
                                                          nullptr, nullptr, out, false);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "copula_normal_scores: " + problem);
  return copula_pass(rows, d, cholesky, mean, nullptr, nullptr, nullptr, nullptr, 0, nullptr, nullptr, seed,
                     counter_offset, out, false, "copula_normal_scores");
}

DL_API int dl_nearest_neighbors(int64_t rows_a, const double *a_numeric, const int32_t *a_categorical, int64_t rows_b,
                                const double *b_numeric, const int32_t *b_categorical, int64_t numeric_count,
                                int64_t categorical_count, const double *inv_range, int k, int exclude_same_index,
                                double *out_distance, int32_t *out_index) {
  if (k != 1 && k != 2) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nearest_neighbors: k must be 1 or 2");
  if (rows_a > 0 && (out_distance == nullptr || out_index == nullptr))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nearest_neighbors: output buffers must not be null");
  dl::MixedFeatures f;
  std::string error;
  if (!dl::prepare_mixed_features(rows_a, a_numeric, a_categorical, rows_b, b_numeric, b_categorical, numeric_count,
                                  categorical_count, inv_range, f, error))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nearest_neighbors: " + error);
  std::vector<dl::TopK> best(static_cast<size_t>(rows_a));
  {
    std::lock_guard<std::mutex> lock(device_mutex());
    int status = ensure_device("nearest_neighbors");
    if (status != DL_OK) return status;
    if (rows_a > 0) {
      const float *da = static_cast<const float *>(upload(kSlotA, f.a.data(), f.a.size() * 4, status));
      if (da == nullptr) return status;
      const float *db = static_cast<const float *>(upload(kSlotB, f.b.data(), f.b.size() * 4, status));
      if (db == nullptr) return status;
      float *dsum = static_cast<float *>(scratch(kSlotC, static_cast<size_t>(rows_a) * kSlots * 4, status));
      if (dsum == nullptr) return status;
      int32_t *didx = static_cast<int32_t *>(scratch(kSlotD, static_cast<size_t>(rows_a) * kSlots * 4, status));
      if (didx == nullptr) return status;
      const int d = static_cast<int>(f.columns);
      if (d <= 16) {
        constexpr int R = 4;
        const int blocks = static_cast<int>((rows_a + kThreads * R - 1) / (kThreads * R));
        nearest_kernel<16, R, 256><<<blocks, kThreads, 0, stream()>>>(da, rows_a, db, f.padded_b, rows_b, d, k,
                                                                     exclude_same_index, dsum, didx);
      } else if (d <= 64) {
        const int blocks = static_cast<int>((rows_a + kThreads - 1) / kThreads);
        nearest_kernel<64, 1, 64><<<blocks, kThreads, 0, stream()>>>(da, rows_a, db, f.padded_b, rows_b, d, k,
                                                                    exclude_same_index, dsum, didx);
      } else {
        const int blocks = static_cast<int>((rows_a + kThreads - 1) / kThreads);
        nearest_kernel_wide<64><<<blocks, kThreads, 0, stream()>>>(da, rows_a, db, f.padded_b, rows_b, d, k,
                                                                  exclude_same_index, dsum, didx);
      }
      status = check(cudaGetLastError(), "nearest_neighbors");
      if (status != DL_OK) return status;
      std::vector<float> sums(static_cast<size_t>(rows_a) * kSlots);
      std::vector<int32_t> idx(static_cast<size_t>(rows_a) * kSlots);
      status = check(cudaMemcpyAsync(sums.data(), dsum, sums.size() * 4, cudaMemcpyDeviceToHost, stream()), "nearest (copy back)");
      if (status != DL_OK) return status;
      status = check(cudaMemcpyAsync(idx.data(), didx, idx.size() * 4, cudaMemcpyDeviceToHost, stream()), "nearest (copy back)");
      if (status != DL_OK) return status;
      status = check(cudaStreamSynchronize(stream()), "nearest_neighbors");
      if (status != DL_OK) return status;
      for (int64_t r = 0; r < rows_a; ++r) {
        dl::TopK &t = best[static_cast<size_t>(r)];
        dl::topk_reset(t);
        for (int i = 0; i < kSlots; ++i) {
          t.dist[i] = sums[static_cast<size_t>(r) * kSlots + i];
          t.index[i] = idx[static_cast<size_t>(r) * kSlots + i];
        }
      }
    }
  }
  dl::finalize_topk(best, kSlots, k, exclude_same_index != 0, f.sum_error_bound, rows_a, rows_b, a_numeric,
                    a_categorical, b_numeric, b_categorical, numeric_count, categorical_count, inv_range, out_distance,
                    out_index);
  return DL_OK;
}

// Row matching is hash-based (no all-pairs work), so it runs on the host in both libraries.
DL_API int dl_match_rows(int64_t rows_a, const double *a_numeric, const int32_t *a_categorical, int64_t rows_b,
                         const double *b_numeric, const int32_t *b_categorical, int64_t numeric_count,
                         int64_t categorical_count, double rel_tolerance, uint8_t *matched) {
  return dl::match_rows_checked(rows_a, a_numeric, a_categorical, rows_b, b_numeric, b_categorical, numeric_count,
                                categorical_count, rel_tolerance, matched);
}

}  // extern "C"
