#pragma once
#include <fftw3.h>

// fftwf_version is a C array of unknown size, which Swift does not import: returned as a pointer.
static inline const char *earmark_fftwf_version(void) { return fftwf_version; }
