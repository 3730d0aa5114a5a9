#include "CSupport.h"

// A dropout mask from a counter-based generator: element i takes the SplitMix64 output of state
// key + (i + 1) * golden, the same numbers a sequential SplitMix64 generator seeded with `key`
// returns, but each one computed from its index alone. The draws are independent of one another,
// so the loop vectorises (8 lanes of 64-bit multiplies on AVX-512, 4 on AVX2), where the layer's
// xoshiro256** loop was one dependent chain per element (~2 ns each: 100 us for the reference
// CNN's 49k-element dropout at batch 16).
//
//   mask[i] = (top 24 bits of splitmix64(key + (i + 1) * golden)) / 2^24 < keep ? scale : 0
//   y[i] = x[i] * mask[i]
__attribute__((target_clones("avx512f", "avx2", "default")))
void earmark_dropout_mask(float *restrict mask, float *restrict y, const float *restrict x, long count,
                          unsigned long long key, float keep, float scale) {
    const unsigned long long golden = 0x9E3779B97F4A7C15ull;
    // u = b / 2^24 (b the top 24 bits, exact in a float) is below keep exactly when b < keep * 2^24
    const float threshold = keep * 16777216.0f;
    for (long i = 0; i < count; i++) {
        unsigned long long z = key + (unsigned long long)(i + 1) * golden;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        float m = (float)(unsigned int)(z >> 40) < threshold ? scale : 0.0f;
        mask[i] = m;
        y[i] = x[i] * m;
    }
}
