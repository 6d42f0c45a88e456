// Library identity and the one "device" of the CPU library: this machine's processor.
#include <omp.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>

#include "../common/last_error.hpp"
#include "../common/thread_count.hpp"
#include "../include/datalab_kernels.h"

namespace {
std::string cpu_model() {
  std::ifstream info("/proc/cpuinfo");
  std::string line;
  while (std::getline(info, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "CPU";
}
}  // namespace

extern "C" {

DL_API const char *dl_version(void) { return "datalab-kernels 0.1.0 cpu"; }

DL_API int dl_device_count(int *count) {
  if (count == nullptr) return dl::fail(DL_ERR_INVALID_ARGUMENT, "dl_device_count: count must not be null");
  *count = 1;
  return DL_OK;
}

DL_API const char *dl_no_device_reason(void) { return ""; }

DL_API int dl_device_info(int index, char *name, size_t name_capacity, uint64_t *memory_bytes, int *cc_major,
                          int *cc_minor) {
  if (index != 0) return dl::fail(DL_ERR_INVALID_ARGUMENT, "dl_device_info: the CPU library has one device (index 0)");
  const std::string model = cpu_model() + " (" + std::to_string(dl::worker_threads()) + " threads)";
  if (name != nullptr && name_capacity > 0) {
    std::snprintf(name, name_capacity, "%s", model.c_str());
  }
  if (memory_bytes != nullptr) {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    *memory_bytes = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
  }
  if (cc_major != nullptr) *cc_major = 0;
  if (cc_minor != nullptr) *cc_minor = 0;
  return DL_OK;
}

DL_API int dl_set_threads(int threads) {
  if (threads < 0) return dl::fail(DL_ERR_INVALID_ARGUMENT, "dl_set_threads: threads must be >= 0");
  dl::set_worker_threads(threads);
  return dl::worker_threads();
}

DL_API int dl_gemm_uses_cublas(void) { return 0; }
DL_API int dl_gemm_force_own_kernel(int) { return 0; }

}  // extern "C"

// Device-resident timings exist only in the CUDA library.
extern "C" {
DL_API int dl_time_gemm_device(int, int, int64_t, int64_t, int64_t, int, int, double *) {
  return dl::fail(DL_ERR_INVALID_ARGUMENT, "time_gemm_device: the CPU library has no device memory; use the CUDA library");
}
DL_API int dl_time_copy_device(uint64_t, int, double *) {
  return dl::fail(DL_ERR_INVALID_ARGUMENT, "time_copy_device: the CPU library has no device memory; use the CUDA library");
}
DL_API int dl_time_aggregate_device(int64_t, int64_t, int, double *) {
  return dl::fail(DL_ERR_INVALID_ARGUMENT, "time_aggregate_device: the CPU library has no device memory; use the CUDA library");
}
}
