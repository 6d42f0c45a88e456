// Philox 4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3",
// SC'11), shared verbatim by the CPU and CUDA libraries so that a seed and a counter give the
// same bits on both. Stream layout (also in datalab_kernels.h): draw p comes from block p / 2,
// 64-bit word p % 2 of that block.
#pragma once
#include <stdint.h>

#if defined(__CUDACC__)
#define DL_HD __host__ __device__ __forceinline__
#else
#define DL_HD inline __attribute__((always_inline))
#endif

namespace dl {

struct Philox4 {
  uint32_t v[4];
};

// Multipliers and Weyl key increments of the paper's Philox-4x32 (Table 2 / Random123).
constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u;
constexpr uint32_t kPhiloxW1 = 0xBB67AE85u;

DL_HD void philox_round(uint32_t &c0, uint32_t &c1, uint32_t &c2, uint32_t &c3, uint32_t k0, uint32_t k1) {
  const uint64_t p0 = static_cast<uint64_t>(kPhiloxM0) * c0;
  const uint64_t p1 = static_cast<uint64_t>(kPhiloxM1) * c2;
  const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
  const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
  c0 = hi1 ^ c1 ^ k0;
  c1 = lo1;
  c2 = hi0 ^ c3 ^ k1;
  c3 = lo0;
}

// Ten rounds, the key bumped between rounds (not after the last).
DL_HD Philox4 philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1) {
#if defined(__CUDACC__)
#pragma unroll
#else
#pragma GCC unroll 10
#endif
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    philox_round(c0, c1, c2, c3, k0, k1);
  }
  return Philox4{{c0, c1, c2, c3}};
}

// Block b of the datalab stream for `seed`.
DL_HD Philox4 philox_block(uint64_t seed, uint64_t block) {
  return philox4x32_10(static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32), 0u, 0u,
                       static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// 53 random bits centred in their cell: ((w >> 11) + 0.5) / 2^53, exactly representable, so
// never 0 or 1 and bit-identical on CPU and GPU.
DL_HD double uniform_from_bits(uint32_t lo, uint32_t hi) {
  const uint64_t w = (static_cast<uint64_t>(hi) << 32) | lo;
  return (static_cast<double>(w >> 11) + 0.5) * 1.1102230246251565404236316680908203125e-16;
}

constexpr double kTwoPi = 6.283185307179586476925286766559;

// Both normals of block b (Box–Muller). Transcendentals differ by a few ulps between libm and
// CUDA's, so normals agree to ~1e-15 relative across devices (uniforms agree bit for bit).
template <typename LogF, typename SqrtF, typename SinCosF>
DL_HD void normal_pair_from_block(const Philox4 &x, double &z0, double &z1, LogF logf_, SqrtF sqrtf_, SinCosF sincosf_) {
  const double u0 = uniform_from_bits(x.v[0], x.v[1]);
  const double u1 = uniform_from_bits(x.v[2], x.v[3]);
  const double r = sqrtf_(-2.0 * logf_(u0));
  double s, c;
  sincosf_(kTwoPi * u1, s, c);
  z0 = r * c;
  z1 = r * s;
}

}  // namespace dl
