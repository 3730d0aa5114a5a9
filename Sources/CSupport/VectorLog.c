// Natural logarithms of doubles by glibc's vector math library (libmvec: the 8-lane AVX-512 and
// 4-lane AVX2 versions of log, within 4 ulp), chosen once from the CPU, libm's log elsewhere.
// Every element goes through the same function, the last partial vector by a masked load (inactive
// lanes read 1.0) and a masked store, so an element's result does not depend on its position.
#include <immintrin.h>
#include <math.h>

#include "CSupport.h"

__attribute__((target("avx512f"))) __m512d _ZGVeN8v_log(__m512d x);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_log(__m256d x);

__attribute__((target("avx512f"))) static void log_avx512(const double *x, double *y, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, _ZGVeN8v_log(_mm512_loadu_pd(x + i)));
    if (i < n) {
        __mmask8 live = (__mmask8)((1u << (n - i)) - 1);
        __m512d v = _mm512_mask_loadu_pd(_mm512_set1_pd(1.0), live, x + i);
        _mm512_mask_storeu_pd(y + i, live, _ZGVeN8v_log(v));
    }
}

__attribute__((target("avx2"))) static void log_avx2(const double *x, double *y, long n) {
    long i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, _ZGVdN4v_log(_mm256_loadu_pd(x + i)));
    if (i < n) {
        long left = n - i;
        __m256i live = _mm256_setr_epi64x(0 < left ? -1 : 0, 1 < left ? -1 : 0, 2 < left ? -1 : 0, 0);
        __m256d v = _mm256_blendv_pd(_mm256_set1_pd(1.0), _mm256_maskload_pd(x + i, live), _mm256_castsi256_pd(live));
        _mm256_maskstore_pd(y + i, live, _ZGVdN4v_log(v));
    }
}

static void log_scalar(const double *x, double *y, long n) {
    for (long i = 0; i < n; i++) y[i] = log(x[i]);
}

int earmark_log_f64_level(void) {
    static int level = -1;   // a benign race: every thread finds the same
    if (level < 0) {
        __builtin_cpu_init();
        level = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return level;
}

void earmark_log_f64_at(int level, const double *x, double *y, long count) {
    int most = earmark_log_f64_level();
    if (level > most) level = most;
    if (level == 2) log_avx512(x, y, count);
    else if (level == 1) log_avx2(x, y, count);
    else log_scalar(x, y, count);
}

void earmark_log_f64(const double *x, double *y, long count) {
    earmark_log_f64_at(earmark_log_f64_level(), x, y, count);
}
