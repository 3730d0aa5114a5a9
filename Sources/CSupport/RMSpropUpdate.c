#include "CSupport.h"

// Keras 3's RMSprop update of a whole parameter, in C for the same reason as AdamUpdate.c: Swift's
// Float.squareRoot() is a libm call that keeps a Swift loop scalar (1.27 ms of optimizer time per
// step for the reference CNN's 499k parameters). Vectorised (vsqrtps, vdivps) in an AVX-512, an AVX2
// and a baseline clone picked at load time; contraction into FMA off, so every element is rounded as
// the scalar formula rounds it.
#pragma STDC FP_CONTRACT OFF

// Element j's update; `decayed`, `centered` and `with_momentum` are constants where this is inlined,
// so each loop below is compiled for one combination.
static inline __attribute__((always_inline))
void rmsprop_element(float *restrict w, const float *restrict g, float *restrict v, float *restrict m,
                     float *restrict a, long j, float learning_rate, float rho, float momentum, float epsilon,
                     int decayed, float weight_decay, int centered, int with_momentum) {
    float gj = g[j];
    float wj = w[j];
    if (decayed) wj = wj - wj * weight_decay * learning_rate;
    float vj = rho * v[j] + (1 - rho) * (gj * gj);
    v[j] = vj;
    float denominator = vj + epsilon;
    if (centered) {
        float aj = rho * a[j] + (1 - rho) * gj;
        a[j] = aj;
        denominator = vj - aj * aj + epsilon;
    }
    float increment = learning_rate * gj / __builtin_elementwise_sqrt(denominator);
    if (with_momentum) {
        float mj = momentum * m[j] + increment;
        m[j] = mj;
        w[j] = wj - mj;
    } else {
        w[j] = wj - increment;
    }
}

static inline __attribute__((always_inline))
void rmsprop_loop(float *restrict w, const float *restrict g, float *restrict v, float *restrict m, float *restrict a,
                  long count, float learning_rate, float rho, float momentum, float epsilon, int decayed,
                  float weight_decay, int centered, int with_momentum) {
    for (long j = 0; j < count; j++)
        rmsprop_element(w, g, v, m, a, j, learning_rate, rho, momentum, epsilon, decayed, weight_decay, centered,
                        with_momentum);
}

#define EARMARK_RMSPROP_LOOP(d, c, mo) \
    rmsprop_loop(w, g, v, m, a, count, learning_rate, rho, momentum, epsilon, d, weight_decay, c, mo)

__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_rmsprop_update(float *restrict w, const float *restrict g, float *restrict v, float *restrict m,
                            float *restrict a, long count, float learning_rate, float rho, float momentum,
                            float epsilon, float weight_decay) {
    int decayed = weight_decay != 0, centered = a != 0, with_momentum = m != 0;
    if (decayed) {
        if (centered) { if (with_momentum) EARMARK_RMSPROP_LOOP(1, 1, 1); else EARMARK_RMSPROP_LOOP(1, 1, 0); }
        else { if (with_momentum) EARMARK_RMSPROP_LOOP(1, 0, 1); else EARMARK_RMSPROP_LOOP(1, 0, 0); }
    } else {
        if (centered) { if (with_momentum) EARMARK_RMSPROP_LOOP(0, 1, 1); else EARMARK_RMSPROP_LOOP(0, 1, 0); }
        else { if (with_momentum) EARMARK_RMSPROP_LOOP(0, 0, 1); else EARMARK_RMSPROP_LOOP(0, 0, 0); }
    }
}
