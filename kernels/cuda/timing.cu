// Device-resident timings for the GPU check: the device work alone (no host transfers), timed
// with CUDA events on the library's stream, so achieved rates can be set against the card's
// measured copy bandwidth and cuBLAS rate.
#include "../common/last_error.hpp"
#include "../include/datalab_kernels.h"
#include "runtime.cuh"

using namespace dl::gpu;

// ---- device-resident timings ------------------------------------------------------------------
namespace timing {
// Runs `body` once to warm up, then `repetitions` times between CUDA events.
template <typename Body>
int time_on_stream(int repetitions, double *seconds, Body body) {
  if (repetitions < 1 || seconds == nullptr)
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "timing: repetitions must be >= 1 and seconds not null");
  int status = body();
  if (status != DL_OK) return status;
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  cudaEventRecord(start, stream());
  for (int r = 0; r < repetitions && status == DL_OK; ++r) status = body();
  cudaEventRecord(stop, stream());
  const int sync = check(cudaEventSynchronize(stop), "timing");
  float ms = 0;
  cudaEventElapsedTime(&ms, start, stop);
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  *seconds = ms / 1000.0 / repetitions;
  return status != DL_OK ? status : sync;
}
}  // namespace timing
using namespace timing;

extern "C" {

DL_API int dl_time_gemm_device(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, int use_own_kernel,
                               int repetitions, double *seconds) {
  if (m < 1 || n < 1 || k < 1) return dl::fail(DL_ERR_INVALID_ARGUMENT, "time_gemm_device: sizes must be >= 1");
  std::lock_guard<std::mutex> lock(device_mutex());
  int status = ensure_device("time_gemm_device");
  if (status != DL_OK) return status;
  float *a = static_cast<float *>(scratch(kSlotA, static_cast<size_t>(m * k) * 4, status));
  float *b = a == nullptr ? nullptr : static_cast<float *>(scratch(kSlotB, static_cast<size_t>(k * n) * 4, status));
  float *c = b == nullptr ? nullptr : static_cast<float *>(scratch(kSlotC, static_cast<size_t>(m * n) * 4, status));
  if (c == nullptr) return status;
  status = fill_uniform_device(a, m * k, 1);
  if (status == DL_OK) status = fill_uniform_device(b, k * n, 2);
  if (status != DL_OK) return status;
  return time_on_stream(repetitions, seconds, [&] {
    return gemm_device(trans_a != 0, trans_b != 0, m, n, k, 1.0f, a, b, 0.0f, c, use_own_kernel != 0);
  });
}

DL_API int dl_time_copy_device(uint64_t bytes, int repetitions, double *seconds) {
  if (bytes == 0) return dl::fail(DL_ERR_INVALID_ARGUMENT, "time_copy_device: bytes must be > 0");
  std::lock_guard<std::mutex> lock(device_mutex());
  int status = ensure_device("time_copy_device");
  if (status != DL_OK) return status;
  void *src = scratch(kSlotA, bytes, status);
  void *dst = src == nullptr ? nullptr : scratch(kSlotB, bytes, status);
  if (dst == nullptr) return status;
  return time_on_stream(repetitions, seconds, [&] {
    return check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream()), "device copy");
  });
}

DL_API int dl_time_aggregate_device(int64_t k, int64_t n, int repetitions, double *seconds) {
  if (k < 1 || n < 1) return dl::fail(DL_ERR_INVALID_ARGUMENT, "time_aggregate_device: k and n must be >= 1");
  std::lock_guard<std::mutex> lock(device_mutex());
  int status = ensure_device("time_aggregate_device");
  if (status != DL_OK) return status;
  float *u = static_cast<float *>(scratch(kSlotA, static_cast<size_t>(k * n) * 4, status));
  float *w = u == nullptr ? nullptr : static_cast<float *>(scratch(kSlotB, static_cast<size_t>(k) * 4, status));
  float *out = w == nullptr ? nullptr : static_cast<float *>(scratch(kSlotC, static_cast<size_t>(n) * 4, status));
  double *sums = out == nullptr ? nullptr : static_cast<double *>(scratch(kSlotD, static_cast<size_t>(2 * k) * 8, status));
  if (sums == nullptr) return status;
  status = fill_uniform_device(u, k * n, 3);
  if (status == DL_OK) status = fill_uniform_device(w, k, 4);
  if (status != DL_OK) return status;
  return time_on_stream(repetitions, seconds, [&] {
    return aggregate_device(u, k, n, w, 1.0, 0.01, 5, 0, out, sums);
  });
}

}  // extern "C"
