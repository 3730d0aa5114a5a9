#include "CPUVariants.h"

// The CPU's fused multiply-add peak on one thread: 12 independent chains of FMAs, one vector register
// each, that stay in registers (no loads or stores), enough chains to cover the FMA units' latency on
// current x86 cores (4 cycles x 2 units = 8 in flight; 12 leaves a margin). What no product of a model
// can exceed: `bench` reports it beside the sgemm limit, and BENCHMARKS.md derives each model's
// ceiling from it. The chains are as wide as the version's registers: 16 floats (zmm) on AVX-512,
// 8 (ymm) on AVX2 with FMA, where 16-float chains would need 24 of the 16 registers and half of them
// would go through the stack (that measured 65% of an AMD Zen 3's peak); the baseline runs 8-float
// chains without an FMA instruction and measures what that code path can do. The version for this CPU
// is chosen by its features at load time (CPUVariants.h).

typedef float lanes16 __attribute__((vector_size(64)));
typedef float lanes8 __attribute__((vector_size(32)));

// 12 chains of a <- a * b + c over `lanes`-wide vectors of `width` floats; returns the FLOPs done
#define FMA_CHAINS(lanes, width)                                                                     \
    static inline __attribute__((always_inline)) long fma_chains_##width(long rounds, float *sink) { \
        /* read through volatile, so the compiler cannot fold a chain whose start is a fixed point */ \
        volatile float multiplier = 0.999999f, addend = 1e-6f, start = 2.0f;                        \
        lanes a[12];                                                                                 \
        const lanes b = (lanes){0} + multiplier, c = (lanes){0} + addend;                            \
        for (int i = 0; i < 12; i++) a[i] = (lanes){0} + (start + (float)i);                         \
        for (long r = 0; r < rounds; r++) {                                                          \
            for (int i = 0; i < 12; i++) a[i] = __builtin_elementwise_fma(a[i], b, c);               \
        }                                                                                            \
        lanes s = a[0];                                                                              \
        for (int i = 1; i < 12; i++) s += a[i];                                                      \
        float total = 0;                                                                             \
        for (int j = 0; j < width; j++) total += s[j];                                               \
        *sink = total; /* keeps the chains alive */                                                  \
        return rounds * 12 * width * 2;                                                              \
    }
FMA_CHAINS(lanes16, 16)
FMA_CHAINS(lanes8, 8)

EARMARK_CPU_VARIANTS_EACH(long, earmark_fma_peak, (long rounds, float *sink),
                          return fma_chains_16(rounds, sink), return fma_chains_8(rounds, sink),
                          return fma_chains_8(rounds, sink))
