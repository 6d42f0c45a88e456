// nn ops of section 6 (memory, elementwise, reductions, data movement, random fills) on the CPU.
// "Device" buffers are 64-byte aligned host allocations owned by the library, so the same TS
// code drives this library and the CUDA one; upload/download are memcpy here.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "../common/last_error.hpp"
#include "../common/nn_math.hpp"
#include "../common/thread_count.hpp"
#include "../include/datalab_kernels.h"
#include "rng_cpu.hpp"
#include "task_pool.hpp"

namespace {
// Below this many elements a parallel region costs more than it saves.
// Below this many elements an OpenMP team (which waits at its barrier for a member the OS has
// not scheduled yet) costs more than it saves; the chunked ops run on the barrier-free task pool
// (task_pool.hpp) from kPoolElements up.
constexpr int64_t kParallelElements = 1 << 18, kPoolElements = 1 << 15;
int threads_for(int64_t work) { return work >= kParallelElements ? dl::worker_threads() : 1; }
int pool_threads_for(int64_t work) { return work >= kPoolElements ? dl::worker_threads() : 1; }
// Elementwise ops hand out ranges of this many elements.
constexpr int64_t kElementChunk = 1 << 15;
// Random fills draw this many values at a time into a stack buffer (8 KB of doubles).
constexpr int64_t kDrawChunk = 1024;
}  // namespace

extern "C" {

DL_API void *dl_nn_alloc(uint64_t bytes) {
  const uint64_t rounded = ((bytes == 0 ? 1 : bytes) + 63) / 64 * 64;
  void *p = std::aligned_alloc(64, rounded);
  if (p == nullptr) {
    dl::fail(DL_ERR_OUT_OF_MEMORY, "nn alloc: out of host memory for " + std::to_string(bytes) + " bytes");
    return nullptr;
  }
  std::memset(p, 0, rounded);
  return p;
}

DL_API int dl_nn_free(void *buffer) {
  std::free(buffer);
  return DL_OK;
}

DL_API void *dl_nn_offset(void *buffer, uint64_t bytes) { return static_cast<char *>(buffer) + bytes; }

DL_API int dl_nn_upload(void *dst, const void *src, uint64_t bytes) {
  if (bytes > 0 && (dst == nullptr || src == nullptr)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn upload: null buffer");
  if (bytes > 0) std::memcpy(dst, src, bytes);
  return DL_OK;
}

DL_API int dl_nn_download(void *dst, const void *src, uint64_t bytes) { return dl_nn_upload(dst, src, bytes); }

DL_API int dl_nn_copy(void *dst, const void *src, uint64_t bytes) {
  if (bytes > 0 && dst != src) std::memmove(dst, src, bytes);
  return DL_OK;
}

DL_API int dl_nn_synchronize(void) { return DL_OK; }

DL_API int dl_nn_fill_f32(int64_t n, float value, float *x) {
  dl::run_ranges(n, kElementChunk, pool_threads_for(n), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) x[i] = value;
  });
  return DL_OK;
}

DL_API int dl_nn_axpy_f32(int64_t n, float alpha, const float *x, float *y) {
  dl::run_ranges(n, kElementChunk, pool_threads_for(n), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] += alpha * x[i];
  });
  return DL_OK;
}

DL_API int dl_nn_mul_f32(int64_t n, const float *a, const float *b, float *out) {
  dl::run_ranges(n, kElementChunk, pool_threads_for(n), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) out[i] = a[i] * b[i];
  });
  return DL_OK;
}

DL_API int dl_nn_sum_f32(int64_t n, const float *x, float scale, float *out) {
  double total = 0.0;
// One thread, lanes combined in a fixed order: the sum does not depend on the thread count.
#pragma omp simd reduction(+ : total)
  for (int64_t i = 0; i < n; ++i) total += x[i];
  out[0] = static_cast<float>(scale * total);
  return DL_OK;
}

DL_API int dl_nn_broadcast_rows(int64_t rows, int64_t width, const float *vec, float *out) {
  for (int64_t r = 0; r < rows; ++r) std::memcpy(out + r * width, vec, static_cast<size_t>(width) * sizeof(float));
  return DL_OK;
}

DL_API int dl_nn_column_sum(int64_t rows, int64_t width, const float *x, float *out) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = x + r * width;
#pragma omp simd
    for (int64_t j = 0; j < width; ++j) out[j] += row[j];
  }
  return DL_OK;
}

DL_API int dl_nn_copy_columns(int64_t rows, int64_t width, const float *src, int64_t src_width, int64_t src_start,
                              float *dst, int64_t dst_width, int64_t dst_start, int accumulate) {
  if (src_start < 0 || dst_start < 0 || src_start + width > src_width || dst_start + width > dst_width)
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn copy_columns: column range outside a matrix");
  // Blocks of rows on the task pool (each row written by one task).
  const int64_t rows_per_task = std::max<int64_t>(1, kElementChunk / 4 / std::max<int64_t>(1, width));
  dl::run_ranges(rows, rows_per_task, pool_threads_for(rows * width), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float *s = src + r * src_width + src_start;
      float *d = dst + r * dst_width + dst_start;
      if (accumulate) {
#pragma omp simd
        for (int64_t j = 0; j < width; ++j) d[j] += s[j];
      } else {
        std::memcpy(d, s, static_cast<size_t>(width) * sizeof(float));
      }
    }
  });
  return DL_OK;
}

DL_API int dl_nn_gather_rows(int64_t rows, int64_t width, const float *table, const int32_t *indices, float *out) {
#pragma omp parallel for num_threads(threads_for(rows * width))
  for (int64_t r = 0; r < rows; ++r)
    std::memcpy(out + r * width, table + static_cast<int64_t>(indices[r]) * width, static_cast<size_t>(width) * sizeof(float));
  return DL_OK;
}

DL_API int dl_nn_one_hot(int64_t rows, int64_t width, const int32_t *indices, float *out) {
  for (int64_t r = 0; r < rows; ++r) {
    float *row = out + r * width;
    std::memset(row, 0, static_cast<size_t>(width) * sizeof(float));
    const int32_t k = indices[r];
    if (k >= 0 && k < width) row[k] = 1.0f;
  }
  return DL_OK;
}

DL_API int dl_nn_normal_f32(int64_t n, uint64_t seed, uint64_t *rng_counter, float mean, float std, float *out) {
  const uint64_t counter = *rng_counter;
  // Box–Muller on each block's pair (section 1), 4 blocks at a time (rng_cpu.cpp: vectorized
  // Philox and libmvec log/sin/cos); draw values depend on (seed, position) only, not on chunks.
  dl::run_tasks((n + kDrawChunk - 1) / kDrawChunk, pool_threads_for(n * 8), [&](int64_t chunk) {
    const int64_t start = chunk * kDrawChunk;
    double z[kDrawChunk];
    const int64_t len = std::min(kDrawChunk, n - start);
    dl::fill_normal(seed, counter + static_cast<uint64_t>(start), z, len);
    for (int64_t i = 0; i < len; ++i) out[start + i] = mean + std * static_cast<float>(z[i]);
  });
  *rng_counter = counter + static_cast<uint64_t>(n);
  return DL_OK;
}

DL_API int dl_nn_uniform_f32(int64_t n, uint64_t seed, uint64_t *rng_counter, float lo, float hi, float *out) {
  const uint64_t counter = *rng_counter;
  const double width = static_cast<double>(hi) - lo;
  dl::run_tasks((n + kDrawChunk - 1) / kDrawChunk, pool_threads_for(n * 8), [&](int64_t chunk) {
    const int64_t start = chunk * kDrawChunk;
    double u[kDrawChunk];
    const int64_t len = std::min(kDrawChunk, n - start);
    dl::fill_uniform(seed, counter + static_cast<uint64_t>(start), u, len);
    for (int64_t i = 0; i < len; ++i) out[start + i] = static_cast<float>(lo + width * u[i]);
  });
  *rng_counter = counter + static_cast<uint64_t>(n);
  return DL_OK;
}

DL_API int dl_nn_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                          const float *b, float beta, float *c) {
  return dl_gemm_f32(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
}

DL_API int dl_nn_graph_begin(void) {
  return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn graphs need the CUDA library: the CPU library runs the ops eagerly");
}
DL_API int dl_nn_graph_end(int64_t *) { return dl_nn_graph_begin(); }
DL_API int dl_nn_graph_launch(int64_t) { return dl_nn_graph_begin(); }
DL_API int dl_nn_graph_destroy(int64_t) { return dl_nn_graph_begin(); }

}  // extern "C"
