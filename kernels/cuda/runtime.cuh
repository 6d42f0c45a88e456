// CUDA-side plumbing shared by the kernels: device discovery (without a driver the library
// still loads and reports why there is no device), one stream, scratch device buffers that are
// allocated once and grown on demand (no managed memory), and cuBLAS loaded with dlopen.
#pragma once
#include <cuda_runtime.h>
#include <stdint.h>

#include <mutex>
#include <string>

namespace dl {
namespace gpu {

// Serializes all device work of this library (koffi async calls may arrive concurrently).
std::mutex &device_mutex();

// DL_OK when device 0 is initialized (first call does the work); otherwise records why not.
int ensure_device(const char *what);
cudaStream_t stream();

// Converts a CUDA error into a recorded DL_ERR_DEVICE / DL_ERR_OUT_OF_MEMORY.
int check(cudaError_t status, const char *what);

// Scratch slots: each a device buffer reused across calls, grown when a call needs more.
enum Slot : int {
  kSlotA = 0,
  kSlotB,
  kSlotC,
  kSlotD,
  kSlotE,
  kSlotF,
  kSlotG,
  kSlotH,
  kSlotCount
};
// Device pointer of at least `bytes` in `slot` (contents undefined), or nullptr with the error
// recorded in `status`.
void *scratch(Slot slot, size_t bytes, int &status);

// Copies host -> device slot (grows it); returns the device pointer or nullptr.
void *upload(Slot slot, const void *host, size_t bytes, int &status);

// cuBLAS, when a libcublas could be dlopen'ed: sgemm on row-major operands (device pointers).
bool cublas_ready();
int cublas_sgemm_row_major(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                           const float *b, float beta, float *c);
bool own_gemm_forced();

// GEMM dispatch on device pointers (cuBLAS when loaded unless force_own), on stream().
int gemm_device(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                const float *b, float beta, float *c, bool force_own);
// Aggregation on device pointers; `sums` holds 2k doubles of scratch.
int aggregate_device(const float *updates, int64_t k, int64_t n, const float *weights, double clip, double noise_std,
                     uint64_t seed, uint64_t counter, float *out, double *sums);
// x[i] = U(-0.5, 0.5) from Philox(seed), for timing inputs.
int fill_uniform_device(float *x, int64_t count, uint64_t seed);

// The own GEMM kernel (row-major, device pointers), launched on stream().
int own_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
              const float *b, float beta, float *c);

}  // namespace gpu
}  // namespace dl
