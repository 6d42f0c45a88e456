// Barrier-free task pool (see task_pool.hpp). One job at a time: a 64-bit state word holds the
// job's generation (high 32 bits) and the next unclaimed task (low 32 bits), so a helper that
// wakes late for an old job cannot claim a task of the next one (its compare-exchange fails).
#include "task_pool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace dl {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#endif
}

class Pool {
 public:
  void run(int64_t tasks, int threads, TaskBody body, void *context) {
    bool expected = false;
    if (threads <= 1 || tasks <= 1 || tasks >= (int64_t{1} << 31) || !busy_.compare_exchange_strong(expected, true)) {
      for (int64_t t = 0; t < tasks; ++t) body(context, t);
      return;
    }
    ensure_helpers(threads - 1);
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      gen = ++generation_;
      body_.store(body, std::memory_order_relaxed);
      context_.store(context, std::memory_order_relaxed);
      tasks_.store(tasks, std::memory_order_relaxed);
      helpers_allowed_ = threads - 1;
      done_.store(0, std::memory_order_relaxed);
      state_.store(gen << 32, std::memory_order_release);
    }
    wake_.notify_all();
    work(gen, tasks);
    // Wait only for tasks that a helper claimed and is still running.
    for (int spins = 0; done_.load(std::memory_order_acquire) != tasks; ++spins) {
      if (spins < 4096) {
        cpu_relax();
      } else {
        std::this_thread::yield();
      }
    }
    busy_.store(false, std::memory_order_release);
  }

 private:
  // Claims and runs tasks of generation gen (of `tasks` tasks) until none is left (or the job
  // changed). The count is the job's own, read with its generation under mutex_: a helper holding
  // a stale state word of a finished job must not compare its index with the next job's count
  // (tasks_ is stored before state_), or its compare-exchange could claim a task past the end,
  // run it, and count it into the next job's done_ (which then never equals that job's count).
  void work(uint64_t gen, int64_t tasks) {
    for (;;) {
      uint64_t s = state_.load(std::memory_order_acquire);
      if ((s >> 32) != (gen & 0xffffffffu) || static_cast<int64_t>(s & 0xffffffffu) >= tasks) return;
      if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) continue;
      // The claim succeeded with this job's generation: the job stays current until this task is done.
      body_.load(std::memory_order_relaxed)(context_.load(std::memory_order_relaxed), static_cast<int64_t>(s & 0xffffffffu));
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void ensure_helpers(int count) {
    std::lock_guard<std::mutex> lock(mutex_);
    while (static_cast<int>(helpers_) < count) {
      const int index = helpers_++;
      std::thread([this, index] { helper(index); }).detach();
    }
  }

  void helper(int index) {
    uint64_t seen = 0;
    for (;;) {
      // A training step issues its ops microseconds apart: a helper that spins a moment before
      // sleeping joins the next job at once instead of after a futex wake-up (tens of µs on a
      // VM, longer than many of the ops). Bounded, so an idle process stops using the core.
      spin_for_next_job(seen);
      uint64_t gen;
      int64_t tasks;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        gen = seen = generation_;
        tasks = tasks_.load(std::memory_order_relaxed);
        if (index >= helpers_allowed_) continue;
      }
      work(gen, tasks);
    }
  }

  // Polls the published generation (the high half of state_) for up to kSpinMicroseconds. After
  // the first polls it yields between polls: on an idle core that returns at once, and on an
  // oversubscribed host the core goes to a runnable thread (the caller's, too) instead of this
  // spin.
  void spin_for_next_job(uint64_t seen) {
    constexpr auto kSpin = std::chrono::microseconds(kSpinMicroseconds);
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int polls = 1;; ++polls) {
      if ((state_.load(std::memory_order_acquire) >> 32) != (seen & 0xffffffffu)) return;
      if (polls < 256) {
        cpu_relax();
      } else {
        std::this_thread::yield();
      }
      if (polls % 64 == 0 && std::chrono::steady_clock::now() >= until) return;
    }
  }

  static constexpr int kSpinMicroseconds = 500;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> busy_{false};
  std::atomic<uint64_t> state_{0};
  std::atomic<int64_t> done_{0};
  uint64_t generation_ = 0;  // guarded by mutex_ (also read by work() through state_)
  int helpers_ = 0;
  int helpers_allowed_ = 0;
  // The current job, written under mutex_ before state_ is released.
  std::atomic<TaskBody> body_{nullptr};
  std::atomic<void *> context_{nullptr};
  std::atomic<int64_t> tasks_{0};
};

Pool &pool() {
  static Pool *instance = new Pool();  // never destroyed: helpers are detached and outlive main
  return *instance;
}

}  // namespace

void run_tasks(int64_t tasks, int threads, TaskBody body, void *context) {
  if (tasks <= 0) return;
  pool().run(tasks, threads, body, context);
}

}  // namespace dl
