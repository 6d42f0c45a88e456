// CUDA nn ops of section 6 for the output layer and training: per-span activations, losses,
// AdamW over one arena, WGAN-GP helpers, and CUDA-graph capture of a training step. Reductions
// that produce a loss run in one block in a fixed order, so a seed gives the same bits per run.
#include <cuda_runtime.h>

#include <map>

#include "nn.cuh"

using dl::gpu::check;
using dl::gpu::stream;
using namespace dl::nn_gpu;

namespace {

#define GRID_STRIDE(i, n) \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); i += static_cast<int64_t>(gridDim.x) * blockDim.x)

__device__ void softmax_span(const float *v, int32_t n, float tau, const float *noise, float *out) {
  float top = -INFINITY;
  for (int32_t k = 0; k < n; ++k) top = fmaxf(top, v[k] + (noise ? noise[k] : 0.0f));
  double total = 0.0;
  for (int32_t k = 0; k < n; ++k) {
    out[k] = expf((v[k] + (noise ? noise[k] : 0.0f) - top) / tau);
    total += out[k];
  }
  const float inv = static_cast<float>(1.0 / total);
  for (int32_t k = 0; k < n; ++k) out[k] *= inv;
}

// One thread per (row, span). Gumbel spans: the noise of element (r, j) is draw counter + r·width + j
// (written to y first, then replaced by the softmax).
__global__ void span_forward_kernel(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans, float tau, uint64_t seed,
                                    const uint64_t *counter_ptr, const float *x, float *y) {
  const uint64_t counter = *counter_ptr;
  GRID_STRIDE(t, rows * span_count) {
    const int64_t r = t / span_count, s = t % span_count;
    const int32_t start = spans[3 * s], length = spans[3 * s + 1], kind = spans[3 * s + 2];
    const float *xr = x + r * width + start;
    float *yr = y + r * width + start;
    if (kind == DL_SPAN_IDENTITY) {
      for (int32_t k = 0; k < length; ++k) yr[k] = xr[k];
    } else if (kind == DL_SPAN_TANH) {
      for (int32_t k = 0; k < length; ++k) yr[k] = tanhf(xr[k]);
    } else if (kind == DL_SPAN_SOFTMAX) {
      softmax_span(xr, length, 1.0f, nullptr, yr);
    } else {
      for (int32_t k = 0; k < length; ++k)
        yr[k] = dl::nn::gumbel_from_uniform(dl::nn::uniform_at(seed, counter + static_cast<uint64_t>(r * width + start + k)));
      softmax_span(xr, length, tau, yr, yr);
    }
  }
}

__global__ void span_backward_kernel(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans, float tau, const float *y,
                                     const float *dy, float *dx) {
  GRID_STRIDE(t, rows * span_count) {
    const int64_t r = t / span_count, s = t % span_count;
    const int32_t start = spans[3 * s], length = spans[3 * s + 1], kind = spans[3 * s + 2];
    const int64_t o = r * width + start;
    if (kind == DL_SPAN_IDENTITY) {
      for (int32_t k = 0; k < length; ++k) dx[o + k] = dy[o + k];
    } else if (kind == DL_SPAN_TANH) {
      for (int32_t k = 0; k < length; ++k) dx[o + k] = dy[o + k] * (1.0f - y[o + k] * y[o + k]);
    } else {
      const float inv_tau = kind == DL_SPAN_SOFTMAX ? 1.0f : 1.0f / tau;
      double dot = 0.0;
      for (int32_t k = 0; k < length; ++k) dot += static_cast<double>(y[o + k]) * dy[o + k];
      for (int32_t k = 0; k < length; ++k) dx[o + k] = inv_tau * y[o + k] * static_cast<float>(dy[o + k] - dot);
    }
  }
}

// One block: threads take (row, span) pairs; the loss is reduced in a fixed order.
__global__ void span_cross_entropy_kernel(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans, const float *logits,
                                          const int32_t *targets, float scale, float *loss_out, float *dlogits) {
  double local = 0.0;
  for (int64_t t = threadIdx.x; t < rows * span_count; t += blockDim.x) {
    const int64_t r = t / span_count, s = t % span_count;
    const int32_t target = targets[t], start = spans[3 * s], length = spans[3 * s + 1];
    if (target < 0 || target >= length) continue;
    const float *l = logits + r * width + start;
    float top = l[0];
    for (int32_t k = 1; k < length; ++k) top = fmaxf(top, l[k]);
    double z = 0.0;
    for (int32_t k = 0; k < length; ++k) z += exp(static_cast<double>(l[k] - top));
    local += log(z) + top - l[target];
    if (dlogits == nullptr) continue;
    for (int32_t k = 0; k < length; ++k)
      dlogits[r * width + start + k] += scale * static_cast<float>(exp(static_cast<double>(l[k] - top)) / z - (k == target ? 1.0 : 0.0));
  }
  const double total = block_sum(local);
  if (threadIdx.x == 0) loss_out[0] = static_cast<float>(scale * total);
}

__global__ void mse_kernel(int64_t n, const float *y, const float *t, float scale, float *loss_out, float *dy) {
  double local = 0.0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    const float d = y[i] - t[i];
    local += static_cast<double>(d) * d;
    if (dy != nullptr) dy[i] += 2.0f * scale * d;
  }
  const double total = block_sum(local);
  if (threadIdx.x == 0) loss_out[0] = static_cast<float>(scale * total);
}

// Bias corrections from the device-side step count (already incremented by the caller's kernel).
__global__ void adamw_kernel(int64_t n, float *params, const float *grads, float *m, float *v, const int64_t *step, float lr, float beta1,
                             float beta2, float eps, float weight_decay) {
  const double t = static_cast<double>(*step);
  const float c1 = static_cast<float>(1.0 / (1.0 - pow(static_cast<double>(beta1), t)));
  const float c2 = static_cast<float>(1.0 / (1.0 - pow(static_cast<double>(beta2), t)));
  GRID_STRIDE(i, n) {
    const float g = grads[i];
    const float mi = beta1 * m[i] + (1.0f - beta1) * g;
    const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] -= lr * (weight_decay * params[i] + (mi * c1) / (sqrtf(vi * c2) + eps));
  }
}

__global__ void increment_step_kernel(int64_t *step) { *step += 1; }

__global__ void interpolate_kernel(int64_t rows, int64_t width, const float *real, const float *fake, uint64_t seed,
                                   const uint64_t *counter_ptr, float *out) {
  const uint64_t counter = *counter_ptr;
  GRID_STRIDE(i, rows * width) {
    const float alpha = static_cast<float>(dl::nn::uniform_at(seed, counter + static_cast<uint64_t>(i / width)));
    out[i] = alpha * real[i] + (1.0f - alpha) * fake[i];
  }
}

// One block; rows in order, each row's squared norm reduced by the block.
__global__ void gp_norm_kernel(int64_t rows, int64_t width, const float *grad, float lambda, float *penalty_out, float *dgrad) {
  const double per_row = static_cast<double>(lambda) / static_cast<double>(rows);
  double total = 0.0;
  for (int64_t r = 0; r < rows; ++r) {
    const float *g = grad + r * width;
    double sq = 0.0;
    for (int64_t j = threadIdx.x; j < width; j += blockDim.x) sq += static_cast<double>(g[j]) * g[j];
    const double norm = sqrt(block_sum(sq));
    total += (norm - 1.0) * (norm - 1.0);
    const float factor = norm > 0.0 ? static_cast<float>(per_row * 2.0 * (norm - 1.0) / norm) : 0.0f;
    for (int64_t j = threadIdx.x; j < width; j += blockDim.x) dgrad[r * width + j] = factor * g[j];
  }
  if (threadIdx.x == 0) penalty_out[0] = static_cast<float>(per_row * total);
}

__global__ void leaky_mask_mul_kernel(int64_t n, const float *h, const float *mask, float slope, const float *in, float *out) {
  GRID_STRIDE(i, n) out[i] = in[i] * (h[i] > 0.0f ? 1.0f : slope) * (mask == nullptr ? 1.0f : mask[i]);
}

bool spans_valid_host_shape(int64_t width, int64_t span_count) { return width >= 1 && span_count >= 1; }

// Captured graphs by id (ids are never reused in a process).
std::map<int64_t, cudaGraphExec_t> &graphs() {
  static std::map<int64_t, cudaGraphExec_t> g;
  return g;
}
int64_t g_next_graph_id = 1;

}  // namespace

extern "C" {

DL_API int dl_nn_span_activation_forward(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans, float tau, uint64_t seed,
                                         uint64_t *rng_counter, const float *x, float *y) {
  // The span table lives in device memory; its ranges were checked by the caller (nn/output-spans.ts).
  if (!spans_valid_host_shape(width, span_count) || !(tau > 0.0f))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn span_activation: width and span_count must be >= 1 and tau > 0");
  DL_NN_PROLOGUE("nn span_activation");
  span_forward_kernel<<<grid_for(rows * span_count), kThreads, 0, stream()>>>(rows, width, span_count, spans, tau, seed, rng_counter, x, y);
  int status = launched("nn span_activation");
  if (status != DL_OK) return status;
  advance_counter_kernel<<<1, 1, 0, stream()>>>(rng_counter, static_cast<uint64_t>(rows * width));
  return launched("nn span_activation (counter)");
}

DL_API int dl_nn_span_activation_backward(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans, float tau, const float *y,
                                          const float *dy, float *dx) {
  if (!spans_valid_host_shape(width, span_count) || !(tau > 0.0f))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn span_activation_backward: width and span_count must be >= 1 and tau > 0");
  DL_NN_PROLOGUE("nn span_activation_backward");
  span_backward_kernel<<<grid_for(rows * span_count), kThreads, 0, stream()>>>(rows, width, span_count, spans, tau, y, dy, dx);
  return launched("nn span_activation_backward");
}

DL_API int dl_nn_span_cross_entropy(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans, const float *logits,
                                    const int32_t *targets, float scale, float *loss_out, float *dlogits) {
  if (!spans_valid_host_shape(width, span_count)) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn span_cross_entropy: bad span table shape");
  DL_NN_PROLOGUE("nn span_cross_entropy");
  span_cross_entropy_kernel<<<1, kThreads, 0, stream()>>>(rows, width, span_count, spans, logits, targets, scale, loss_out, dlogits);
  return launched("nn span_cross_entropy");
}

DL_API int dl_nn_mse(int64_t n, const float *y, const float *t, float scale, float *loss_out, float *dy) {
  DL_NN_PROLOGUE("nn mse");
  mse_kernel<<<1, kThreads, 0, stream()>>>(n, y, t, scale, loss_out, dy);
  return launched("nn mse");
}

DL_API int dl_nn_adamw(int64_t n, float *params, const float *grads, float *m, float *v, int64_t *step, float lr, float beta1, float beta2,
                       float eps, float weight_decay) {
  if (!(beta1 >= 0.0f && beta1 < 1.0f && beta2 >= 0.0f && beta2 < 1.0f) || !(lr >= 0.0f))
    return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn adamw: betas must be in [0, 1) and lr >= 0");
  DL_NN_PROLOGUE("nn adamw");
  increment_step_kernel<<<1, 1, 0, stream()>>>(step);
  adamw_kernel<<<grid_for(n), kThreads, 0, stream()>>>(n, params, grads, m, v, step, lr, beta1, beta2, eps, weight_decay);
  return launched("nn adamw");
}

DL_API int dl_nn_interpolate_rows(int64_t rows, int64_t width, const float *real, const float *fake, uint64_t seed, uint64_t *rng_counter,
                                  float *out) {
  DL_NN_PROLOGUE("nn interpolate_rows");
  interpolate_kernel<<<grid_for(rows * width), kThreads, 0, stream()>>>(rows, width, real, fake, seed, rng_counter, out);
  advance_counter_kernel<<<1, 1, 0, stream()>>>(rng_counter, static_cast<uint64_t>(rows));
  return launched("nn interpolate_rows");
}

DL_API int dl_nn_gp_norm(int64_t rows, int64_t width, const float *grad, float lambda, float *penalty_out, float *dgrad) {
  if (rows < 1) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn gp_norm: rows must be >= 1");
  DL_NN_PROLOGUE("nn gp_norm");
  gp_norm_kernel<<<1, kThreads, 0, stream()>>>(rows, width, grad, lambda, penalty_out, dgrad);
  return launched("nn gp_norm");
}

DL_API int dl_nn_leaky_mask_mul(int64_t n, const float *h, const float *mask, float slope, const float *in, float *out) {
  DL_NN_PROLOGUE("nn leaky_mask_mul");
  leaky_mask_mul_kernel<<<grid_for(n), kThreads, 0, stream()>>>(n, h, mask, slope, in, out);
  return launched("nn leaky_mask_mul");
}

// Relaxed capture: scratch buffers may be (re)allocated while capturing; the graph keeps their
// addresses, so shapes must stay fixed between capture and replay (the caller's contract).
DL_API int dl_nn_graph_begin(void) {
  DL_NN_PROLOGUE("nn graph_begin");
  return check(cudaStreamBeginCapture(stream(), cudaStreamCaptureModeRelaxed), "nn graph_begin");
}

DL_API int dl_nn_graph_end(int64_t *graph_id) {
  DL_NN_PROLOGUE("nn graph_end");
  cudaGraph_t graph = nullptr;
  int status = check(cudaStreamEndCapture(stream(), &graph), "nn graph_end (end capture)");
  if (status != DL_OK) return status;
  cudaGraphExec_t exec = nullptr;
  status = check(cudaGraphInstantiate(&exec, graph, 0), "nn graph_end (instantiate)");
  cudaGraphDestroy(graph);
  if (status != DL_OK) return status;
  const int64_t id = g_next_graph_id++;
  graphs()[id] = exec;
  *graph_id = id;
  return DL_OK;
}

DL_API int dl_nn_graph_launch(int64_t graph_id) {
  DL_NN_PROLOGUE("nn graph_launch");
  const auto found = graphs().find(graph_id);
  if (found == graphs().end()) return dl::fail(DL_ERR_INVALID_ARGUMENT, "nn graph_launch: unknown graph id " + std::to_string(graph_id));
  return check(cudaGraphLaunch(found->second, stream()), "nn graph_launch");
}

DL_API int dl_nn_graph_destroy(int64_t graph_id) {
  DL_NN_PROLOGUE("nn graph_destroy");
  const auto found = graphs().find(graph_id);
  if (found == graphs().end()) return DL_OK;
  const int status = check(cudaGraphExecDestroy(found->second), "nn graph_destroy");
  graphs().erase(found);
  return status;
}

}  // extern "C"
