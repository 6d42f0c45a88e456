// A barrier-free task pool for the CPU kernels. The caller runs tasks itself and helper threads
// join when they get a core: tasks are claimed from an atomic counter, and run() returns once
// every claimed task is done, without waiting for a helper that has not started. On a host with
// more runnable threads than cores an OpenMP team waits at each barrier for a descheduled member;
// this pool only waits for tasks already in progress. A helper polls for the next job for up to
// 0.5 ms before it sleeps (yielding between polls), so the back-to-back ops of a training step do
// not each pay a futex wake-up.
#pragma once
#include <stdint.h>

namespace dl {

using TaskBody = void (*)(void *context, int64_t task);

// Runs body(context, t) for t in [0, tasks) on up to `threads` threads (the caller included).
// Every task runs exactly once; which thread runs it is unspecified, so a task must write only
// its own outputs. Concurrent callers are safe: a caller that finds the pool busy runs alone.
void run_tasks(int64_t tasks, int threads, TaskBody body, void *context);

// Convenience wrapper for a lambda or any callable taking the task index.
template <typename F>
void run_tasks(int64_t tasks, int threads, F &&f) {
  run_tasks(
      tasks, threads, [](void *c, int64_t t) { (*static_cast<F *>(c))(t); }, static_cast<void *>(&f));
}

// Splits [0, n) into ranges of `chunk` elements and runs f(begin, end) for each on the pool.
template <typename F>
void run_ranges(int64_t n, int64_t chunk, int threads, F &&f) {
  run_tasks((n + chunk - 1) / chunk, threads, [&](int64_t t) {
    const int64_t begin = t * chunk, end = n - begin < chunk ? n : begin + chunk;
    f(begin, end);
  });
}

}  // namespace dl
