#include "CSupport.h"
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define FTZ_DAZ_BITS 0x8040u /* FTZ (bit 15) | DAZ (bit 6) */
unsigned int earmark_enable_flush_to_zero(void) {
    unsigned int old = _mm_getcsr();
    _mm_setcsr(old | FTZ_DAZ_BITS);
    return old;
}
void earmark_restore_float_env(unsigned int mxcsr) { _mm_setcsr(mxcsr); }
#else
unsigned int earmark_enable_flush_to_zero(void) { return 0; }
void earmark_restore_float_env(unsigned int mxcsr) { (void)mxcsr; }
#endif
