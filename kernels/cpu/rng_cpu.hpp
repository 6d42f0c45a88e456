// Serial Philox stream fills, used by the copula and aggregation kernels inside their threads.
#pragma once
#include <stdint.h>

namespace dl {
void fill_uniform(uint64_t seed, uint64_t counter, double *out, int64_t n);
void fill_normal(uint64_t seed, uint64_t counter, double *out, int64_t n);
}  // namespace dl
