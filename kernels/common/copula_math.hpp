// The per-column inverse marginal of the copula pass, shared by the CPU and CUDA libraries,
// and the host-side validation of a sampling request.
#pragma once
#include <math.h>
#include <stdint.h>

#include "philox.hpp"


namespace dl {

// Numeric: table[k] = F^-1(Phi(z_min + k (z_max - z_min)/(K-1))); linear interpolation between
// grid points, clamped to the end values outside [z_min, z_max]. Error against the exact
// F^-1(Phi(z)) is the interpolation error of the table (the generator picks K).
DL_HD double interpolate_table(const double *table, int64_t length, double z_min, double z_max, double z) {
  if (length == 1) return table[0];
  const double t = (z - z_min) / (z_max - z_min) * static_cast<double>(length - 1);
  if (t != t) return t;  // NaN z (NaN mean): NaN out
  if (t <= 0.0) return table[0];
  if (t >= static_cast<double>(length - 1)) return table[length - 1];
  const int64_t i = static_cast<int64_t>(t);
  const double f = t - static_cast<double>(i);
  return table[i] + f * (table[i + 1] - table[i]);
}

// Categorical: index of the first upper bound with z < bound (binary search over ascending
// bounds); z beyond the last bound gives the last category.
DL_HD double categorical_index(const double *bounds, int64_t length, double z) {
  if (z != z) return z;
  int64_t lo = 0, hi = length - 1;  // answer in [lo, hi]
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (z < bounds[mid]) hi = mid;
    else lo = mid + 1;
  }
  return static_cast<double>(lo);
}


}  // namespace dl
