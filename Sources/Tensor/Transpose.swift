import CXSMM

/// b (columns, rows) = a (rows, columns)^T, both row-major and contiguous, by libxsmm's out-of-place
/// transpose (blocked for the cache; the same values, moved).
///
///     a (rows, columns) -> b (columns, rows)
public func transpose(_ a: UnsafePointer<Float>, rows: Int, columns: Int, into b: UnsafeMutablePointer<Float>) {
    precondition(rows >= 0 && columns >= 0, "transpose: negative size \(rows) x \(columns)")
    if rows == 0 || columns == 0 { return }
    // column-major terms: a is the (columns, rows) matrix of leading dimension columns; b the (rows,
    // columns) one of leading dimension rows
    libxsmm_otrans(b, a, UInt32(MemoryLayout<Float>.stride), libxsmm_blasint(columns), libxsmm_blasint(rows),
                   libxsmm_blasint(columns), libxsmm_blasint(rows))
}
