/*
 * datalab_kernels.h — the one C ABI of datalab's native compute layer.
 *
 * Two shared libraries implement every function below with the same symbol names:
 *   libdatalab_kernels_cpu.so   (C++, g++ -O3, OpenMP threads over rows)
 *   libdatalab_kernels_cuda.so  (CUDA, static cudart; loads without a driver)
 * The TypeScript facade (kernels/index.ts) loads one or both with koffi and picks the device.
 *
 * Conventions (every function):
 *  - explicit sizes, caller-provided output buffers, no allocation visible to the caller;
 *  - returns DL_OK (0) or a DL_ERR_* code; the message of the most recent failure in the
 *    process is read with dl_last_error() (process-wide, not thread-local, because koffi's
 *    asynchronous calls run on worker threads while the caller reads the message on the main
 *    thread; concurrent failures may overwrite each other's message);
 *  - matrices are row-major unless a comment says otherwise;
 *  - seeds and counters of the Philox generator are 64-bit unsigned integers.
 */
#ifndef DATALAB_KERNELS_H
#define DATALAB_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define DL_API __declspec(dllexport)
#else
#define DL_API __attribute__((visibility("default")))
#endif

#define DL_OK 0
#define DL_ERR_INVALID_ARGUMENT 1 /* a size, pointer or option is out of range */
#define DL_ERR_NO_DEVICE 2        /* the CUDA library found no usable GPU */
#define DL_ERR_DEVICE 3           /* a CUDA runtime or cuBLAS call failed */
#define DL_ERR_OUT_OF_MEMORY 4    /* host or device allocation failed */

#define DL_COLUMN_NUMERIC 0
#define DL_COLUMN_CATEGORICAL 1

/* ---- library identity and devices ---------------------------------------------------- */

/* "datalab-kernels <semver> <backend>", static storage. */
DL_API const char *dl_version(void);
/* Message of the most recent failure in this process ("" when none); static storage, valid
 * until the next failing call. */
DL_API const char *dl_last_error(void);
/* Number of devices this library drives (CPU library: 1; CUDA library: GPUs, 0 when none). */
DL_API int dl_device_count(int *count);
/* Why the CUDA library has no device (e.g. "cudaGetDeviceCount: CUDA driver version is
 * insufficient for CUDA runtime version (error 35)"); "" when it has one. */
DL_API const char *dl_no_device_reason(void);
/* Device `index`: name (NUL-terminated, truncated to name_capacity), total memory in bytes,
 * compute capability major/minor (CPU: 0/0). */
DL_API int dl_device_info(int index, char *name, size_t name_capacity, uint64_t *memory_bytes,
                          int *cc_major, int *cc_minor);
/* Worker threads the CPU library uses (0 for the CUDA library); set_threads(0) = all cores. */
DL_API int dl_set_threads(int threads);
/* 1 when the CUDA library found cuBLAS and uses it for GEMM, else 0. */
DL_API int dl_gemm_uses_cublas(void);
/* CUDA library only: 1 forces the own GEMM kernel even when cuBLAS is present (benchmarks). */
DL_API int dl_gemm_force_own_kernel(int enabled);

/* ---- 1. Philox 4x32-10 counter-based RNG ----------------------------------------------
 * Stream layout: draw p (p = counter + i) comes from Philox block b = p / 2 with counter
 * words {lo32(b), hi32(b), 0, 0} and key {lo32(seed), hi32(seed)}. The block's four 32-bit
 * outputs x0..x3 form two 64-bit words w0 = x1:x0 and w1 = x3:x2; draw p uses w_(p % 2).
 *   uniform(p) = ((w >> 11) + 0.5) * 2^-53            in (0, 1), never 0 or 1
 *   normal(p)  = Box–Muller on the block's pair: r = sqrt(-2 ln u0), t = 2π u1,
 *                normal(2b) = r cos t, normal(2b + 1) = r sin t     (u_i = uniform of w_i) */
DL_API int dl_philox_uniform_f64(uint64_t seed, uint64_t counter, double *out, size_t n);
DL_API int dl_philox_normal_f64(uint64_t seed, uint64_t counter, double *out, size_t n);
/* Raw 32-bit outputs of blocks counter..counter+blocks-1 (4 words each), for test vectors. */
DL_API int dl_philox4x32_raw(uint32_t key0, uint32_t key1, const uint32_t ctr_in[4], uint32_t *out,
                             size_t blocks);

/* ---- 2. GEMM float32: C = alpha * op(A) op(B) + beta * C (row-major) --------------------
 * op(A) is m×k (A stored k×m when trans_a), op(B) is k×n (B stored n×k when trans_b), C m×n.
 * beta == 0 ignores the previous contents of C (NaN in C does not propagate). */
DL_API int dl_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                       const float *a, const float *b, float beta, float *c);

/* ---- 3. Gaussian-copula sampling pass --------------------------------------------------
 * z[row] = mean[row] + L ε[row], ε[row][j] = philox normal at (counter_offset + row) * d + j.
 * Column c (kind[c]) uses table[table_offset[c] .. table_offset[c] + table_length[c]):
 *   numeric:     linear interpolation on the equally spaced grid z_min[c]..z_max[c], clamped;
 *   categorical: first j with z < table[j] (ascending bounds; last = +inf), written as double.
 * tables_total = length of `tables` (every column's range must lie inside it).
 * Output column-major: out[c * rows + row]. mean may be NULL (zero mean), else rows×d. */
DL_API int dl_copula_sample(int64_t rows, int64_t d, const double *cholesky, const double *mean,
                            const int32_t *kind, const int64_t *table_offset,
                            const int64_t *table_length, const double *tables, int64_t tables_total,
                            const double *z_min,
                            const double *z_max, uint64_t seed, uint64_t counter_offset, double *out);
/* Only the correlated normals z (column-major rows×d), same stream as dl_copula_sample. */
DL_API int dl_copula_normal_scores(int64_t rows, int64_t d, const double *cholesky,
                                   const double *mean, uint64_t seed, uint64_t counter_offset,
                                   double *out);

/* ---- 4. Mixed-type nearest neighbours under the DCR distance ----------------------------
 * dist(a, b) = (Σ_numeric c(a_i, b_i) + Σ_categorical [a_j != b_j]) / (num + cat)
 * c(x, y) = 0 both NaN; 1 exactly one NaN; 0 x == y; else min(|x − y| inv_range_i, 1);
 * inv_range_i = +inf makes any difference 1. Categorical codes: −1 = null (equal to null).
 * For each row of A the k (1 or 2) nearest rows of B, ascending, ties to the lower index;
 * exclude_same_index skips b == a. Rows of B short of k: distance +inf, index −1.
 * out_distance / out_index: rows_a × k. Exact over all pairs, tiled, memory O(tile). */
DL_API int dl_nearest_neighbors(int64_t rows_a, const double *a_numeric, const int32_t *a_categorical,
                                int64_t rows_b, const double *b_numeric, const int32_t *b_categorical,
                                int64_t numeric_count, int64_t categorical_count,
                                const double *inv_range, int k, int exclude_same_index,
                                double *out_distance, int32_t *out_index);

/* matched[i] = 1 when some row of B equals row i of A: categoricals equal (null == null),
 * numerics |a − b| <= rel_tolerance |a| (NaN == NaN). */
DL_API int dl_match_rows(int64_t rows_a, const double *a_numeric, const int32_t *a_categorical,
                         int64_t rows_b, const double *b_numeric, const int32_t *b_categorical,
                         int64_t numeric_count, int64_t categorical_count, double rel_tolerance,
                         uint8_t *matched);

/* ---- 5. Federated update aggregation ---------------------------------------------------
 * updates: k×n float32. norm_k = ||u_k||₂ (accumulated in double); scale_k = min(1, clip/norm_k)
 * (clip <= 0 or +inf: no clipping); out = Σ_k weight_k scale_k u_k + noise_std N(0, I), the
 * noise being philox normals at counter .. counter + n − 1. norms_out: k pre-clip norms. */
DL_API int dl_aggregate_updates(const float *updates, int64_t k, int64_t n, const float *weights,
                                double clip, double noise_std, uint64_t seed, uint64_t counter,
                                float *out, float *norms_out);

/* ---- 5b. Streaming update aggregation (the coordinator's round sum) ----------------------
 * The two halves of clip-and-sum for updates that arrive one chunk at a time, so each update is
 * read from memory once: its squared norm is taken chunk by chunk while the chunk is still in
 * cache (dl_sum_squares_f32), and the clipped, weighted sum is one pass over the updates that
 * adds into the running sum in place (dl_accumulate_scaled_f32).
 * dl_sum_squares_f32: *sum_squares_out = Σ_j x_j² over n float32 values, accumulated in double
 * in 8 lanes combined in a fixed order (the same bits for the same input, whatever the threads).
 * dl_accumulate_scaled_f32: acc_j <- (float)(acc_j + Σ_k coef_k u_kj) for j < n, the sum taken in
 * double and rounded once (the caller puts the clip factor and weight in coef_k = w_k min(1, C/‖u_k‖)).
 * updates: k×n float32, row-major. Non-finite values propagate into acc: callers screen norms first. */
DL_API int dl_sum_squares_f32(const float *x, int64_t n, double *sum_squares_out);
DL_API int dl_accumulate_scaled_f32(float *acc, const float *updates, int64_t k, int64_t n, const double *coef);

/* ---- Device-resident timings (CUDA library; the CPU library returns DL_ERR_INVALID_ARGUMENT) ----
 * The API above copies host arrays in and out; these time the device work alone on buffers
 * allocated and filled on the device, so the GPU check can set achieved rates against the
 * card's peak. Each writes the mean seconds per repetition (CUDA events) into *seconds. */
/* use_own_kernel = 0: the same dispatch as dl_gemm_f32 (cuBLAS when present). */
DL_API int dl_time_gemm_device(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, int use_own_kernel,
                               int repetitions, double *seconds);
/* cudaMemcpyDeviceToDevice of `bytes` (the card's copy bandwidth: 2 x bytes moved per copy). */
DL_API int dl_time_copy_device(uint64_t bytes, int repetitions, double *seconds);
/* dl_aggregate_updates on device-resident updates (k x n) with clipping and noise. */
DL_API int dl_time_aggregate_device(int64_t k, int64_t n, int repetitions, double *seconds);


/* ---- 6. nn: device-resident training ops (the engine of nn/) ---------------------------
 * Buffers are device memory (CUDA library) or library-owned, 64-byte aligned host memory (CPU
 * library), allocated with dl_nn_alloc; every `float *`/`int32_t *`/`uint64_t *` argument of
 * this section points into such a buffer, never to caller memory (only dl_nn_upload /
 * dl_nn_download take a host pointer). On CUDA every op is enqueued on the library's stream and
 * returns at once; dl_nn_download and dl_nn_synchronize wait. float32 row-major throughout.
 * Activation codes (act): 0 identity, 1 ReLU, 2 LeakyReLU(slope), 3 tanh. Derivatives are taken
 * from the activation's output y (ReLU/LeakyReLU: y > 0; tanh: 1 − y²), so backward ops need
 * no pre-activation copy. Gradient outputs named `accumulate`/`+=` add to what is there.
 * Random draws: `rng_counter` is a uint64 in device memory; an op using n draws reads it, uses
 * Philox positions counter .. counter + n − 1 of `seed` (stream layout of section 1, uniforms
 * in float64 then rounded) and advances it by n, so a captured CUDA graph draws fresh numbers on
 * every replay. Span tables: int32 triples (start, length, kind) per span, in device memory. */
#define DL_ACT_IDENTITY 0
#define DL_ACT_RELU 1
#define DL_ACT_LEAKY_RELU 2
#define DL_ACT_TANH 3
#define DL_SPAN_IDENTITY 0
#define DL_SPAN_TANH 1
#define DL_SPAN_SOFTMAX 2
#define DL_SPAN_GUMBEL_SOFTMAX 3

/* Memory. alloc: zero-filled, NULL on failure (message in dl_last_error). offset: buffer + bytes. */
DL_API void *dl_nn_alloc(uint64_t bytes);
DL_API int dl_nn_free(void *buffer);
DL_API void *dl_nn_offset(void *buffer, uint64_t bytes);
DL_API int dl_nn_upload(void *device_dst, const void *host_src, uint64_t bytes);
DL_API int dl_nn_download(void *host_dst, const void *device_src, uint64_t bytes); /* waits */
DL_API int dl_nn_copy(void *dst, const void *src, uint64_t bytes);
DL_API int dl_nn_synchronize(void);

/* Elementwise and reductions. sum: out[0] = scale Σ x (accumulated in double). */
DL_API int dl_nn_fill_f32(int64_t n, float value, float *x);
DL_API int dl_nn_axpy_f32(int64_t n, float alpha, const float *x, float *y); /* y += alpha x */
DL_API int dl_nn_mul_f32(int64_t n, const float *a, const float *b, float *out);
DL_API int dl_nn_sum_f32(int64_t n, const float *x, float scale, float *out);
/* out[r][j] = vec[j] (rows × width). colsum: out[j] += Σ_r x[r][j]. */
DL_API int dl_nn_broadcast_rows(int64_t rows, int64_t width, const float *vec, float *out);
DL_API int dl_nn_column_sum(int64_t rows, int64_t width, const float *x, float *out);
/* dst[r][dst_start + j] (+)= src[r][src_start + j], j < width: concatenation and its split. */
DL_API int dl_nn_copy_columns(int64_t rows, int64_t width, const float *src, int64_t src_width, int64_t src_start,
                              float *dst, int64_t dst_width, int64_t dst_start, int accumulate);
/* out[r] = table[indices[r]] (rows of `width`); one_hot: out[r][k] = (k == indices[r]), −1 = zero row. */
DL_API int dl_nn_gather_rows(int64_t rows, int64_t width, const float *table, const int32_t *indices, float *out);
DL_API int dl_nn_one_hot(int64_t rows, int64_t width, const int32_t *indices, float *out);
/* N(mean, std²) (Box–Muller pairs as in section 1) and U(lo, hi) float32 draws. */
DL_API int dl_nn_normal_f32(int64_t n, uint64_t seed, uint64_t *rng_counter, float mean, float std, float *out);
DL_API int dl_nn_uniform_f32(int64_t n, uint64_t seed, uint64_t *rng_counter, float lo, float hi, float *out);
/* GEMM of section 2 on buffers of this section. */
DL_API int dl_nn_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                          const float *b, float beta, float *c);

/* Layers. Linear: w is out×in (torch layout), y = act(x wᵀ + b) (b may be NULL).
 * backward: dz = dy ⊙ act'(y) (written to dz, may alias dy), dw += dzᵀ x, db += Σ_rows dz
 * (dw and db may be NULL: an input gradient only, e.g. through a critic that is not being
 * updated), dx = dz w (dx may be NULL: not needed for the first layer). Only the leading dx_cols
 * columns of dx (1 ≤ dx_cols ≤ in; rows × in, row stride in) are owed: the rest may be left
 * unwritten (the CPU library skips them; the CUDA library writes them too). */
DL_API int dl_nn_linear_forward(int64_t rows, int64_t in, int64_t out, const float *x, const float *w, const float *b,
                                int act, float slope, float *y);
DL_API int dl_nn_linear_backward(int64_t rows, int64_t in, int64_t out, const float *x, const float *w, const float *y,
                                 const float *dy, int act, float slope, float *dz, float *dx, int64_t dx_cols,
                                 float *dw, float *db);
DL_API int dl_nn_activation_forward(int64_t n, int act, float slope, const float *x, float *y);
DL_API int dl_nn_activation_backward(int64_t n, int act, float slope, const float *y, const float *dy, float *dx);
/* BatchNorm1d then act. training: batch mean and biased variance normalize; running stats
 * updated as running = (1 − momentum) running + momentum stat (variance unbiased, as torch);
 * saved_mean / saved_invstd (features) keep what normalized. eval: running stats normalize.
 * backward (dgamma, dbeta +=; both NULL: not accumulated): training uses the batch-statistics
 * formula, eval the affine one. */
DL_API int dl_nn_batchnorm_forward(int64_t rows, int64_t features, const float *x, const float *gamma,
                                   const float *beta, float *running_mean, float *running_var, float momentum,
                                   float eps, int training, int act, float slope, float *y, float *saved_mean,
                                   float *saved_invstd);
DL_API int dl_nn_batchnorm_backward(int64_t rows, int64_t features, const float *x, const float *gamma,
                                    const float *saved_mean, const float *saved_invstd, const float *y,
                                    const float *dy, int training, int act, float slope, float *dx, float *dgamma,
                                    float *dbeta);
/* Dropout(p): mask = (u >= p) / (1 − p) (u uniform, one draw per element), y = x ⊙ mask. */
DL_API int dl_nn_dropout_forward(int64_t n, float p, uint64_t seed, uint64_t *rng_counter, const float *x, float *y,
                                 float *mask);
/* Per-span output activation of a rows × width matrix (spans: span_count triples). Softmax
 * spans: y = softmax(x); Gumbel: y = softmax((x + g) / tau), g = −log(−log u), one draw per
 * element of a Gumbel span (all elements counted: rows × width draws). backward: dx = dy ⊙ tanh'
 * or (1/tau) y ⊙ (dy − Σ_span y dy) (tau = 1 for softmax); identity spans copy dy. */
DL_API int dl_nn_span_activation_forward(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans,
                                         float tau, uint64_t seed, uint64_t *rng_counter, const float *x, float *y);
DL_API int dl_nn_span_activation_backward(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans,
                                          float tau, const float *y, const float *dy, float *dx);

/* Losses. Cross-entropy of softmax(logits) per span against targets (rows × span_count int32:
 * index inside the span, −1 = this span does not count for the row): loss_out[0] =
 * scale Σ_rows Σ_spans CE; dlogits += scale (softmax − onehot) on the counted spans.
 * MSE: loss_out[0] = scale Σ (y − t)², dy += 2 scale (y − t) (dy may be NULL). */
DL_API int dl_nn_span_cross_entropy(int64_t rows, int64_t width, int64_t span_count, const int32_t *spans,
                                    const float *logits, const int32_t *targets, float scale, float *loss_out,
                                    float *dlogits);
DL_API int dl_nn_mse(int64_t n, const float *y, const float *t, float scale, float *loss_out, float *dy);

/* AdamW (Loshchilov & Hutter 2019, decoupled weight decay) over one flat parameter arena:
 * *step += 1; t = *step; m = b1 m + (1−b1) g; v = b2 v + (1−b2) g²;
 * p −= lr (wd p + m̂ / (√v̂ + eps)), m̂ = m/(1−b1^t), v̂ = v/(1−b2^t). step: int64 in device memory. */
DL_API int dl_nn_adamw(int64_t n, float *params, const float *grads, float *m, float *v, int64_t *step, float lr,
                       float beta1, float beta2, float eps, float weight_decay);

/* WGAN-GP (Gulrajani et al. 2017) helpers. interpolate: one alpha ~ U(0,1) per row (a PacGAN
 * pack), out = alpha real + (1 − alpha) fake; `rows` draws. gp_norm: for each row r of the input
 * gradient G (rows × width), penalty_out[0] = lambda/rows Σ_r (‖G_r‖ − 1)², dgrad =
 * lambda/rows · 2 (‖G_r‖ − 1) G_r / ‖G_r‖ (0 where ‖G_r‖ = 0). leaky_mask_mul: out = in ⊙ s(h) ⊙
 * mask, s = 1 where h > 0 else slope (mask may be NULL = 1): the Jacobian of LeakyReLU+Dropout. */
DL_API int dl_nn_interpolate_rows(int64_t rows, int64_t width, const float *real, const float *fake, uint64_t seed,
                                  uint64_t *rng_counter, float *out);
DL_API int dl_nn_gp_norm(int64_t rows, int64_t width, const float *grad, float lambda, float *penalty_out,
                         float *dgrad);
DL_API int dl_nn_leaky_mask_mul(int64_t n, const float *h, const float *mask, float slope, const float *in,
                                float *out);

/* CUDA graphs (CUDA library): capture the ops enqueued between begin and end as one graph,
 * replay it with launch. The CPU library returns DL_ERR_INVALID_ARGUMENT (run the ops eagerly). */
DL_API int dl_nn_graph_begin(void);
DL_API int dl_nn_graph_end(int64_t *graph_id);
DL_API int dl_nn_graph_launch(int64_t graph_id);
DL_API int dl_nn_graph_destroy(int64_t graph_id);

#ifdef __cplusplus
}
#endif

#endif /* DATALAB_KERNELS_H */
