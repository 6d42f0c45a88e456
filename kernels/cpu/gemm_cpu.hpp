// Float32 GEMM of gemm_cpu.cpp with a fused epilogue, for the nn layer ops (nn_layers_cpu.cpp).
#pragma once
#include <stdint.h>

namespace dl {

// Applied to each C element once its full sum is known: c = act(c + bias[j]) (bias may be NULL,
// act a DL_ACT_* code, slope for LeakyReLU).
struct GemmEpilogue {
  const float *bias;
  int act;
  float slope;
};

// dl_gemm_f32 without the argument checks, plus an optional epilogue (NULL: none).
int gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a, const float *b,
             float beta, float *c, const GemmEpilogue *epilogue);

}  // namespace dl
