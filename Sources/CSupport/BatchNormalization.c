#include "CSupport.h"

// The four loops of Layers' BatchNormalization over x (M, C) viewed flat: rows outer, the C channels
// inner, so each row is one vector loop over contiguous channels. The Swift loops did the same
// arithmetic through pointers that might alias (the accumulators, x, the outputs) and stayed scalar.
// Every channel's sum still runs over the rows in order and contraction into FMA is off, so every
// value is the one the Swift loops computed, bit for bit (BatchNormalizationTests compares with them).
// AVX-512, AVX2 and baseline clones, picked at load time.
#pragma STDC FP_CONTRACT OFF

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_channel_moments(const float *restrict x, long rows, long c, double *restrict sums,
                             double *restrict squares, float *restrict mean, float *restrict variance) {
    for (long j = 0; j < c; j++) { sums[j] = 0; squares[j] = 0; }
    for (long m = 0; m < rows; m++) {
        const float *row = x + m * c;
        for (long j = 0; j < c; j++) sums[j] += (double)row[j];
    }
    for (long j = 0; j < c; j++) mean[j] = (float)(sums[j] / (double)rows);
    for (long m = 0; m < rows; m++) {
        const float *row = x + m * c;
        for (long j = 0; j < c; j++) {
            double d = (double)row[j] - (double)mean[j];
            squares[j] += d * d;
        }
    }
    for (long j = 0; j < c; j++) variance[j] = (float)(squares[j] / (double)rows);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_normalize_channels(const float *restrict x, long rows, long c, const float *restrict mean,
                                const float *restrict inv_std, const float *restrict gamma,
                                const float *restrict beta, float *restrict normalized, float *restrict y) {
    for (long m = 0; m < rows; m++) {
        const float *xr = x + m * c;
        float *nr = normalized + m * c, *yr = y + m * c;
        for (long j = 0; j < c; j++) {
            float v = (xr[j] - mean[j]) * inv_std[j];
            nr[j] = v;
            yr[j] = gamma[j] * v + beta[j];
        }
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_scale_channels(const float *restrict x, long rows, long c, const float *restrict scale,
                            const float *restrict shift, float *restrict y) {
    for (long m = 0; m < rows; m++) {
        const float *xr = x + m * c;
        float *yr = y + m * c;
        for (long j = 0; j < c; j++) yr[j] = xr[j] * scale[j] + shift[j];
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_channel_gradient_sums(const float *restrict dy, const float *restrict normalized, long rows, long c,
                                   double *restrict sums, double *restrict products) {
    for (long j = 0; j < c; j++) { sums[j] = 0; products[j] = 0; }
    for (long m = 0; m < rows; m++) {
        const float *dr = dy + m * c, *nr = normalized + m * c;
        for (long j = 0; j < c; j++) {
            sums[j] += (double)dr[j];
            products[j] += (double)(dr[j] * nr[j]);
        }
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_normalization_input_gradient(const float *restrict dy, const float *restrict normalized, long rows,
                                          long c, const float *restrict gain, const float *restrict mean_dy,
                                          const float *restrict mean_dy_xhat, float *restrict dx) {
    for (long m = 0; m < rows; m++) {
        const float *dr = dy + m * c, *nr = normalized + m * c;
        float *xr = dx + m * c;
        for (long j = 0; j < c; j++) xr[j] = gain[j] * (dr[j] - mean_dy[j] - nr[j] * mean_dy_xhat[j]);
    }
}
