#include "thread_count.hpp"
#include "mixed_rows.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace dl {
namespace {

// Codes of the distinct values of one column over A and B (NaN = -1; -0 and +0 are one value).
void code_column(const double *a, const double *b, int64_t rows_a, int64_t rows_b, int64_t stride, float *fa,
                 int64_t fa_stride, float *fb) {
  std::unordered_map<double, int32_t> codes;
  auto code_of = [&](double x) -> float {
    if (std::isnan(x)) return -1.0f;
    const auto found = codes.emplace(x + 0.0, static_cast<int32_t>(codes.size()));
    return static_cast<float>(found.first->second);
  };
  for (int64_t r = 0; r < rows_a; ++r) fa[r * fa_stride] = code_of(a[r * stride]);
  for (int64_t r = 0; r < rows_b; ++r) fb[r] = code_of(b[r * stride]);
}

// Same for integer codes too large for float32 to keep distinct (|code| > 2^24).
void recode_categorical(const int32_t *a, const int32_t *b, int64_t rows_a, int64_t rows_b, int64_t stride, float *fa,
                        int64_t fa_stride, float *fb) {
  std::unordered_map<int32_t, int32_t> codes;
  auto code_of = [&](int32_t x) -> float {
    if (x == -1) return -1.0f;
    const auto found = codes.emplace(x, static_cast<int32_t>(codes.size()));
    return static_cast<float>(found.first->second);
  };
  for (int64_t r = 0; r < rows_a; ++r) fa[r * fa_stride] = code_of(a[r * stride]);
  for (int64_t r = 0; r < rows_b; ++r) fb[r] = code_of(b[r * stride]);
}

float scale_value(double x, double offset, double inv_range) {
  if (std::isnan(x)) return kNullSentinel;
  double v = inv_range == 0.0 ? 0.0 : (x - offset) * inv_range;
  if (std::isnan(v)) v = 0.0;  // inf - inf offset: both infinite, treat as equal position
  v = std::min(std::max(v, -kClampScaled), kClampScaled);
  return static_cast<float>(v);
}

}  // namespace

bool prepare_mixed_features(int64_t rows_a, const double *a_num, const int32_t *a_cat, int64_t rows_b,
                            const double *b_num, const int32_t *b_cat, int64_t num, int64_t cat,
                            const double *inv_range, MixedFeatures &out, std::string &error) {
  if (rows_a < 0 || rows_b < 0 || num < 0 || cat < 0) {
    error = "row and column counts must be >= 0";
    return false;
  }
  if (num + cat == 0) {
    error = "the distance needs at least one numeric or categorical column";
    return false;
  }
  if (rows_a > INT32_MAX || rows_b > INT32_MAX) {
    error = "at most 2^31-1 rows per table (indices are int32)";
    return false;
  }
  if (num > 0 && ((rows_a > 0 && a_num == nullptr) || (rows_b > 0 && b_num == nullptr) || inv_range == nullptr)) {
    error = "numeric buffers and inv_range must not be null when numeric_count > 0";
    return false;
  }
  if (cat > 0 && ((rows_a > 0 && a_cat == nullptr) || (rows_b > 0 && b_cat == nullptr))) {
    error = "categorical buffers must not be null when categorical_count > 0";
    return false;
  }
  for (int64_t i = 0; i < num; ++i) {
    if (std::isnan(inv_range[i]) || inv_range[i] < 0) {
      error = "inv_range[" + std::to_string(i) + "] must be >= 0 (1/range of the real column, +inf for a constant column)";
      return false;
    }
  }
  const int64_t d = num + cat;
  out.columns = d;
  out.rows_a = rows_a;
  out.rows_b = rows_b;
  out.padded_b = (rows_b + kPadRows - 1) / kPadRows * kPadRows;
  out.a.assign(static_cast<size_t>(rows_a * d), 0.0f);
  out.b.assign(static_cast<size_t>(d * out.padded_b), 0.0f);
  int64_t scaled_columns = 0;
  double largest = 0.0;
  for (int64_t c = 0; c < num; ++c) {
    float *fa = out.a.data() + c;
    float *fb = out.b.data() + c * out.padded_b;
    if (std::isinf(inv_range[c])) {
      code_column(a_num + c, b_num + c, rows_a, rows_b, num, fa, d, fb);
      continue;
    }
    double offset = INFINITY;
    for (int64_t r = 0; r < rows_a; ++r) {
      const double x = a_num[r * num + c];
      if (std::isfinite(x)) offset = std::min(offset, x);
    }
    for (int64_t r = 0; r < rows_b && !std::isfinite(offset); ++r) {
      const double x = b_num[r * num + c];
      if (std::isfinite(x)) offset = x;
    }
    if (!std::isfinite(offset)) offset = 0.0;
    for (int64_t r = 0; r < rows_a; ++r) fa[r * d] = scale_value(a_num[r * num + c], offset, inv_range[c]);
    for (int64_t r = 0; r < rows_b; ++r) fb[r] = scale_value(b_num[r * num + c], offset, inv_range[c]);
    ++scaled_columns;
    for (int64_t r = 0; r < rows_a; ++r) {
      if (fa[r * d] != kNullSentinel) largest = std::max(largest, static_cast<double>(std::abs(fa[r * d])));
    }
    for (int64_t r = 0; r < rows_b; ++r) {
      if (fb[r] != kNullSentinel) largest = std::max(largest, static_cast<double>(std::abs(fb[r])));
    }
  }
  for (int64_t c = 0; c < cat; ++c) {
    float *fa = out.a.data() + num + c;
    float *fb = out.b.data() + (num + c) * out.padded_b;
    bool small = true;
    for (int64_t r = 0; r < rows_a && small; ++r) small = std::abs(static_cast<int64_t>(a_cat[r * cat + c])) <= (1 << 24);
    for (int64_t r = 0; r < rows_b && small; ++r) small = std::abs(static_cast<int64_t>(b_cat[r * cat + c])) <= (1 << 24);
    if (!small) {
      recode_categorical(a_cat + c, b_cat + c, rows_a, rows_b, cat, fa, d, fb);
      continue;
    }
    for (int64_t r = 0; r < rows_a; ++r) fa[r * d] = static_cast<float>(a_cat[r * cat + c]);
    for (int64_t r = 0; r < rows_b; ++r) fb[r] = static_cast<float>(b_cat[r * cat + c]);
  }
  // Integer-valued sums (coded columns only) are exact in float32 below 2^24; see the header.
  const double unit = std::ldexp(1.0, -24);
  const double dd = static_cast<double>(d);
  out.sum_error_bound = scaled_columns == 0 ? 0.0 : 1.5 * unit * (4.0 * scaled_columns * (largest + 1.0) + dd * dd);
  return true;
}

double exact_distance(const double *a_num, const int32_t *a_cat, const double *b_num, const int32_t *b_cat,
                      int64_t num, int64_t cat, const double *inv_range) {
  double sum = 0.0;
  for (int64_t i = 0; i < num; ++i) {
    const double x = a_num[i], y = b_num[i];
    const bool xn = std::isnan(x), yn = std::isnan(y);
    if (xn && yn) continue;
    if (xn || yn) {
      sum += 1.0;
      continue;
    }
    if (x == y) continue;
    sum += std::min(std::abs(x - y) * inv_range[i], 1.0);
  }
  for (int64_t j = 0; j < cat; ++j) sum += a_cat[j] != b_cat[j] ? 1.0 : 0.0;
  return sum / static_cast<double>(num + cat);
}

namespace {

// Keeps the k (<= 2) best (distance, index) pairs, ascending, ties to the lower index.
struct ExactBest {
  double dist[2] = {INFINITY, INFINITY};
  int32_t index[2] = {-1, -1};
  void offer(int k, double d, int32_t j) {
    for (int i = 0; i < k; ++i) {
      if (index[i] < 0 || d < dist[i] || (d == dist[i] && j < index[i])) {
        for (int m = k - 1; m > i; --m) dist[m] = dist[m - 1], index[m] = index[m - 1];
        dist[i] = d, index[i] = j;
        return;
      }
    }
  }
};

}  // namespace

int64_t finalize_topk(const std::vector<TopK> &best, int slots, int k, bool exclude_same, double sum_error_bound,
                      int64_t rows_a, int64_t rows_b, const double *a_num, const int32_t *a_cat, const double *b_num,
                      const int32_t *b_cat, int64_t num, int64_t cat, const double *inv_range, double *out_distance,
                      int32_t *out_index) {
  int64_t rescanned = 0;
  auto distance = [&](int64_t r, int64_t j) {
    return exact_distance(num > 0 ? a_num + r * num : nullptr, cat > 0 ? a_cat + r * cat : nullptr,
                          num > 0 ? b_num + j * num : nullptr, cat > 0 ? b_cat + j * cat : nullptr, num, cat, inv_range);
  };
#pragma omp parallel for num_threads(dl::worker_threads()) schedule(dynamic, 4096) reduction(+ : rescanned)
  for (int64_t r = 0; r < rows_a; ++r) {
    const TopK &t = best[static_cast<size_t>(r)];
    int kept = 0;
    while (kept < slots && t.index[kept] >= 0) ++kept;
    ExactBest exact;
    if (kept >= k) {
      const double window = static_cast<double>(t.dist[k - 1]) + 2.0 * sum_error_bound;
      // A full list whose last entry is inside the window may hide more rows that close.
      if (sum_error_bound > 0.0 && kept == slots && static_cast<double>(t.dist[slots - 1]) <= window) {
        ++rescanned;
        for (int64_t j = 0; j < rows_b; ++j) {
          if (!(exclude_same && j == r)) exact.offer(k, distance(r, j), static_cast<int32_t>(j));
        }
      } else {
        for (int i = 0; i < kept && static_cast<double>(t.dist[i]) <= window; ++i) exact.offer(k, distance(r, t.index[i]), t.index[i]);
      }
    } else {
      for (int i = 0; i < kept; ++i) exact.offer(k, distance(r, t.index[i]), t.index[i]);
    }
    for (int i = 0; i < k; ++i) {
      out_distance[r * k + i] = exact.dist[i];
      out_index[r * k + i] = exact.index[i];
    }
  }
  return rescanned;
}

namespace {
bool numeric_equal(double a, double b, double tol) {
  const bool an = std::isnan(a), bn = std::isnan(b);
  if (an || bn) return an && bn;
  return a == b || std::abs(a - b) <= tol * std::abs(a);
}
}  // namespace

int match_rows_host(int64_t rows_a, const double *a_num, const int32_t *a_cat, int64_t rows_b, const double *b_num,
                    const int32_t *b_cat, int64_t num, int64_t cat, double rel_tolerance, uint8_t *matched) {
  struct Group {
    std::vector<int64_t> nulls;                       // rows whose first numeric is NaN
    std::vector<std::pair<double, int64_t>> sorted;   // (first numeric, row), ascending
  };
  std::unordered_map<std::string, Group> groups;
  const size_t key_bytes = static_cast<size_t>(cat) * sizeof(int32_t);
  std::string key(key_bytes, '\0');
  for (int64_t r = 0; r < rows_b; ++r) {
    if (cat > 0) std::memcpy(key.data(), b_cat + r * cat, key_bytes);
    Group &g = groups[key];
    if (num == 0) continue;
    const double x = b_num[r * num];
    if (std::isnan(x)) g.nulls.push_back(r);
    else g.sorted.emplace_back(x + 0.0, r);
  }
  for (auto &entry : groups) std::sort(entry.second.sorted.begin(), entry.second.sorted.end());

#pragma omp parallel for num_threads(dl::worker_threads()) schedule(dynamic, 1024)
  for (int64_t r = 0; r < rows_a; ++r) {
    std::string own(key_bytes, '\0');
    if (cat > 0) std::memcpy(own.data(), a_cat + r * cat, key_bytes);
    const auto found = groups.find(own);
    uint8_t hit = 0;
    if (found != groups.end()) {
      if (num == 0) {
        hit = 1;
      } else {
        const Group &g = found->second;
        const double *row = a_num + r * num;
        auto full_check = [&](int64_t j) {
          const double *other = b_num + j * num;
          for (int64_t c = 0; c < num; ++c) {
            if (!numeric_equal(row[c], other[c], rel_tolerance)) return false;
          }
          return true;
        };
        const double x = row[0];
        if (std::isnan(x)) {
          for (int64_t j : g.nulls) {
            if (full_check(j)) { hit = 1; break; }
          }
        } else {
          const double slack = std::isinf(x) ? 0.0 : rel_tolerance * std::abs(x);
          const double lo = x - slack, hi = x + slack;
          auto it = std::lower_bound(g.sorted.begin(), g.sorted.end(), std::make_pair(lo, INT64_MIN));
          for (; it != g.sorted.end() && it->first <= hi; ++it) {
            if (full_check(it->second)) { hit = 1; break; }
          }
        }
      }
    }
    matched[r] = hit;
  }
  return 0;
}

}  // namespace dl
