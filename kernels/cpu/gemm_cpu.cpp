// Float32 GEMM on the CPU, blocked after Goto & van de Geijn ("Anatomy of high-performance
// matrix multiplication", TOMS 2008). Both operands are packed once per call, by the whole
// team, into a scratch buffer of the calling thread (grown, never freed: no allocation per call
// once shapes repeat): A into 6-row slivers, B into 16-column slivers, per KC-deep block of k.
// Packing reads each source row contiguously whatever the transposes, so the 6x16 register-
// blocked micro-kernel (12 AVX2 accumulators, FMA) sees one layout. Output tiles are then
// handed out through the barrier-free task pool (task_pool.hpp: a core slowed by other work does
// not stall the caller); each C element is summed by one thread in a fixed k order, so results
// do not depend on the thread count.
// The nn layers pass an epilogue (bias + activation) applied when a tile's last k block lands.
#include "gemm_cpu.hpp"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "../common/argument_checks.hpp"
#include "../common/last_error.hpp"
#include "../common/nn_math.hpp"
#include "../common/thread_count.hpp"
#include "../include/datalab_kernels.h"
#include "task_pool.hpp"

namespace {

constexpr int64_t kMR = 6, kNR = 16;
constexpr int64_t kKC = 256;
constexpr int64_t kRowBlock = 192, kMinRowBlock = 48, kColBlock = 256;

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// Rows i0 .. i0+h of op(A), k range pc .. pc+kc -> out[p * kMR + i] (rows h.. zero); lda is the
// stored row stride (k, or m when transposed, for a dense A).
void pack_a_sliver(const float *a, bool trans, int64_t lda, int64_t i0, int64_t h, int64_t pc, int64_t kc, float *out) {
  if (h < kMR) std::memset(out, 0, static_cast<size_t>(kc * kMR) * sizeof(float));
  if (!trans) {  // A(i, p) = a[i lda + p]: walk each row along k
    for (int64_t i = 0; i < h; ++i) {
      const float *src = a + (i0 + i) * lda + pc;
      for (int64_t p = 0; p < kc; ++p) out[p * kMR + i] = src[p];
    }
  } else {  // A(i, p) = a[p lda + i]: the kMR values of one p are adjacent
    for (int64_t p = 0; p < kc; ++p) {
      const float *src = a + (pc + p) * lda + i0;
      for (int64_t i = 0; i < h; ++i) out[p * kMR + i] = src[i];
    }
  }
}

// Columns j0 .. j0+w of op(B), k range pc .. pc+kc -> out[p * kNR + j] (columns w.. zero); ldb
// is the stored row stride (n, or k when transposed, for a dense B).
void pack_b_sliver(const float *b, bool trans, int64_t ldb, int64_t j0, int64_t w, int64_t pc, int64_t kc, float *out) {
  if (w < kNR) std::memset(out, 0, static_cast<size_t>(kc * kNR) * sizeof(float));
  if (!trans && w == kNR) {  // B(p, j) = b[p ldb + j]: one full sliver row per p
    for (int64_t p = 0; p < kc; ++p) {
      const float *src = b + (pc + p) * ldb + j0;
      for (int64_t j = 0; j < kNR; ++j) out[p * kNR + j] = src[j];
    }
  } else if (!trans) {
    for (int64_t p = 0; p < kc; ++p) std::memcpy(out + p * kNR, b + (pc + p) * ldb + j0, static_cast<size_t>(w) * sizeof(float));
  } else {  // B(p, j) = b[j ldb + p]: walk each row of the stored matrix along k
    for (int64_t j = 0; j < w; ++j) {
      const float *src = b + (j0 + j) * ldb + pc;
      for (int64_t p = 0; p < kc; ++p) out[p * kNR + j] = src[p];
    }
  }
}

// acc (kMR x kNR, row-major) = sum_p a_sliver[p] (x) b_sliver[p].
void micro_kernel(int64_t kc, const float *a, const float *b, float *acc) {
#if defined(__AVX2__) && defined(__FMA__)
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t p = 0; p < kc; ++p, a += kMR, b += kNR) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    __m256 x = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(x, b0, c00), c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(x, b0, c10), c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(x, b0, c20), c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(x, b0, c30), c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(x, b0, c40), c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(x, b0, c50), c51 = _mm256_fmadd_ps(x, b1, c51);
  }
  _mm256_storeu_ps(acc + 0, c00), _mm256_storeu_ps(acc + 8, c01);
  _mm256_storeu_ps(acc + 16, c10), _mm256_storeu_ps(acc + 24, c11);
  _mm256_storeu_ps(acc + 32, c20), _mm256_storeu_ps(acc + 40, c21);
  _mm256_storeu_ps(acc + 48, c30), _mm256_storeu_ps(acc + 56, c31);
  _mm256_storeu_ps(acc + 64, c40), _mm256_storeu_ps(acc + 72, c41);
  _mm256_storeu_ps(acc + 80, c50), _mm256_storeu_ps(acc + 88, c51);
#else
  for (int64_t i = 0; i < kMR * kNR; ++i) acc[i] = 0.0f;
  for (int64_t p = 0; p < kc; ++p, a += kMR, b += kNR) {
    for (int64_t i = 0; i < kMR; ++i) {
      for (int64_t j = 0; j < kNR; ++j) acc[i * kNR + j] += a[i] * b[j];
    }
  }
#endif
}

// C tile (height x width at c, leading dimension ldc) = alpha acc + (first ? beta C : C); on the
// last k block the epilogue (bias of columns j0.., activation) follows.
void store_tile(const float *acc, float *c, int64_t ldc, int64_t height, int64_t width, float alpha, float beta,
                bool first, bool last, const dl::GemmEpilogue *ep, int64_t j0) {
  for (int64_t i = 0; i < height; ++i) {
    float *row = c + i * ldc;
    const float *src = acc + i * kNR;
    if (!first) {
      for (int64_t j = 0; j < width; ++j) row[j] += alpha * src[j];
    } else if (beta == 0.0f) {
      for (int64_t j = 0; j < width; ++j) row[j] = alpha * src[j];
    } else {
      for (int64_t j = 0; j < width; ++j) row[j] = alpha * src[j] + beta * row[j];
    }
    if (!last || ep == nullptr) continue;
    if (ep->bias != nullptr) {
      for (int64_t j = 0; j < width; ++j) row[j] += ep->bias[j0 + j];
    }
    if (ep->act == DL_ACT_RELU) {
      for (int64_t j = 0; j < width; ++j) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
    } else if (ep->act == DL_ACT_LEAKY_RELU) {
      for (int64_t j = 0; j < width; ++j) row[j] = row[j] > 0.0f ? row[j] : ep->slope * row[j];
    } else if (ep->act == DL_ACT_TANH) {
      for (int64_t j = 0; j < width; ++j) row[j] = std::tanh(row[j]);
    }
  }
}

// ---- A·Bᵀ with few rows of A (the critic's packed batch: 50 rows of 2,740): both operands are
// read along k in place, as dot products, so the weight matrix is not repacked on every call.
constexpr int64_t kDotRows = 3, kDotCols = 4, kDotDepth = 1024, kDotTaskCols = 16;
constexpr int64_t kDotMaxRows = 64;

// out[r][q] = Σ_p a_r[p] b_q[p] over p < kc (R <= 3 rows of A, Q <= 4 rows of B, both along k).
template <int R, int Q>
void dot_tile(int64_t kc, const float *a, int64_t lda, const float *b, int64_t ldb, float out[kDotRows][kDotCols]) {
  int64_t p = 0;
#if defined(__AVX2__) && defined(__FMA__)
  __m256 acc[R][Q];
  for (int r = 0; r < R; ++r)
    for (int q = 0; q < Q; ++q) acc[r][q] = _mm256_setzero_ps();
  for (; p + 8 <= kc; p += 8) {
    __m256 av[R];
    for (int r = 0; r < R; ++r) av[r] = _mm256_loadu_ps(a + r * lda + p);
    for (int q = 0; q < Q; ++q) {
      const __m256 bv = _mm256_loadu_ps(b + q * ldb + p);
      for (int r = 0; r < R; ++r) acc[r][q] = _mm256_fmadd_ps(av[r], bv, acc[r][q]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int q = 0; q < Q; ++q) {
      // Fixed reduction tree over the 8 lanes.
      const __m128 lo = _mm256_castps256_ps128(acc[r][q]), hi = _mm256_extractf128_ps(acc[r][q], 1);
      __m128 x = _mm_add_ps(lo, hi);
      x = _mm_add_ps(x, _mm_movehl_ps(x, x));
      x = _mm_add_ss(x, _mm_shuffle_ps(x, x, 1));
      out[r][q] = _mm_cvtss_f32(x);
    }
  }
#else
  for (int r = 0; r < R; ++r)
    for (int q = 0; q < Q; ++q) out[r][q] = 0.0f;
#endif
  for (; p < kc; ++p)
    for (int r = 0; r < R; ++r)
      for (int q = 0; q < Q; ++q) out[r][q] += a[r * lda + p] * b[q * ldb + p];
}

template <int R>
void dot_tile_rows(int q_count, int64_t kc, const float *a, int64_t lda, const float *b, int64_t ldb,
                   float out[kDotRows][kDotCols]) {
  switch (q_count) {
    case 4: return dot_tile<R, 4>(kc, a, lda, b, ldb, out);
    case 3: return dot_tile<R, 3>(kc, a, lda, b, ldb, out);
    case 2: return dot_tile<R, 2>(kc, a, lda, b, ldb, out);
    default: return dot_tile<R, 1>(kc, a, lda, b, ldb, out);
  }
}

// Columns c0 .. c1 of C = alpha A Bᵀ + beta C (A m×k, B n×k, both row-major with row strides lda,
// ldb; C's ldc), then the epilogue. Partial sums per k block of kDotDepth accumulate in a tile of
// the task, in a fixed order.
void dot_task(int64_t m, int64_t k, float alpha, const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
              float *c, int64_t ldc, const dl::GemmEpilogue *ep, int64_t c0, int64_t c1) {
  float tile[kDotMaxRows][kDotTaskCols] = {};
  for (int64_t pc = 0; pc < k; pc += kDotDepth) {
    const int64_t kc = std::min(kDotDepth, k - pc);
    for (int64_t j = c0; j < c1; j += kDotCols) {
      const int q_count = static_cast<int>(std::min(kDotCols, c1 - j));
      for (int64_t i = 0; i < m; i += kDotRows) {
        float out[kDotRows][kDotCols];
        const int64_t rows = std::min(kDotRows, m - i);
        const float *ai = a + i * lda + pc, *bj = b + j * ldb + pc;
        if (rows == 3) dot_tile_rows<3>(q_count, kc, ai, lda, bj, ldb, out);
        else if (rows == 2) dot_tile_rows<2>(q_count, kc, ai, lda, bj, ldb, out);
        else dot_tile_rows<1>(q_count, kc, ai, lda, bj, ldb, out);
        for (int64_t r = 0; r < rows; ++r)
          for (int q = 0; q < q_count; ++q) tile[i + r][j - c0 + q] += out[r][q];
      }
    }
  }
  for (int64_t i = 0; i < m; ++i) {
    float *row = c + i * ldc + c0;
    for (int64_t j = 0; j < c1 - c0; ++j) {
      float v = beta == 0.0f ? alpha * tile[i][j] : alpha * tile[i][j] + beta * row[j];
      if (ep != nullptr) v = dl::nn::activate(ep->act, ep->slope, ep->bias != nullptr ? v + ep->bias[c0 + j] : v);
      row[j] = v;
    }
  }
}

// Scratch of the calling thread for the packed operands (shared with its team during a call).
float *scratch(size_t floats) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < floats) buffer.resize(floats);
  return buffer.data();
}

}  // namespace

namespace dl {

int gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a, const float *b,
             float beta, float *c, const GemmEpilogue *epilogue) {
  return gemm_f32_strided(trans_a, trans_b, m, n, k, alpha, a, trans_a ? m : k, b, trans_b ? k : n, beta, c, n, epilogue);
}

int gemm_f32_strided(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                     int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                     const GemmEpilogue *epilogue) {
  if (m == 0 || n == 0) return DL_OK;
  if (k == 0 || alpha == 0.0f) {
    // Nothing to multiply: C = beta C (beta == 0 clears, even NaN), then the epilogue.
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        float &x = c[i * ldc + j];
        x = beta == 0.0f ? 0.0f : beta * x;
        if (epilogue != nullptr) x = nn::activate(epilogue->act, epilogue->slope, x + (epilogue->bias ? epilogue->bias[j] : 0.0f));
      }
    }
    return DL_OK;
  }
  const int threads = dl::worker_threads();
  if (trans_a == 0 && trans_b != 0 && m <= kDotMaxRows && k >= 64) {
    const int team = m * n * k > 262144 ? threads : 1;
    dl::run_tasks((n + kDotTaskCols - 1) / kDotTaskCols, team, [&](int64_t task) {
      const int64_t c0 = task * kDotTaskCols;
      dot_task(m, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue, c0, std::min(n, c0 + kDotTaskCols));
    });
    return DL_OK;
  }
  const int64_t m_pad = round_up(m, kMR), n_pad = round_up(n, kNR);
  const int64_t a_slivers = m_pad / kMR, b_slivers = n_pad / kNR, k_blocks = (k + kKC - 1) / kKC;
  float *packed_a = scratch(static_cast<size_t>(m_pad * k + n_pad * k));
  float *packed_b = packed_a + m_pad * k;
  // Block pb of k (depth kc) starts at pc * m_pad (A) and pc * n_pad (B); sliver s at s * kc * kMR / kNR.
  int64_t row_block = kRowBlock, col_block = kColBlock;
  auto tasks_for = [&](int64_t rb, int64_t cb) { return ((m + rb - 1) / rb) * ((n + cb - 1) / cb); };
  while (tasks_for(row_block, col_block) < 4 * threads && row_block > kMinRowBlock) row_block /= 2;
  while (tasks_for(row_block, col_block) < 4 * threads && col_block > 2 * kNR) col_block /= 2;
  const int64_t col_tasks = (n + col_block - 1) / col_block;
  const int64_t tasks = tasks_for(row_block, col_block);
  const int64_t pack_units = k_blocks * (a_slivers + b_slivers);
  // A small product (under ~64^3 multiply-adds) is not worth a second thread.
  const int team = m * n * k > 262144 ? threads : 1;
  constexpr int64_t kPackUnitsPerTask = 8;
  dl::run_tasks((pack_units + kPackUnitsPerTask - 1) / kPackUnitsPerTask, team, [&](int64_t chunk) {
    for (int64_t u = chunk * kPackUnitsPerTask; u < std::min(pack_units, (chunk + 1) * kPackUnitsPerTask); ++u) {
      const int64_t block = u / (a_slivers + b_slivers), s = u % (a_slivers + b_slivers);
      const int64_t pc = block * kKC, kc = std::min(kKC, k - pc);
      if (s < a_slivers) {
        const int64_t i0 = s * kMR;
        pack_a_sliver(a, trans_a != 0, lda, i0, std::min(kMR, m - i0), pc, kc, packed_a + pc * m_pad + s * kc * kMR);
      } else {
        const int64_t j0 = (s - a_slivers) * kNR;
        pack_b_sliver(b, trans_b != 0, ldb, j0, std::min(kNR, n - j0), pc, kc, packed_b + pc * n_pad + (s - a_slivers) * kc * kNR);
      }
    }
  });
  dl::run_tasks(tasks, team, [&](int64_t task) {
    alignas(32) float acc[kMR * kNR];
    const int64_t r0 = (task / col_tasks) * row_block, r1 = std::min(m, r0 + row_block);
    const int64_t c0 = (task % col_tasks) * col_block, c1 = std::min(n, c0 + col_block);
    for (int64_t pc = 0; pc < k; pc += kKC) {
      const int64_t kc = std::min(kKC, k - pc);
      const float *block_a = packed_a + pc * m_pad, *block_b = packed_b + pc * n_pad;
      const bool first = pc == 0, last = pc + kc >= k;
      // Rows outer: each A sliver stays in L1 while the task's B block (<= 256 KB) streams from
      // L2, and C is read and written along its rows (6 sequential streams the prefetcher
      // follows), which matters when k is short and C traffic dominates (dW += dzᵀx, k = batch).
      for (int64_t ir = r0; ir < r1; ir += kMR) {
        const float *as = block_a + (ir / kMR) * kc * kMR;
        for (int64_t jr = c0; jr < c1; jr += kNR) {
          micro_kernel(kc, as, block_b + (jr / kNR) * kc * kNR, acc);
          store_tile(acc, c + ir * ldc + jr, ldc, std::min(kMR, r1 - ir), std::min(kNR, c1 - jr), alpha, beta, first, last,
                     epilogue, jr);
        }
      }
    }
  });
  return DL_OK;
}

}  // namespace dl

extern "C" DL_API int dl_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                                  const float *a, const float *b, float beta, float *c) {
  const std::string problem = dl::gemm_problem(m, n, k, a, b, c);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "gemm: " + problem);
  return dl::gemm_f32(trans_a, trans_b, m, n, k, alpha, a, b, beta, c, nullptr);
}
