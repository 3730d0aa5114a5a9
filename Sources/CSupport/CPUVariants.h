#ifndef EARMARK_CPU_VARIANTS_H
#define EARMARK_CPU_VARIANTS_H

// One C function compiled three times, for AVX-512, for AVX2 with FMA and for the x86-64 baseline,
// and the version for this CPU chosen once, when the program is loaded, by the CPU's features.
//
// Why not `target_clones("avx512f", "arch=haswell", "default")`, which this file replaced: an
// `arch=` clone is dispatched on the CPU *model* (`__builtin_cpu_is("haswell")`), not on its
// features, so an AMD Zen 3 with AVX2 and FMA ran the baseline clone (SSE2, libm's fmaf for every
// explicit FMA): the FMA peak probe measured 1.1 GFLOP/s there and the LSTM cell ran without FMA.
// clang has no clone name for "AVX2 and FMA" (a clone is one feature or one model), so the choice is
// written out here: a GNU indirect function (`ifunc`, what `target_clones` itself emits) whose
// resolver asks for the features.
//
// Use: write the body as `static inline __attribute__((always_inline))` with no target of its own,
// then
//     EARMARK_CPU_VARIANTS(void, earmark_f, (float *y, long n), earmark_f_body(y, n))
// defines earmark_f_avx512, earmark_f_avx2_fma and earmark_f_baseline (each the body inlined into a
// function with that target, so each is compiled for it) and the exported `earmark_f`.
// `call` is the statement each variant runs: `return body(...)` for a function with a result.
// `earmark_cpu_variant_chosen()` (CPUVariants.c) says which version every such function runs.

#include "CSupport.h"

/// The version this CPU runs: AVX-512 (F) when it has it, else AVX2 with FMA, else the baseline.
/// Safe in an ifunc resolver (it initialises the feature bits itself).
static inline int earmark_cpu_variant(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return EARMARK_VARIANT_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return EARMARK_VARIANT_AVX2_FMA;
    return EARMARK_VARIANT_BASELINE;
}

#define EARMARK_CPU_VARIANTS(result, name, params, call) \
    EARMARK_CPU_VARIANTS_EACH(result, name, params, call, call, call)

/// The same with a statement of its own for each version (AVX-512, AVX2 with FMA, baseline): for a
/// body that must differ by more than the instructions the compiler picks (a register count).
#define EARMARK_CPU_VARIANTS_EACH(result, name, params, call_avx512, call_avx2_fma, call_baseline)  \
    __attribute__((target("avx512f"))) static result name##_avx512 params { call_avx512; }      \
    __attribute__((target("avx2,fma"))) static result name##_avx2_fma params { call_avx2_fma; } \
    static result name##_baseline params { call_baseline; }                                       \
    static result (*name##_resolve(void)) params {                                                \
        switch (earmark_cpu_variant()) {                                                          \
        case EARMARK_VARIANT_AVX512: return name##_avx512;                                        \
        case EARMARK_VARIANT_AVX2_FMA: return name##_avx2_fma;                                    \
        default: return name##_baseline;                                                          \
        }                                                                                         \
    }                                                                                             \
    result name params __attribute__((ifunc(#name "_resolve")));

#endif
