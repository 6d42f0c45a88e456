#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "../common/last_error.hpp"
#include "../include/datalab_kernels.h"
#include "runtime.cuh"

namespace dl {
namespace gpu {
namespace {

struct DeviceState {
  bool initialized = false;
  int count = 0;
  std::string no_device_reason;
  cudaStream_t stream = nullptr;
  void *slots[kSlotCount] = {};
  size_t slot_bytes[kSlotCount] = {};
};

DeviceState &state() {
  static DeviceState s;
  return s;
}

std::once_flag g_probe_once;

// Probes the devices once; never throws, never aborts without a driver (error 35 there).
void probe() {
  DeviceState &s = state();
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    s.count = 0;
    s.no_device_reason = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(status) + " (error " +
                         std::to_string(static_cast<int>(status)) + ")";
    cudaGetLastError();  // clear the sticky error state
    return;
  }
  s.count = count;
  if (count == 0) s.no_device_reason = "the CUDA runtime sees 0 devices (check CUDA_VISIBLE_DEVICES)";
}

// ---- cuBLAS through dlopen: only the four entry points used, declared here ----------------
using cublasHandle_t = void *;
using CublasCreate = int (*)(cublasHandle_t *);
using CublasSetStream = int (*)(cublasHandle_t, cudaStream_t);
using CublasSgemm = int (*)(cublasHandle_t, int, int, int, int, int, const float *, const float *, int, const float *,
                            int, const float *, float *, int);
constexpr int kCublasOpN = 0, kCublasOpT = 1;

struct Cublas {
  bool tried = false;
  void *library = nullptr;
  cublasHandle_t handle = nullptr;
  CublasSgemm sgemm = nullptr;
};
Cublas g_cublas;
bool g_force_own = false;

void load_cublas() {
  if (g_cublas.tried) return;
  g_cublas.tried = true;
  const char *candidates[] = {"libcublas.so.13", "libcublas.so.12", "libcublas.so",
                              "/usr/local/cuda/targets/x86_64-linux/lib/libcublas.so.13",
                              "/usr/local/cuda/lib64/libcublas.so.13", "/usr/local/cuda/lib64/libcublas.so.12"};
  for (const char *name : candidates) {
    g_cublas.library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (g_cublas.library != nullptr) break;
  }
  if (g_cublas.library == nullptr) return;
  auto create = reinterpret_cast<CublasCreate>(dlsym(g_cublas.library, "cublasCreate_v2"));
  auto set_stream = reinterpret_cast<CublasSetStream>(dlsym(g_cublas.library, "cublasSetStream_v2"));
  auto sgemm = reinterpret_cast<CublasSgemm>(dlsym(g_cublas.library, "cublasSgemm_v2"));
  if (create == nullptr || set_stream == nullptr || sgemm == nullptr) return;
  if (create(&g_cublas.handle) != 0) {
    g_cublas.handle = nullptr;
    return;
  }
  if (set_stream(g_cublas.handle, state().stream) != 0) {
    g_cublas.handle = nullptr;
    return;
  }
  g_cublas.sgemm = sgemm;
}

}  // namespace

std::mutex &device_mutex() {
  static std::mutex m;
  return m;
}

int check(cudaError_t status, const char *what) {
  if (status == cudaSuccess) return DL_OK;
  cudaGetLastError();
  const int code = status == cudaErrorMemoryAllocation ? DL_ERR_OUT_OF_MEMORY : DL_ERR_DEVICE;
  return fail(code, std::string(what) + ": " + cudaGetErrorString(status) + " (CUDA error " +
                        std::to_string(static_cast<int>(status)) + ")");
}

int ensure_device(const char *what) {
  std::call_once(g_probe_once, probe);
  DeviceState &s = state();
  if (s.count == 0) return fail(DL_ERR_NO_DEVICE, std::string(what) + ": no CUDA device (" + s.no_device_reason + ")");
  if (!s.initialized) {
    int status = check(cudaSetDevice(0), "cudaSetDevice");
    if (status != DL_OK) return status;
    status = check(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking), "cudaStreamCreate");
    if (status != DL_OK) return status;
    s.initialized = true;
    load_cublas();
  }
  return DL_OK;
}

cudaStream_t stream() { return state().stream; }

void *scratch(Slot slot, size_t bytes, int &status) {
  DeviceState &s = state();
  status = DL_OK;
  if (bytes == 0) bytes = 16;
  if (s.slot_bytes[slot] >= bytes) return s.slots[slot];
  if (s.slots[slot] != nullptr) {
    cudaStreamSynchronize(s.stream);
    cudaFree(s.slots[slot]);
    s.slots[slot] = nullptr;
    s.slot_bytes[slot] = 0;
  }
  // Grow by 25% beyond the request so slowly growing chunks do not reallocate every call.
  const size_t want = bytes + bytes / 4;
  status = check(cudaMalloc(&s.slots[slot], want), "cudaMalloc (scratch buffer)");
  if (status != DL_OK) {
    s.slots[slot] = nullptr;
    return nullptr;
  }
  s.slot_bytes[slot] = want;
  return s.slots[slot];
}

void *upload(Slot slot, const void *host, size_t bytes, int &status) {
  void *device = scratch(slot, bytes, status);
  if (device == nullptr) return nullptr;
  if (bytes > 0) {
    status = check(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, stream()), "cudaMemcpy host to device");
    if (status != DL_OK) return nullptr;
  }
  return device;
}

bool cublas_ready() { return g_cublas.sgemm != nullptr && g_cublas.handle != nullptr; }
bool own_gemm_forced() { return g_force_own; }

int cublas_sgemm_row_major(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                           const float *b, float beta, float *c) {
  // Row-major C (m x n) is column-major C^T (n x m) = op(B)^T op(A)^T: swap the operands.
  const int op_b = trans_b ? kCublasOpT : kCublasOpN;
  const int op_a = trans_a ? kCublasOpT : kCublasOpN;
  const int ldb = static_cast<int>(trans_b ? k : n);
  const int lda = static_cast<int>(trans_a ? m : k);
  const int result = g_cublas.sgemm(g_cublas.handle, op_b, op_a, static_cast<int>(n), static_cast<int>(m),
                                    static_cast<int>(k), &alpha, b, ldb, a, lda, &beta, c, static_cast<int>(n));
  if (result != 0) return fail(DL_ERR_DEVICE, "cublasSgemm failed with status " + std::to_string(result));
  return DL_OK;
}

}  // namespace gpu
}  // namespace dl

extern "C" {

DL_API const char *dl_version(void) { return "datalab-kernels 0.1.0 cuda"; }

DL_API int dl_device_count(int *count) {
  if (count == nullptr) return dl::fail(DL_ERR_INVALID_ARGUMENT, "dl_device_count: count must not be null");
  std::call_once(dl::gpu::g_probe_once, dl::gpu::probe);
  *count = dl::gpu::state().count;
  return DL_OK;
}

DL_API const char *dl_no_device_reason(void) {
  std::call_once(dl::gpu::g_probe_once, dl::gpu::probe);
  return dl::gpu::state().no_device_reason.c_str();
}

DL_API int dl_device_info(int index, char *name, size_t name_capacity, uint64_t *memory_bytes, int *cc_major,
                          int *cc_minor) {
  std::call_once(dl::gpu::g_probe_once, dl::gpu::probe);
  if (index < 0 || index >= dl::gpu::state().count)
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "dl_device_info: no CUDA device with index " + std::to_string(index));
  cudaDeviceProp prop{};
  const int status = dl::gpu::check(cudaGetDeviceProperties(&prop, index), "cudaGetDeviceProperties");
  if (status != DL_OK) return status;
  if (name != nullptr && name_capacity > 0) std::snprintf(name, name_capacity, "%s", prop.name);
  if (memory_bytes != nullptr) *memory_bytes = prop.totalGlobalMem;
  if (cc_major != nullptr) *cc_major = prop.major;
  if (cc_minor != nullptr) *cc_minor = prop.minor;
  return DL_OK;
}

DL_API int dl_set_threads(int) { return 0; }

DL_API int dl_gemm_uses_cublas(void) {
  std::lock_guard<std::mutex> lock(dl::gpu::device_mutex());
  if (dl::gpu::ensure_device("gemm_uses_cublas") != DL_OK) return 0;
  return dl::gpu::cublas_ready() ? 1 : 0;
}

DL_API int dl_gemm_force_own_kernel(int enabled) {
  dl::gpu::g_force_own = enabled != 0;
  return DL_OK;
}

}  // extern "C"
