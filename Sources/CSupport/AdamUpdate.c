#include "CSupport.h"

// Keras's Adam update of one range of a parameter, written in C because Swift lowers
// Float.squareRoot() to a call of libm's sqrtf (it may set errno), which keeps the loop scalar:
// 1.4 ms per step for the reference CNN's 499k parameters. Here the loop is vectorised (vsqrtps,
// vdivps) in an AVX-512, an AVX2 and a baseline clone picked at load time. Contraction into FMA is
// off, so every element is rounded exactly as the scalar Swift loop rounded it (sqrt and division are
// correctly rounded in every lane).
#pragma STDC FP_CONTRACT OFF

// Element j's update from its gradient gj; inlined into each loop below. With `decayed` (a constant
// where it is inlined, so each loop is compiled with or without it) the weight first decays as Keras's
// `weight_decay` does it: w - w * weight_decay * learning_rate, rounded, then the Adam step.
static inline __attribute__((always_inline))
void adam_element(float *restrict w, float *restrict m, float *restrict v, long j, float gj, float alpha,
                  float b1, float b2, float epsilon, int decayed, float weight_decay, float learning_rate) {
    float mj = m[j] + (gj - m[j]) * b1;
    float vj = v[j] + (gj * gj - v[j]) * b2;
    m[j] = mj;
    v[j] = vj;
    float wj = w[j];
    if (decayed) wj = wj - wj * weight_decay * learning_rate;
    w[j] = wj - alpha * mj / (__builtin_elementwise_sqrt(vj) + epsilon);
}

// The gradient as Keras's clipping leaves it (Layers' GradientClipping, applied before the decay and
// the update): mode 1 clips it to [-a, a] (Swift's min(max(g, -a), a): NaN stays NaN), mode 2 scales
// it by a / b, rounded as g * a / b (b = 1 for the global norm's scale), mode 0 leaves it. `mode` is a
// constant where this is inlined, so each loop is compiled once per mode.
static inline __attribute__((always_inline)) float clipped(float gj, int mode, float a, float b) {
    if (mode == 1) return gj < -a ? -a : (gj > a ? a : gj);
    if (mode == 2) return gj * a / b;
    return gj;
}

static inline __attribute__((always_inline))
void adam_loop(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long count,
               float alpha, float b1, float b2, float epsilon, int decayed, float weight_decay, float learning_rate,
               int mode, float clip_a, float clip_b) {
    for (long j = 0; j < count; j++)
        adam_element(w, m, v, j, clipped(g[j], mode, clip_a, clip_b), alpha, b1, b2, epsilon, decayed, weight_decay,
                     learning_rate);
}

// One loop per (decay, clipping mode) pair, the constants folded into each.
#define EARMARK_ADAM_DISPATCH(loop, ...)                                                             \
    do {                                                                                             \
        if (weight_decay != 0) {                                                                     \
            if (clip_mode == 1) loop(__VA_ARGS__, 1, weight_decay, learning_rate, 1, clip_a, clip_b); \
            else if (clip_mode == 2) loop(__VA_ARGS__, 1, weight_decay, learning_rate, 2, clip_a, clip_b); \
            else loop(__VA_ARGS__, 1, weight_decay, learning_rate, 0, 0, 1);                         \
        } else {                                                                                     \
            if (clip_mode == 1) loop(__VA_ARGS__, 0, 0, 0, 1, clip_a, clip_b);                       \
            else if (clip_mode == 2) loop(__VA_ARGS__, 0, 0, 0, 2, clip_a, clip_b);                  \
            else loop(__VA_ARGS__, 0, 0, 0, 0, 0, 1);                                                \
        }                                                                                            \
    } while (0)

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_adam_update(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                         long count, float alpha, float b1, float b2, float epsilon, float weight_decay,
                         float learning_rate, int clip_mode, float clip_a, float clip_b) {
    EARMARK_ADAM_DISPATCH(adam_loop, w, g, m, v, count, alpha, b1, b2, epsilon);
}

static inline __attribute__((always_inline))
void adam_consuming_loops(float *restrict w, float *restrict g0, float *restrict g1, float *restrict m,
                          float *restrict v, long count, float alpha, float b1, float b2, float epsilon,
                          int decayed, float weight_decay, float learning_rate, int mode, float clip_a,
                          float clip_b) {
    // Two loops, not one testing g1 inside: clang does not unswitch that test but if-converts it into
    // masked loads and stores of g1 (vmaskmovps; AVX-512 {k} masks). AMD's Zen runs a masked store
    // as microcode, and with one replica (g1 NULL) each one went through the NULL pointer under an
    // all-zero mask: 80% of this function's samples sat on that store, and the update took ~30% of a
    // one-replica RNN training step.
    if (g1) {
        for (long j = 0; j < count; j++) {
            float gj = clipped(g0[j] + g1[j], mode, clip_a, clip_b);
            g0[j] = 0;
            g1[j] = 0;
            adam_element(w, m, v, j, gj, alpha, b1, b2, epsilon, decayed, weight_decay, learning_rate);
        }
    } else {
        for (long j = 0; j < count; j++) {
            float gj = clipped(g0[j], mode, clip_a, clip_b);
            g0[j] = 0;
            adam_element(w, m, v, j, gj, alpha, b1, b2, epsilon, decayed, weight_decay, learning_rate);
        }
    }
}

// The same update from the sum of two replicas' gradients (g0 + g1, the same single rounding as adding
// them first), leaving both zero: the training engine's gradients are then ready for the next step
// without a pass of their own, and the sum is never written back. g1 may be NULL (one replica).
__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_adam_update_consuming(float *restrict w, float *restrict g0, float *restrict g1, float *restrict m,
                                   float *restrict v, long count, float alpha, float b1, float b2, float epsilon,
                                   float weight_decay, float learning_rate, int clip_mode, float clip_a,
                                   float clip_b) {
    EARMARK_ADAM_DISPATCH(adam_consuming_loops, w, g0, g1, m, v, count, alpha, b1, b2, epsilon);
}

// The sum of squares of a gradient for clipping by norm (Layers' GradientClipping): element j is the
// replicas' gradients added in float in replica order (as the training engine sums them), squared in
// double and added into lane j % 16; the lanes are added pairwise at the end. Sixteen independent
// lanes instead of one running sum: a single double accumulator is a chain of dependent adds (0.6 ms
// for the reference CNN's 499k weights, a quarter of its training step); the lanes let the loop run at
// the loads' speed. The order is fixed, so every caller gets the same bits.
#define EARMARK_LANES 16

static inline __attribute__((always_inline))
double sum_of_squares_loop(const float *const *g, int replicas, long count) {
    double lanes[EARMARK_LANES] = {0};
    long j = 0;
    for (; j + EARMARK_LANES <= count; j += EARMARK_LANES) {
        for (int l = 0; l < EARMARK_LANES; l++) {
            float s = g[0][j + l];
            for (int r = 1; r < replicas; r++) s += g[r][j + l];
            double d = (double)s;
            lanes[l] += d * d;
        }
    }
    for (int l = 0; j < count; j++, l++) {
        float s = g[0][j];
        for (int r = 1; r < replicas; r++) s += g[r][j];
        double d = (double)s;
        lanes[l] += d * d;
    }
    for (int width = EARMARK_LANES / 2; width >= 1; width /= 2)
        for (int l = 0; l < width; l++) lanes[l] = lanes[l] + lanes[l + width];
    return lanes[0];
}

__attribute__((target_clones("avx512f", "avx2", "default")))
double earmark_sum_of_squares(const float *const *g, int replicas, long count) {
    // one and two replicas with the count folded in, so that their inner loops vectorise
    if (replicas == 1) return sum_of_squares_loop(g, 1, count);
    if (replicas == 2) return sum_of_squares_loop(g, 2, count);
    return sum_of_squares_loop(g, replicas, count);
}
