// Serial Philox stream fills, used by the copula, aggregation and nn kernels inside their threads.
#pragma once
#include <stdint.h>

namespace dl {
void fill_uniform(uint64_t seed, uint64_t counter, double *out, int64_t n);
void fill_normal(uint64_t seed, uint64_t counter, double *out, int64_t n);
// u[i] -> -log(-log u[i]) (Gumbel(0, 1) from uniforms in (0, 1)); libmvec-vectorized when built with it.
void gumbel_in_place(double *u, int64_t n);
}  // namespace dl
