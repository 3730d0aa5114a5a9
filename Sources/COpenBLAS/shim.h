#pragma once
#include <cblas.h>

// LAPACK routines shipped inside Debian's OpenBLAS (Fortran calling convention).
// Used by the orthogonal initialiser: QR factorisation and forming Q.
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau,
             float *work, const int *lwork, int *info);
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda,
             const float *tau, float *work, const int *lwork, int *info);
