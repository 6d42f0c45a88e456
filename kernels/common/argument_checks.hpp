// Host-side argument checks and host-only entry points shared by the CPU and CUDA libraries, so
// both reject the same inputs with the same messages (each returns "" when the arguments are fine;
// the caller prefixes the function name and passes the message to dl::fail).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <string>

namespace dl {

std::string gemm_problem(int64_t m, int64_t n, int64_t k, const float *a, const float *b, const float *c);
std::string aggregate_problem(const float *updates, int64_t k, int64_t n, const float *weights, double clip,
                              double noise_std, const float *out, const float *norms_out);
std::string philox_out_problem(const double *out, size_t n);

// dl_philox4x32_raw: known-answer vectors are host-side facts, identical in both libraries.
int philox4x32_raw_host(uint32_t key0, uint32_t key1, const uint32_t ctr_in[4], uint32_t *out, size_t blocks);

// dl_match_rows: hash-based, no all-pairs work, so both libraries run it on the host.
int match_rows_checked(int64_t rows_a, const double *a_numeric, const int32_t *a_categorical, int64_t rows_b,
                       const double *b_numeric, const int32_t *b_categorical, int64_t numeric_count,
                       int64_t categorical_count, double rel_tolerance, uint8_t *matched);

}  // namespace dl
