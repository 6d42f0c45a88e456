#include "argument_checks.hpp"

#include <cmath>

#include "../include/datalab_kernels.h"
#include "last_error.hpp"
#include "mixed_rows.hpp"
#include "philox.hpp"

namespace dl {

std::string gemm_problem(int64_t m, int64_t n, int64_t k, const float *a, const float *b, const float *c) {
  if (m < 0 || n < 0 || k < 0) return "m, n and k must be >= 0";
  if ((m * k > 0 && a == nullptr) || (k * n > 0 && b == nullptr) || (m * n > 0 && c == nullptr))
    return "matrix buffers must not be null";
  return "";
}

std::string aggregate_problem(const float *updates, int64_t k, int64_t n, const float *weights, double clip,
                              double noise_std, const float *out, const float *norms_out) {
  if (k < 0 || n < 0) return "k and n must be >= 0";
  if ((k * n > 0 && updates == nullptr) || (k > 0 && (weights == nullptr || norms_out == nullptr)) ||
      (n > 0 && out == nullptr))
    return "buffers must not be null";
  if (std::isnan(clip)) return "clip must not be NaN";
  if (!(noise_std >= 0) || std::isinf(noise_std)) return "noise_std must be finite and >= 0";
  return "";
}

std::string philox_out_problem(const double *out, size_t n) { return n > 0 && out == nullptr ? "out must not be null" : ""; }

int philox4x32_raw_host(uint32_t key0, uint32_t key1, const uint32_t ctr_in[4], uint32_t *out, size_t blocks) {
  if (ctr_in == nullptr || (blocks > 0 && out == nullptr))
    return fail(DL_ERR_INVALID_ARGUMENT, "philox4x32_raw: ctr_in and out must not be null");
  // Blocks count up in the 128-bit counter (little-endian words), as Random123 does.
  uint32_t c[4] = {ctr_in[0], ctr_in[1], ctr_in[2], ctr_in[3]};
  for (size_t b = 0; b < blocks; ++b) {
    const Philox4 x = philox4x32_10(c[0], c[1], c[2], c[3], key0, key1);
    for (int w = 0; w < 4; ++w) out[b * 4 + w] = x.v[w];
    for (int w = 0; w < 4 && ++c[w] == 0; ++w) {
    }
  }
  return DL_OK;
}

int match_rows_checked(int64_t rows_a, const double *a_numeric, const int32_t *a_categorical, int64_t rows_b,
                       const double *b_numeric, const int32_t *b_categorical, int64_t numeric_count,
                       int64_t categorical_count, double rel_tolerance, uint8_t *matched) {
  if (rows_a < 0 || rows_b < 0 || numeric_count < 0 || categorical_count < 0)
    return fail(DL_ERR_INVALID_ARGUMENT, "match_rows: row and column counts must be >= 0");
  if (!(rel_tolerance >= 0)) return fail(DL_ERR_INVALID_ARGUMENT, "match_rows: rel_tolerance must be >= 0");
  if (rows_a > 0 && matched == nullptr) return fail(DL_ERR_INVALID_ARGUMENT, "match_rows: matched must not be null");
  if ((numeric_count > 0 && ((rows_a > 0 && a_numeric == nullptr) || (rows_b > 0 && b_numeric == nullptr))) ||
      (categorical_count > 0 && ((rows_a > 0 && a_categorical == nullptr) || (rows_b > 0 && b_categorical == nullptr))))
    return fail(DL_ERR_INVALID_ARGUMENT, "match_rows: input buffers must not be null");
  return match_rows_host(rows_a, a_numeric, a_categorical, rows_b, b_numeric, b_categorical, numeric_count,
                         categorical_count, rel_tolerance, matched);
}

}  // namespace dl
