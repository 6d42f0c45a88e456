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

// The same on sub-matrices: lda, ldb, ldc are the stored row strides (gemm_f32 passes the dense
// ones: k or m for A, n or k for B, n for C), so a block of columns of a wider matrix can be read
// or written in place. Each C element is summed in the same k order as by gemm_f32.
int gemm_f32_strided(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                     int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                     const GemmEpilogue *epilogue);

}  // namespace dl
