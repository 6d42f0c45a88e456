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

#ifdef __cplusplus
}
#endif

#endif /* DATALAB_KERNELS_H */
