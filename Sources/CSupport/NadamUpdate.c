#include "CSupport.h"

// Keras 3's Nadam update of a whole parameter, in C for the same reason as AdamUpdate.c (Swift's
// Float.squareRoot() is a libm call that keeps a Swift loop scalar): vectorised in an AVX-512, an AVX2
// and a baseline clone picked at load time. Contraction into FMA off, and every operation in Keras's
// order (m += (g - m) (1 - beta_1), not beta_1 m + (1 - beta_1) g), so each element rounds as Keras's
// float32 graph does.
#pragma STDC FP_CONTRACT OFF

static inline __attribute__((always_inline))
void nadam_loop(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long count,
                float learning_rate, float beta_1, float beta_2, float epsilon, int decayed, float weight_decay,
                float u_next, float denominator_next, float one_minus_u, float denominator, float bias_2) {
    for (long j = 0; j < count; j++) {
        float gj = g[j], wj = w[j];
        if (decayed) wj = wj - wj * weight_decay * learning_rate;
        float mj = m[j] + (gj - m[j]) * (1 - beta_1);
        float vj = v[j] + (gj * gj - v[j]) * (1 - beta_2);
        m[j] = mj;
        v[j] = vj;
        float m_hat = (u_next * mj) / denominator_next + (one_minus_u * gj) / denominator;
        float v_hat = vj / bias_2;
        w[j] = wj - (m_hat * learning_rate) / (__builtin_elementwise_sqrt(v_hat) + epsilon);
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_nadam_update(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                          long count, float learning_rate, float beta_1, float beta_2, float epsilon,
                          float weight_decay, float u_next, float denominator_next, float one_minus_u,
                          float denominator, float bias_2) {
    if (weight_decay != 0)
        nadam_loop(w, g, m, v, count, learning_rate, beta_1, beta_2, epsilon, 1, weight_decay, u_next,
                   denominator_next, one_minus_u, denominator, bias_2);
    else
        nadam_loop(w, g, m, v, count, learning_rate, beta_1, beta_2, epsilon, 0, 0, u_next, denominator_next,
                   one_minus_u, denominator, bias_2);
}
