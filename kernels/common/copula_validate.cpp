#include "copula_validate.hpp"

#include <cmath>

namespace dl {
std::string validate_copula_request(int64_t rows, int64_t d, const double *cholesky, const int32_t *kind,
                                    const int64_t *table_offset, const int64_t *table_length, const double *tables,
                                    int64_t tables_total, const double *z_min, const double *z_max, const double *out,
                                    bool with_columns) {
  if (rows < 0) return "rows must be >= 0";
  if (d < 1) return "the copula needs at least one column (d >= 1)";
  if (cholesky == nullptr) return "cholesky must not be null";
  if (rows > 0 && out == nullptr) return "out must not be null";
  if (!with_columns) return "";
  if (kind == nullptr || table_offset == nullptr || table_length == nullptr || z_min == nullptr || z_max == nullptr)
    return "column descriptions (kind, table_offset, table_length, z_min, z_max) must not be null";
  if (tables_total < 0 || (tables_total > 0 && tables == nullptr)) return "tables must not be null";
  for (int64_t c = 0; c < d; ++c) {
    const std::string at = "column " + std::to_string(c) + ": ";
    if (kind[c] != 0 && kind[c] != 1) return at + "kind must be 0 (numeric) or 1 (categorical)";
    if (table_length[c] < 1) return at + "its table is empty";
    if (table_offset[c] < 0 || table_offset[c] > tables_total - table_length[c])
      return at + "table_offset/table_length point outside the tables buffer";
    if (kind[c] == 0 && table_length[c] > 1 && !(z_max[c] > z_min[c]) )
      return at + "z_max must be greater than z_min";
    if (kind[c] == 0 && (!std::isfinite(z_min[c]) || !std::isfinite(z_max[c])))
      return at + "z_min and z_max must be finite";
  }
  return "";
}
}  // namespace dl
