// Worker threads of the CPU kernels, process-wide (dl_set_threads). omp_set_num_threads would
// only affect the calling thread, and koffi's async calls run on other threads, so every
// parallel region names its team size with num_threads(dl::worker_threads()).
#pragma once

namespace dl {
int worker_threads();            // the configured count, or all processors when unset (0)
void set_worker_threads(int n);  // 0 = all processors
}  // namespace dl
