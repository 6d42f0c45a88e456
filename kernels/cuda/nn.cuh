// Shared pieces of the CUDA nn ops (section 6 of datalab_kernels.h): launch geometry, the
// per-call prologue (device lock, lazy init) and block reductions in double.
#pragma once
#include <mutex>

#include "../common/last_error.hpp"
#include "../common/nn_math.hpp"
#include "../include/datalab_kernels.h"
#include "runtime.cuh"

namespace dl {
namespace nn_gpu {

constexpr int kThreads = 256;

inline int grid_for(int64_t work) {
  const int64_t blocks = (work + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < 1 ? 1 : (blocks > 65535 ? 65535 : blocks));
}

// Every op: serialize with the rest of the library, initialize the device on first use.
#define DL_NN_PROLOGUE(what)                                       \
  std::lock_guard<std::mutex> nn_lock_(dl::gpu::device_mutex());   \
  {                                                                \
    const int nn_status_ = dl::gpu::ensure_device(what);           \
    if (nn_status_ != DL_OK) return nn_status_;                    \
  }

inline int launched(const char *what) { return dl::gpu::check(cudaGetLastError(), what); }

// Sum of `value` over the block (every thread gets it back); blockDim.x == kThreads.
__device__ inline double block_sum(double value) {
  __shared__ double partial[kThreads / 32];
  for (int offset = 16; offset > 0; offset >>= 1) value += __shfl_down_sync(0xffffffffu, value, offset);
  __syncthreads();
  if ((threadIdx.x & 31) == 0) partial[threadIdx.x / 32] = value;
  __syncthreads();
  double total = 0.0;
  for (int w = 0; w < kThreads / 32; ++w) total += partial[w];
  return total;
}

// Advances a device-resident Philox position after the op that used it (graph-replay safe).
__global__ void advance_counter_kernel(uint64_t *counter, uint64_t n);

}  // namespace nn_gpu
}  // namespace dl
