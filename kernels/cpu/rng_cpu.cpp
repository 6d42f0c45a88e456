// Philox streams on the CPU: threads over blocks of the stream (each block is independent).
#include <cmath>

#include "../common/last_error.hpp"
#include "../common/philox.hpp"
#include "../include/datalab_kernels.h"
#include "rng_cpu.hpp"

namespace dl {

void fill_uniform(uint64_t seed, uint64_t counter, double *out, int64_t n) {
  for (int64_t i = 0; i < n;) {
    const uint64_t p = counter + static_cast<uint64_t>(i);
    const Philox4 x = philox_block(seed, p >> 1);
    if ((p & 1u) == 0) {
      out[i++] = uniform_from_bits(x.v[0], x.v[1]);
      if (i < n) out[i++] = uniform_from_bits(x.v[2], x.v[3]);
    } else {
      out[i++] = uniform_from_bits(x.v[2], x.v[3]);
    }
  }
}

void fill_normal(uint64_t seed, uint64_t counter, double *out, int64_t n) {
  auto log_ = [](double v) { return std::log(v); };
  auto sqrt_ = [](double v) { return std::sqrt(v); };
  auto sincos_ = [](double v, double &s, double &c) { ::sincos(v, &s, &c); };
  for (int64_t i = 0; i < n;) {
    const uint64_t p = counter + static_cast<uint64_t>(i);
    double z0, z1;
    normal_pair_from_block(philox_block(seed, p >> 1), z0, z1, log_, sqrt_, sincos_);
    if ((p & 1u) == 0) {
      out[i++] = z0;
      if (i < n) out[i++] = z1;
    } else {
      out[i++] = z1;
    }
  }
}

}  // namespace dl

namespace {
// Splits [0, n) into even-aligned chunks per thread so that pairs are not computed twice.
template <typename Fill>
void parallel_fill(uint64_t seed, uint64_t counter, double *out, int64_t n, Fill fill) {
  constexpr int64_t kChunk = 1 << 14;
#pragma omp parallel for schedule(static) if (n > 4 * kChunk)
  for (int64_t start = 0; start < n; start += kChunk) {
    const int64_t len = start + kChunk < n ? kChunk : n - start;
    fill(seed, counter + static_cast<uint64_t>(start), out + start, len);
  }
}
}  // namespace

extern "C" {

DL_API int dl_philox_uniform_f64(uint64_t seed, uint64_t counter, double *out, size_t n) {
  if (n > 0 && out == nullptr) return dl::fail(DL_ERR_INVALID_ARGUMENT, "philox_uniform: out must not be null");
  parallel_fill(seed, counter, out, static_cast<int64_t>(n), dl::fill_uniform);
  return DL_OK;
}

DL_API int dl_philox_normal_f64(uint64_t seed, uint64_t counter, double *out, size_t n) {
  if (n > 0 && out == nullptr) return dl::fail(DL_ERR_INVALID_ARGUMENT, "philox_normal: out must not be null");
  parallel_fill(seed, counter, out, static_cast<int64_t>(n), dl::fill_normal);
  return DL_OK;
}

DL_API int dl_philox4x32_raw(uint32_t key0, uint32_t key1, const uint32_t ctr_in[4], uint32_t *out, size_t blocks) {
  if (ctr_in == nullptr || (blocks > 0 && out == nullptr))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "philox4x32_raw: ctr_in and out must not be null");
  // Blocks count up in the 128-bit counter (little-endian words), as Random123 does.
  uint32_t c[4] = {ctr_in[0], ctr_in[1], ctr_in[2], ctr_in[3]};
  for (size_t b = 0; b < blocks; ++b) {
    const dl::Philox4 x = dl::philox4x32_10(c[0], c[1], c[2], c[3], key0, key1);
    for (int w = 0; w < 4; ++w) out[b * 4 + w] = x.v[w];
    for (int w = 0; w < 4 && ++c[w] == 0; ++w) {
    }
  }
  return DL_OK;
}

}  // extern "C"
