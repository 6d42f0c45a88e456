// Host-side validation of a copula sampling request (shared by both libraries).
#pragma once
#include <stdint.h>

#include <string>

namespace dl {
// Returns "" when the request is valid, else a one-line description of the first problem.
std::string validate_copula_request(int64_t rows, int64_t d, const double *cholesky, const int32_t *kind,
                                    const int64_t *table_offset, const int64_t *table_length, const double *tables,
                                    int64_t tables_total, const double *z_min, const double *z_max, const double *out,
                                    bool with_columns);
}  // namespace dl
