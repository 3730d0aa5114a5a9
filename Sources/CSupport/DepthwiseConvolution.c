#include "CSupport.h"

// Tensor's DepthwiseConvolution with a depth multiplier of 1 (output channel c reads input channel c):
// the same loops in the same order as its Swift version (output pixels, the kernel taps inside the
// image, the channels innermost), where the channel loop over restrict pointers is vectorised; the
// Swift loop through pointers that may alias stayed scalar. Contraction off, so every sum is rounded
// as the Swift loops round it (DepthwiseConvolutionTests compares the two bit for bit).
// AVX-512, AVX2 and baseline clones, picked at load time.
#pragma STDC FP_CONTRACT OFF

static inline long clamp_low(long v) { return v < 0 ? 0 : v; }
static inline long minimum(long a, long b) { return a < b ? a : b; }

// Runs the statements after (g, batch), with x_at, y_at (the pixels' first floats) and tap set, for
// every output pixel and every tap of it inside the image, in the order n, oh, kh, ow, kw (as Tensor's
// forEachTap).
#define EARMARK_FOR_EACH_TAP(g, batch, ...)                                                               \
    for (long n = 0; n < (batch); n++)                                                                    \
        for (long oh = 0; oh < (g)->out_height; oh++) {                                                   \
            long top = oh * (g)->stride_height - (g)->pad_top;                                            \
            long y_row = (n * (g)->out_height + oh) * (g)->out_width;                                     \
            long kh_end = minimum((g)->kernel_height, (g)->height - top);                                 \
            for (long kh = clamp_low(-top); kh < kh_end; kh++) {                                          \
                long x_row = (n * (g)->height + top + kh) * (g)->width;                                   \
                for (long ow = 0; ow < (g)->out_width; ow++) {                                            \
                    long left = ow * (g)->stride_width - (g)->pad_left;                                   \
                    long kw_end = minimum((g)->kernel_width, (g)->width - left);                          \
                    for (long kw = clamp_low(-left); kw < kw_end; kw++) {                                 \
                        long x_at = (x_row + left + kw) * c, y_at = (y_row + ow) * c;                     \
                        long tap = kh * (g)->kernel_width + kw;                                           \
                        __VA_ARGS__                                                                       \
                    }                                                                                     \
                }                                                                                         \
            }                                                                                             \
        }

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_depthwise_forward(const float *restrict x, const float *restrict kernel, const float *restrict bias,
                               long batch, const earmark_window *g, float *restrict y) {
    long c = g->channels, pixels = batch * g->out_height * g->out_width;
    if (bias) {
        for (long p = 0; p < pixels; p++)
            for (long j = 0; j < c; j++) y[p * c + j] = bias[j];
    } else {
        for (long i = 0; i < pixels * c; i++) y[i] = 0;
    }
    EARMARK_FOR_EACH_TAP(g, batch, {
        const float *xs = x + x_at, *ks = kernel + tap * c;
        float *ys = y + y_at;
        for (long j = 0; j < c; j++) ys[j] += xs[j] * ks[j];
    })
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_depthwise_kernel_gradient(const float *restrict x, const float *restrict dz, long batch,
                                       const earmark_window *g, float *restrict kernel_gradient) {
    long c = g->channels;
    EARMARK_FOR_EACH_TAP(g, batch, {
        const float *xs = x + x_at, *dzs = dz + y_at;
        float *gs = kernel_gradient + tap * c;
        for (long j = 0; j < c; j++) gs[j] += xs[j] * dzs[j];
    })
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_depthwise_input_gradient(const float *restrict dz, const float *restrict kernel, long batch,
                                      const earmark_window *g, float *restrict dx) {
    long c = g->channels, count = batch * g->height * g->width * c;
    for (long i = 0; i < count; i++) dx[i] = 0;
    EARMARK_FOR_EACH_TAP(g, batch, {
        const float *dzs = dz + y_at, *ks = kernel + tap * c;
        float *dxs = dx + x_at;
        for (long j = 0; j < c; j++) dxs[j] += ks[j] * dzs[j];
    })
}
