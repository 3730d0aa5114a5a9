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

static inline __attribute__((always_inline))
void adam_loop(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long count,
               float alpha, float b1, float b2, float epsilon, int decayed, float weight_decay, float learning_rate) {
    for (long j = 0; j < count; j++)
        adam_element(w, m, v, j, g[j], alpha, b1, b2, epsilon, decayed, weight_decay, learning_rate);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_adam_update(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                         long count, float alpha, float b1, float b2, float epsilon, float weight_decay,
                         float learning_rate) {
    if (weight_decay != 0) adam_loop(w, g, m, v, count, alpha, b1, b2, epsilon, 1, weight_decay, learning_rate);
    else adam_loop(w, g, m, v, count, alpha, b1, b2, epsilon, 0, 0, 0);
}

static inline __attribute__((always_inline))
void adam_consuming_loops(float *restrict w, float *restrict g0, float *restrict g1, float *restrict m,
                          float *restrict v, long count, float alpha, float b1, float b2, float epsilon,
                          int decayed, float weight_decay, float learning_rate) {
    // Two loops, not one testing g1 inside: clang does not unswitch that test but if-converts it into
    // masked loads and stores of g1 (vmaskmovps; AVX-512 {k} masks). AMD's Zen runs a masked store
    // as microcode, and with one replica (g1 NULL) each one went through the NULL pointer under an
    // all-zero mask: 80% of this function's samples sat on that store, and the update took ~30% of a
    // one-replica RNN training step.
    if (g1) {
        for (long j = 0; j < count; j++) {
            float gj = g0[j] + g1[j];
            g0[j] = 0;
            g1[j] = 0;
            adam_element(w, m, v, j, gj, alpha, b1, b2, epsilon, decayed, weight_decay, learning_rate);
        }
    } else {
        for (long j = 0; j < count; j++) {
            float gj = g0[j];
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
                                   float weight_decay, float learning_rate) {
    if (weight_decay != 0)
        adam_consuming_loops(w, g0, g1, m, v, count, alpha, b1, b2, epsilon, 1, weight_decay, learning_rate);
    else adam_consuming_loops(w, g0, g1, m, v, count, alpha, b1, b2, epsilon, 0, 0, 0);
}
