#pragma once
#include <libxsmm.h>
#include <libxsmm_generator.h>

// Swift cannot call libxsmm's kernels directly: a kernel is a variadic C function pointer
// (`libxsmm_smmfunction`). These two helpers dispatch one and call it.

/// A JIT-compiled kernel for the column-major product C (m, n) = A (m, k) op(B) (k, n) + beta C with
/// the given leading dimensions (alpha 1, no prefetch; op(B) = B, or B^T stored (n, k) when
/// `transpose_b` is nonzero), or NULL when libxsmm has none for this CPU or shape. libxsmm keeps the
/// kernel for the life of the process.
static inline const void *earmark_xsmm_dispatch(int m, int n, int k, int lda, int ldb, int ldc, float beta,
                                                 int transpose_b) {
    const libxsmm_blasint sm = m, sn = n, sk = k, slda = lda, sldb = ldb, sldc = ldc;
    const float alpha = 1;
    const int flags = transpose_b ? LIBXSMM_GEMM_FLAG_TRANS_B : LIBXSMM_GEMM_FLAG_NONE;
    const int prefetch = LIBXSMM_PREFETCH_NONE;
    libxsmm_smmfunction kernel = libxsmm_smmdispatch(sm, sn, sk, &slda, &sldb, &sldc, &alpha, &beta,
                                                     &flags, &prefetch);
    return (const void *)kernel;
}

/// A JIT-compiled out-of-place transpose of 4-byte elements: the column-major (m, n) matrix `in`, of
/// leading dimension `ldi` at the call, into the (n, m) matrix `out` of leading dimension `ldo`, or NULL
/// when libxsmm has none for this CPU or shape. libxsmm keeps the kernel for the life of the process and
/// finds it again in its registry on the next request for the same shape.
static inline const void *earmark_xsmm_transpose_dispatch(unsigned int m, unsigned int n, unsigned int ldo) {
    libxsmm_descriptor_blob blob;
    const libxsmm_trans_descriptor *descriptor = libxsmm_trans_descriptor_init(&blob, 4, m, n, ldo);
    return descriptor == NULL ? NULL : (const void *)libxsmm_dispatch_trans(descriptor);
}

/// Runs a kernel from `earmark_xsmm_transpose_dispatch`.
static inline void earmark_xsmm_transpose_run(const void *kernel, const float *in, unsigned int ldi, float *out,
                                              unsigned int ldo) {
    ((libxsmm_xtransfunction)kernel)(in, &ldi, out, &ldo);
}

/// Runs a kernel from `earmark_xsmm_dispatch` (column-major a, b, c).
static inline void earmark_xsmm_run(const void *kernel, const float *a, const float *b, float *c) {
    ((libxsmm_smmfunction)kernel)(a, b, c);
}

/// libxsmm's version ("1.17-..."), for `--version`.
static inline const char *earmark_xsmm_version(void) {
    return LIBXSMM_VERSION;
}

/// The instruction set libxsmm generates code for on this CPU ("skx", "hsw", ...).
static inline const char *earmark_xsmm_target(void) {
    return libxsmm_get_target_arch();
}
