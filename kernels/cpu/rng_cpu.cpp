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

// G groups of four consecutive Philox blocks at once (blocks 4·first_group ..): each 64-bit lane
// holds one block's 32-bit word, and _mm256_mul_epu32 gives the four 32x32->64 products of a
// round; the G independent chains interleave, hiding the multiply latency. Integer-exact, so the
// bits equal the scalar philox4x32_10 (checked by the tests against the TS reference). u0[g]
// holds the uniforms of words 0-1 of the group's 4 blocks, u1[g] those of words 2-3.
template <int G>
inline __attribute__((always_inline)) void philox_groups(uint64_t seed, uint64_t first_group, __m256d u0[G],
                                                         __m256d u1[G]) {
  const __m256i lo_mask = _mm256_set1_epi64x(0xffffffffll);
  __m256i c0[G], c1[G], c2[G], c3[G];
  for (int g = 0; g < G; ++g) {
    const __m256i block = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<long long>((first_group + g) * 4)), _mm256_setr_epi64x(0, 1, 2, 3));
    c0[g] = _mm256_and_si256(block, lo_mask);
    c1[g] = _mm256_srli_epi64(block, 32);
    c2[g] = _mm256_setzero_si256();
    c3[g] = _mm256_setzero_si256();
  }
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  const __m256i m0 = _mm256_set1_epi64x(kPhiloxM0), m1 = _mm256_set1_epi64x(kPhiloxM1);
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    const __m256i vk0 = _mm256_set1_epi64x(k0), vk1 = _mm256_set1_epi64x(k1);
    for (int g = 0; g < G; ++g) {
      const __m256i p0 = _mm256_mul_epu32(m0, c0[g]);
      const __m256i p1 = _mm256_mul_epu32(m1, c2[g]);
      const __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1[g]), vk0);
      const __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3[g]), vk1);
      c1[g] = _mm256_and_si256(p1, lo_mask);
      c3[g] = _mm256_and_si256(p0, lo_mask);
      c0[g] = n0;
      c2[g] = n2;
    }
  }
  // uniform_from_bits in vector form, the same IEEE operations: double(w >> 11) is formed
  // exactly as hi·2^21 + (lo >> 11) (each 32-bit part converted exactly through the 2^52
  // exponent trick), then + 0.5 and × 2^-53 as in the scalar code, so the bits are identical.
  const __m256i exponent = _mm256_set1_epi64x(0x4330000000000000ll);
  const __m256d two52 = _mm256_set1_pd(4503599627370496.0), two21 = _mm256_set1_pd(2097152.0);
  const __m256d half = _mm256_set1_pd(0.5), scale = _mm256_set1_pd(1.1102230246251565404236316680908203125e-16);
  auto to_double = [&](__m256i x) { return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(x, exponent)), two52); };
  auto uniform = [&](__m256i lo, __m256i hi) {
    const __m256d whole = _mm256_add_pd(_mm256_mul_pd(to_double(hi), two21), to_double(_mm256_srli_epi64(lo, 11)));
    return _mm256_mul_pd(_mm256_add_pd(whole, half), scale);
  };
  for (int g = 0; g < G; ++g) {
    u0[g] = uniform(c0[g], c1[g]);
    u1[g] = uniform(c2[g], c3[g]);
  }
}

// The stream order of a group's 8 draws: block b's words 0-1 at 2b, words 2-3 at 2b + 1.
inline __attribute__((always_inline)) void store_interleaved(__m256d u0, __m256d u1, double *z) {
  const __m256d lo = _mm256_unpacklo_pd(u0, u1), hi = _mm256_unpackhi_pd(u0, u1);  // [0,2] and [1,3] pairs
  _mm256_storeu_pd(z, _mm256_permute2f128_pd(lo, hi, 0x20));
  _mm256_storeu_pd(z + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
}

// Draws 8g .. 8g+7.
void uniform_group(uint64_t seed, uint64_t group, double z[8]) {
  __m256d u0[1], u1[1];
  philox_groups<1>(seed, group, u0, u1);
  store_interleaved(u0[0], u1[0], z);
}

// Box–Muller on both uniforms of each block: r = √(−2 log u0), (r cos 2πu1, r sin 2πu1).
inline __attribute__((always_inline)) void box_muller(__m256d u0, __m256d u1, double *z) {
  const __m256d r = _mm256_sqrt_pd(_mm256_mul_pd(_mm256_set1_pd(-2.0), _ZGVdN4v_log(u0)));
  const __m256d t = _mm256_mul_pd(_mm256_set1_pd(kTwoPi), u1);
  store_interleaved(_mm256_mul_pd(r, _ZGVdN4v_cos(t)), _mm256_mul_pd(r, _ZGVdN4v_sin(t)), z);
}

void normal_group(uint64_t seed, uint64_t group, double z[8]) {
  __m256d u0[1], u1[1];
  philox_groups<1>(seed, group, u0, u1);
  box_muller(u0[0], u1[0], z);
}

// Whole groups first_group .. first_group + count into out (8 draws each), two at a time.
template <bool kNormal>
void fill_groups(uint64_t seed, uint64_t first_group, int64_t count, double *out) {
  int64_t g = 0;
  for (; g + 2 <= count; g += 2) {
    __m256d u0[2], u1[2];
    philox_groups<2>(seed, first_group + static_cast<uint64_t>(g), u0, u1);
    for (int h = 0; h < 2; ++h) {
      if (kNormal) box_muller(u0[h], u1[h], out + 8 * (g + h));
      else store_interleaved(u0[h], u1[h], out + 8 * (g + h));
    }
  }
  for (; g < count; ++g) {
    if (kNormal) normal_group(seed, first_group + static_cast<uint64_t>(g), out + 8 * g);
    else uniform_group(seed, first_group + static_cast<uint64_t>(g), out + 8 * g);
  }
}
#define DL_HAVE_FILL_GROUPS 1
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

// Draws counter .. counter + n of the stream through group (8 draws) fills: whole aligned groups
// straight into out (vectorized, two groups at a time where available), partial groups at either
// end through a group buffer.
template <void (*Group)(uint64_t, uint64_t, double *), bool kNormal>
void fill_stream(uint64_t seed, uint64_t counter, double *out, int64_t n) {
  double z[8];
  for (int64_t i = 0; i < n;) {
    const uint64_t p = counter + static_cast<uint64_t>(i);
    const uint64_t group = p >> 3;  // 8 draws per group of 4 blocks
    const int64_t first = static_cast<int64_t>(p & 7u);
#if defined(DL_HAVE_FILL_GROUPS)
    if (first == 0 && n - i >= 8) {
      const int64_t whole = (n - i) / 8;
      fill_groups<kNormal>(seed, group, whole, out + i);
      i += whole * 8;
      continue;
    }
#endif
    Group(seed, group, z);
    const int64_t take = std::min<int64_t>(8 - first, n - i);
    for (int64_t t = 0; t < take; ++t) out[i + t] = z[first + t];
    i += take;
  }
}

void fill_normal(uint64_t seed, uint64_t counter, double *out, int64_t n) {
  fill_stream<normal_group, true>(seed, counter, out, n);
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
  fill_stream<uniform_group, false>(seed, counter, out, n);
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
