// Float32 GEMM on the CPU, blocked after Goto & van de Geijn ("Anatomy of high-performance
// matrix multiplication", TOMS 2008): B is packed into KC x 512 panels of 16-column slivers
// (per task, L2/L3), A into MC x KC blocks of 6-row slivers (per thread, L2), and a
// 6x16 register-blocked micro-kernel (12 AVX2 accumulators, FMA) walks the slivers (L1).
// Transposes are absorbed by the packing, so the micro-kernel only sees one layout.
#include <omp.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "../common/argument_checks.hpp"
#include "../common/thread_count.hpp"
#include "../common/last_error.hpp"
#include "../include/datalab_kernels.h"

namespace {

constexpr int64_t kMR = 6, kNR = 16;
constexpr int64_t kKC = 256, kMC = 96;
constexpr int64_t kRowBlock = 384, kColBlock = 512;  // one task: a kRowBlock x kColBlock block of C

struct Operand {
  const float *data;
  bool trans;
  int64_t rows, cols;  // logical op(X) shape
  // op(X)(i, j)
  float at(int64_t i, int64_t j) const { return trans ? data[j * rows + i] : data[i * cols + j]; }
};

// B(pc.., jc..) -> slivers of kNR columns: sliver s holds for each p the kNR values of row p.
void pack_b(const Operand &b, int64_t pc, int64_t kc, int64_t jc, int64_t nc, float *dst) {
  const int64_t slivers = (nc + kNR - 1) / kNR;
  for (int64_t s = 0; s < slivers; ++s) {
    float *out = dst + s * kc * kNR;
    const int64_t j0 = jc + s * kNR, width = std::min(kNR, jc + nc - j0);
    for (int64_t p = 0; p < kc; ++p) {
      float *row = out + p * kNR;
      if (!b.trans && width == kNR) {
        std::memcpy(row, b.data + (pc + p) * b.cols + j0, kNR * sizeof(float));
        continue;
      }
      for (int64_t j = 0; j < width; ++j) row[j] = b.at(pc + p, j0 + j);
      for (int64_t j = width; j < kNR; ++j) row[j] = 0.0f;
    }
  }
}

// A(ic.., pc..) -> slivers of kMR rows: sliver s holds for each p the kMR values of column p.
void pack_a(const Operand &a, int64_t ic, int64_t mc, int64_t pc, int64_t kc, float *dst) {
  for (int64_t s = 0; s * kMR < mc; ++s) {
    float *out = dst + s * kc * kMR;
    const int64_t i0 = ic + s * kMR, height = std::min(kMR, ic + mc - i0);
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t i = 0; i < height; ++i) out[p * kMR + i] = a.at(i0 + i, pc + p);
      for (int64_t i = height; i < kMR; ++i) out[p * kMR + i] = 0.0f;
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

// C(i0.., j0..) (height x width) = alpha acc + (first ? beta C : C).
void store_tile(const float *acc, float *c, int64_t ldc, int64_t height, int64_t width, float alpha, float beta,
                bool first) {
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
  }
}

}  // namespace

extern "C" DL_API int dl_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                                  const float *a, const float *b, float beta, float *c) {
  const std::string problem = dl::gemm_problem(m, n, k, a, b, c);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "gemm: " + problem);
  if (m == 0 || n == 0) return DL_OK;
  if (k == 0 || alpha == 0.0f) {
    // Nothing to multiply: C = beta C (beta == 0 clears, even NaN).
    for (int64_t i = 0; i < m * n; ++i) c[i] = beta == 0.0f ? 0.0f : beta * c[i];
    return DL_OK;
  }
  const Operand opa{a, trans_a != 0, m, k};
  const Operand opb{b, trans_b != 0, k, n};
  // Independent output blocks (rows x columns) handed out dynamically: no barrier between
  // threads, so a core slowed by other work on a shared machine does not stall the other.
  // Each task packs its own B panel (amortized over up to kRowBlock rows, ~3% of the flops).
  const int threads = dl::worker_threads();
  int64_t row_block = kRowBlock, col_block = kColBlock;
  auto tasks_for = [&](int64_t rb, int64_t cb) { return ((m + rb - 1) / rb) * ((n + cb - 1) / cb); };
  while (tasks_for(row_block, col_block) < 4 * threads && row_block > kMC) row_block /= 2;
  while (tasks_for(row_block, col_block) < 4 * threads && col_block > 2 * kNR) col_block /= 2;
  const int64_t col_tasks = (n + col_block - 1) / col_block;
  const int64_t tasks = tasks_for(row_block, col_block);
// A small product (under ~64^3 multiply-adds) is not worth a team of threads.
#pragma omp parallel num_threads(dl::worker_threads()) if (m * n * k > 262144)
  {
    std::vector<float> packed_a(static_cast<size_t>(kKC * kMC));
    std::vector<float> packed_b(static_cast<size_t>(kKC * ((col_block + kNR - 1) / kNR * kNR)));
    alignas(32) float acc[kMR * kNR];
#pragma omp for schedule(dynamic, 1)
    for (int64_t task = 0; task < tasks; ++task) {
      const int64_t r0 = (task / col_tasks) * row_block, r1 = std::min(m, r0 + row_block);
      const int64_t jc = (task % col_tasks) * col_block, nc = std::min(col_block, n - jc);
      for (int64_t pc = 0; pc < k; pc += kKC) {
        const int64_t kc = std::min(kKC, k - pc);
        pack_b(opb, pc, kc, jc, nc, packed_b.data());
        for (int64_t ic = r0; ic < r1; ic += kMC) {
          const int64_t mc = std::min(kMC, r1 - ic);
          pack_a(opa, ic, mc, pc, kc, packed_a.data());
          for (int64_t jr = 0; jr < nc; jr += kNR) {
            const float *bs = packed_b.data() + (jr / kNR) * kc * kNR;
            for (int64_t ir = 0; ir < mc; ir += kMR) {
              micro_kernel(kc, packed_a.data() + (ir / kMR) * kc * kMR, bs, acc);
              store_tile(acc, c + (ic + ir) * n + jc + jr, n, std::min(kMR, mc - ir), std::min(kNR, nc - jr), alpha,
                         beta, pc == 0);
            }
          }
        }
      }
    }
  }
  return DL_OK;
}
