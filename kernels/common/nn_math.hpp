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

// Calls visit(i, u) for every draw i in [0, n) at stream positions counter + i, computing each
// Philox block once for its two uniforms (half the work of uniform_at per element). Blocks
// [first, last] are independent, so callers may split the block range between threads.
template <typename Visit>
DL_HD void for_each_uniform_in_blocks(uint64_t seed, uint64_t counter, int64_t n, int64_t first_block_offset,
                                       int64_t block_count, Visit visit) {
  const uint64_t first = counter >> 1;
  for (int64_t k = first_block_offset; k < first_block_offset + block_count; ++k) {
    const uint64_t block = first + static_cast<uint64_t>(k);
    const Philox4 x = philox_block(seed, block);
    const int64_t i0 = static_cast<int64_t>(2 * block - counter);  // draw index of word 0 (may be -1)
    if (i0 >= 0 && i0 < n) visit(i0, uniform_from_bits(x.v[0], x.v[1]));
    if (i0 + 1 >= 0 && i0 + 1 < n) visit(i0 + 1, uniform_from_bits(x.v[2], x.v[3]));
  }
}

// Number of Philox blocks covering draws counter .. counter + n − 1.
DL_HD int64_t blocks_covering(uint64_t counter, int64_t n) {
  if (n <= 0) return 0;
  return static_cast<int64_t>(((counter + static_cast<uint64_t>(n) - 1) >> 1) - (counter >> 1) + 1);
}

// Gumbel(0, 1) from a uniform: g = −log(−log u) (u in (0,1), never 0 or 1).
DL_HD float gumbel_from_uniform(double u) { return static_cast<float>(-log(-log(u))); }

}  // namespace nn
}  // namespace dl
