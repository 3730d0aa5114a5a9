#include "CSupport.h"

// The CPU's fused multiply-add peak on one thread: 12 independent chains of 16-float FMAs that stay
// in registers (no loads or stores), enough chains to cover the FMA units' latency on current x86
// cores (4 cycles x 2 units = 8 in flight; 12 leaves a margin). What no product of a model can
// exceed: `bench` reports it beside the sgemm limit, and BENCHMARKS.md derives each model's ceiling
// from it. AVX-512 (one zmm FMA per chain and round), AVX2 with FMA (`arch=haswell`: AMD's Zen too;
// two ymm FMAs) and baseline clones are chosen at load time; the baseline has no FMA instruction
// and measures what that code path can do.

typedef float lanes16 __attribute__((vector_size(64)));

__attribute__((target_clones("avx512f", "arch=haswell", "default")))
long earmark_fma_peak(long rounds, float *sink) {
    // read through volatile, so the compiler cannot fold a chain whose start is a fixed point
    volatile float multiplier = 0.999999f, addend = 1e-6f, start = 2.0f;
    lanes16 a[12];
    const lanes16 b = (lanes16){0} + multiplier, c = (lanes16){0} + addend;
    for (int i = 0; i < 12; i++) a[i] = (lanes16){0} + (start + (float)i);
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < 12; i++) a[i] = __builtin_elementwise_fma(a[i], b, c);
    }
    lanes16 s = a[0];
    for (int i = 1; i < 12; i++) s += a[i];
    float total = 0;
    for (int j = 0; j < 16; j++) total += s[j];
    *sink = total;   // keeps the chains alive
    return rounds * 12 * 16 * 2;
}
