// Gaussian-copula sampling pass on the CPU: threads take chunks of rows dynamically (a core
// slowed by other work on a shared machine does not hold the other back). A chunk's normals are
// one contiguous piece of the Philox stream (row-major positions (offset + row) * d + j), so a
// row gets the same numbers whatever the chunking, the thread count or the device.
#include <omp.h>

#include <algorithm>
#include <vector>

#include "../common/thread_count.hpp"
#include "../common/copula_math.hpp"
#include "../common/copula_validate.hpp"
#include "../common/last_error.hpp"
#include "../include/datalab_kernels.h"
#include "rng_cpu.hpp"

namespace {

constexpr int64_t kRowsPerChunk = 512;

struct Columns {
  const int32_t *kind;
  const int64_t *offset;
  const int64_t *length;
  const double *tables;
  const double *z_min;
  const double *z_max;
};

// z = mean + L eps for rows [row0, row0 + count) into zbuf (count x d, row-major).
void correlate(int64_t row0, int64_t count, int64_t d, const double *chol, const double *mean, const double *eps,
               double *zbuf) {
  for (int64_t r = 0; r < count; ++r) {
    const double *e = eps + r * d;
    double *z = zbuf + r * d;
    const double *m = mean != nullptr ? mean + (row0 + r) * d : nullptr;
    for (int64_t i = 0; i < d; ++i) {
      const double *li = chol + i * d;
      double s = 0.0;
      for (int64_t j = 0; j <= i; ++j) s += li[j] * e[j];
      z[i] = m != nullptr ? m[i] + s : s;
    }
  }
}

int run_pass(int64_t rows, int64_t d, const double *chol, const double *mean, const Columns *cols, uint64_t seed,
             uint64_t counter_offset, double *out) {
  const int64_t chunks = (rows + kRowsPerChunk - 1) / kRowsPerChunk;
// One chunk (a small call, e.g. a 100-row service task) runs on the calling thread: starting a
  // team and leaving its threads spinning costs more CPU than the chunk itself.
#pragma omp parallel num_threads(dl::worker_threads()) if (chunks > 1)
  {
    std::vector<double> eps(static_cast<size_t>(kRowsPerChunk * d));
    std::vector<double> zbuf(static_cast<size_t>(kRowsPerChunk * d));
#pragma omp for schedule(dynamic, 1)
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      const int64_t row0 = chunk * kRowsPerChunk;
      const int64_t count = std::min(kRowsPerChunk, rows - row0);
      dl::fill_normal(seed, (counter_offset + static_cast<uint64_t>(row0)) * static_cast<uint64_t>(d), eps.data(),
                      count * d);
      correlate(row0, count, d, chol, mean, eps.data(), zbuf.data());
      for (int64_t c = 0; c < d; ++c) {
        double *dst = out + c * rows + row0;
        if (cols == nullptr) {
          for (int64_t r = 0; r < count; ++r) dst[r] = zbuf[r * d + c];
          continue;
        }
        const double *table = cols->tables + cols->offset[c];
        const int64_t len = cols->length[c];
        if (cols->kind[c] == DL_COLUMN_NUMERIC) {
          const double lo = cols->z_min[c], hi = cols->z_max[c];
          for (int64_t r = 0; r < count; ++r) dst[r] = dl::interpolate_table(table, len, lo, hi, zbuf[r * d + c]);
        } else {
          for (int64_t r = 0; r < count; ++r) dst[r] = dl::categorical_index(table, len, zbuf[r * d + c]);
        }
      }
    }
  }
  return DL_OK;
}

}  // namespace

extern "C" {

DL_API int dl_copula_sample(int64_t rows, int64_t d, const double *cholesky, const double *mean, const int32_t *kind,
                            const int64_t *table_offset, const int64_t *table_length, const double *tables,
                            int64_t tables_total, const double *z_min, const double *z_max, uint64_t seed,
                            uint64_t counter_offset, double *out) {
  const std::string problem = dl::validate_copula_request(rows, d, cholesky, kind, table_offset, table_length, tables,
                                                          tables_total, z_min, z_max, out, true);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "copula_sample: " + problem);
  const Columns cols{kind, table_offset, table_length, tables, z_min, z_max};
  return run_pass(rows, d, cholesky, mean, &cols, seed, counter_offset, out);
}

DL_API int dl_copula_normal_scores(int64_t rows, int64_t d, const double *cholesky, const double *mean, uint64_t seed,
                                   uint64_t counter_offset, double *out) {
  const std::string problem = dl::validate_copula_request(rows, d, cholesky, nullptr, nullptr, nullptr, nullptr, 0,
                                                          nullptr, nullptr, out, false);
  if (!problem.empty()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "copula_normal_scores: " + problem);
  return run_pass(rows, d, cholesky, mean, nullptr, seed, counter_offset, out);
}

}  // extern "C"
