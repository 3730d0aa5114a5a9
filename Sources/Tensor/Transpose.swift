import CXSMM

/// b (columns, rows) = a (rows, columns)^T, both row-major and contiguous (the same values, moved), by
/// the transpose kernel libxsmm generates for this shape, or where it has none by its generic
/// out-of-place transpose (blocked for the cache).
///
/// The generic transpose is up to 10x slower. One core of an AMD EPYC Zen 3 (AVX2), best of 300, generic
/// against generated: (32, 512), a panel of an LSTM's R^T, 20 us
/// generic against 2 us generated; (144, 512) 86 against 12 us; (16, 3072) 64 against 7 us; (3072, 16),
/// Dense's dx^T, 15 us either way (BENCHMARKS.md, What was tried).
///
///     a (rows, columns) -> b (columns, rows)
public func transpose(_ a: UnsafePointer<Float>, rows: Int, columns: Int, into b: UnsafeMutablePointer<Float>) {
    precondition(rows >= 0 && columns >= 0, "transpose: negative size \(rows) x \(columns)")
    if rows == 0 || columns == 0 { return }
    precondition(rows <= Int(UInt32.max) && columns <= Int(UInt32.max), "transpose: \(rows) x \(columns) too large")
    // column-major terms: a is the (columns, rows) matrix of leading dimension columns; b the (rows,
    // columns) one of leading dimension rows
    if let kernel = earmark_xsmm_transpose_dispatch(UInt32(columns), UInt32(rows), UInt32(rows)) {
        earmark_xsmm_transpose_run(kernel, a, UInt32(columns), b, UInt32(rows))
        return
    }
    libxsmm_otrans(b, a, UInt32(MemoryLayout<Float>.stride), libxsmm_blasint(columns), libxsmm_blasint(rows),
                   libxsmm_blasint(columns), libxsmm_blasint(rows))
}
