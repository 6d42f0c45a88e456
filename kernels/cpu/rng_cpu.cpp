// Philox streams on the CPU: 4 blocks (8 draws) per step, vectorized with AVX2 (integer-exact)
// and libmvec (transcendentals); threads over chunks of the stream.
#include <algorithm>
#include <cmath>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "../common/argument_checks.hpp"
#include "../common/thread_count.hpp"
#include "../common/last_error.hpp"
#include "../common/philox.hpp"
#include "../include/datalab_kernels.h"
#include "rng_cpu.hpp"

namespace dl {

// Normals are computed in groups of 4 Philox blocks (8 draws) aligned on absolute stream
// positions, so a draw's value never depends on where a call or a chunk starts: with libmvec
// the group's log/sin/cos run as one AVX2 vector (glibc's vector math, <= 4 ulp), otherwise
// scalar libm. Either way the value of position p is a function of (seed, p) only.
namespace {
#if defined(DL_USE_LIBMVEC) && defined(__AVX2__)
extern "C" __m256d _ZGVdN4v_log(__m256d);
extern "C" __m256d _ZGVdN4v_sin(__m256d);
extern "C" __m256d _ZGVdN4v_cos(__m256d);

// Four consecutive Philox blocks at once: each 64-bit lane holds one block's 32-bit word, and
// _mm256_mul_epu32 gives the four 32x32->64 products of a round. Integer-exact, so the bits
// equal the scalar philox4x32_10 (checked by the tests against the TS reference).
void philox_four_blocks(uint64_t seed, uint64_t first_block, double u0[4], double u1[4]) {
  const __m256i lo_mask = _mm256_set1_epi64x(0xffffffffll);
  const __m256i block = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<long long>(first_block)), _mm256_setr_epi64x(0, 1, 2, 3));
  __m256i c0 = _mm256_and_si256(block, lo_mask);
  __m256i c1 = _mm256_srli_epi64(block, 32);
  __m256i c2 = _mm256_setzero_si256(), c3 = _mm256_setzero_si256();
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  const __m256i m0 = _mm256_set1_epi64x(kPhiloxM0), m1 = _mm256_set1_epi64x(kPhiloxM1);
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    const __m256i p0 = _mm256_mul_epu32(m0, c0);
    const __m256i p1 = _mm256_mul_epu32(m1, c2);
    const __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1), _mm256_set1_epi64x(k0));
    const __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3), _mm256_set1_epi64x(k1));
    c1 = _mm256_and_si256(p1, lo_mask);
    c3 = _mm256_and_si256(p0, lo_mask);
    c0 = n0;
    c2 = n2;
  }
  alignas(32) uint64_t w0[4], w1[4], w2[4], w3[4];
  _mm256_store_si256(reinterpret_cast<__m256i *>(w0), c0);
  _mm256_store_si256(reinterpret_cast<__m256i *>(w1), c1);
  _mm256_store_si256(reinterpret_cast<__m256i *>(w2), c2);
  _mm256_store_si256(reinterpret_cast<__m256i *>(w3), c3);
  for (int b = 0; b < 4; ++b) {
    u0[b] = uniform_from_bits(static_cast<uint32_t>(w0[b]), static_cast<uint32_t>(w1[b]));
    u1[b] = uniform_from_bits(static_cast<uint32_t>(w2[b]), static_cast<uint32_t>(w3[b]));
  }
}

// Draws 8g .. 8g+7: uniform of block b's word h at z[2b + h].
void uniform_group(uint64_t seed, uint64_t group, double z[8]) {
  double u0[4], u1[4];
  philox_four_blocks(seed, group * 4, u0, u1);
  for (int b = 0; b < 4; ++b) {
    z[2 * b] = u0[b];
    z[2 * b + 1] = u1[b];
  }
}

void normal_group(uint64_t seed, uint64_t group, double z[8]) {
  alignas(32) double u0[4], u1[4];
  philox_four_blocks(seed, group * 4, u0, u1);
  const __m256d r = _mm256_sqrt_pd(_mm256_mul_pd(_mm256_set1_pd(-2.0), _ZGVdN4v_log(_mm256_load_pd(u0))));
  const __m256d t = _mm256_mul_pd(_mm256_set1_pd(kTwoPi), _mm256_load_pd(u1));
  alignas(32) double c[4], s[4];
  _mm256_store_pd(c, _mm256_mul_pd(r, _ZGVdN4v_cos(t)));
  _mm256_store_pd(s, _mm256_mul_pd(r, _ZGVdN4v_sin(t)));
  for (int b = 0; b < 4; ++b) {
    z[2 * b] = c[b];
    z[2 * b + 1] = s[b];
  }
}
#else
void uniform_group(uint64_t seed, uint64_t group, double z[8]) {
  for (int b = 0; b < 4; ++b) {
    const Philox4 x = philox_block(seed, group * 4 + static_cast<uint64_t>(b));
    z[2 * b] = uniform_from_bits(x.v[0], x.v[1]);
    z[2 * b + 1] = uniform_from_bits(x.v[2], x.v[3]);
  }
}

void normal_group(uint64_t seed, uint64_t group, double z[8]) {
  auto log_ = [](double v) { return std::log(v); };
  auto sqrt_ = [](double v) { return std::sqrt(v); };
  auto sincos_ = [](double v, double &s, double &c) { ::sincos(v, &s, &c); };
  for (int b = 0; b < 4; ++b)
    normal_pair_from_block(philox_block(seed, group * 4 + static_cast<uint64_t>(b)), z[2 * b], z[2 * b + 1], log_, sqrt_,
                           sincos_);
}
#endif
}  // namespace

void fill_normal(uint64_t seed, uint64_t counter, double *out, int64_t n) {
  double z[8];
  for (int64_t i = 0; i < n;) {
    const uint64_t p = counter + static_cast<uint64_t>(i);
    const uint64_t group = p >> 3;  // 8 draws per group of 4 blocks
    normal_group(seed, group, z);
    const int64_t first = static_cast<int64_t>(p & 7u);
    const int64_t take = std::min<int64_t>(8 - first, n - i);
    for (int64_t t = 0; t < take; ++t) out[i + t] = z[first + t];
    i += take;
  }
}

void gumbel_in_place(double *u, int64_t n) {
  int64_t i = 0;
#if defined(DL_USE_LIBMVEC) && defined(__AVX2__)
  const __m256d minus_one = _mm256_set1_pd(-1.0);
  for (; i + 4 <= n; i += 4) {
    const __m256d inner = _mm256_mul_pd(minus_one, _ZGVdN4v_log(_mm256_loadu_pd(u + i)));
    _mm256_storeu_pd(u + i, _mm256_mul_pd(minus_one, _ZGVdN4v_log(inner)));
  }
#endif
  for (; i < n; ++i) u[i] = -std::log(-std::log(u[i]));
}

void fill_uniform(uint64_t seed, uint64_t counter, double *out, int64_t n) {
  // Same grouping as the normals: 4 blocks (8 draws) per step, vectorized Philox when AVX2.
  double z[8];
  for (int64_t i = 0; i < n;) {
    const uint64_t p = counter + static_cast<uint64_t>(i);
    const uint64_t group = p >> 3;
    uniform_group(seed, group, z);
    const int64_t first = static_cast<int64_t>(p & 7u);
    const int64_t take = std::min<int64_t>(8 - first, n - i);
    for (int64_t t = 0; t < take; ++t) out[i + t] = z[first + t];
    i += take;
  }
}

}  // namespace dl

namespace {
// Splits [0, n) into even-aligned chunks per thread so that pairs are not computed twice.
template <typename Fill>
void parallel_fill(uint64_t seed, uint64_t counter, double *out, int64_t n, Fill fill) {
  constexpr int64_t kChunk = 1 << 14;
#pragma omp parallel for num_threads(dl::worker_threads()) schedule(dynamic, 1) if (n > 4 * kChunk)
  for (int64_t start = 0; start < n; start += kChunk) {
    const int64_t len = start + kChunk < n ? kChunk : n - start;
    fill(seed, counter + static_cast<uint64_t>(start), out + start, len);
  }
}
}  // namespace

extern "C" {

DL_API int dl_philox_uniform_f64(uint64_t seed, uint64_t counter, double *out, size_t n) {
  const std::string problem = dl::philox_out_problem(out, n);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "philox_uniform: " + problem);
  parallel_fill(seed, counter, out, static_cast<int64_t>(n), dl::fill_uniform);
  return DL_OK;
}

DL_API int dl_philox_normal_f64(uint64_t seed, uint64_t counter, double *out, size_t n) {
  const std::string problem = dl::philox_out_problem(out, n);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "philox_normal: " + problem);
  parallel_fill(seed, counter, out, static_cast<int64_t>(n), dl::fill_normal);
  return DL_OK;
}

DL_API int dl_philox4x32_raw(uint32_t key0, uint32_t key1, const uint32_t ctr_in[4], uint32_t *out, size_t blocks) {
  return dl::philox4x32_raw_host(key0, key1, ctr_in, out, blocks);
}

}  // extern "C"
