// Scalar pieces of the nn ops shared by the CPU and CUDA libraries, so both compute the same
// activation derivatives and draw the same random numbers at the same stream positions.
#pragma once
#include <math.h>
#include <stdint.h>

#include "philox.hpp"

namespace dl {
namespace nn {

// Activation of section 6 of datalab_kernels.h.
DL_HD float activate(int act, float slope, float x) {
  switch (act) {
    case 1: return x > 0.0f ? x : 0.0f;
    case 2: return x > 0.0f ? x : slope * x;
    case 3: return tanhf(x);
    default: return x;
  }
}

// d act / d x expressed through y = act(x): ReLU/LeakyReLU are monotone with y > 0 iff x > 0.
DL_HD float activation_slope_from_output(int act, float slope, float y) {
  switch (act) {
    case 1: return y > 0.0f ? 1.0f : 0.0f;
    case 2: return y > 0.0f ? 1.0f : slope;
    case 3: return 1.0f - y * y;
    default: return 1.0f;
  }
}

// Uniform draw at stream position p (section 1 layout: block p / 2, 64-bit word p % 2).
DL_HD double uniform_at(uint64_t seed, uint64_t p) {
  const Philox4 x = philox_block(seed, p >> 1);
  return (p & 1) ? uniform_from_bits(x.v[2], x.v[3]) : uniform_from_bits(x.v[0], x.v[1]);
}

// Gumbel(0, 1) from a uniform: g = −log(−log u) (u in (0,1), never 0 or 1).
DL_HD float gumbel_from_uniform(double u) { return static_cast<float>(-log(-log(u))); }

}  // namespace nn
}  // namespace dl
