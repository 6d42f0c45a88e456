#include "thread_count.hpp"

#include <omp.h>

#include <atomic>

namespace {
std::atomic<int> g_threads{0};
}

namespace dl {
int worker_threads() {
  const int n = g_threads.load(std::memory_order_relaxed);
  return n > 0 ? n : omp_get_num_procs();
}
void set_worker_threads(int n) { g_threads.store(n > 0 ? n : 0, std::memory_order_relaxed); }
}  // namespace dl
