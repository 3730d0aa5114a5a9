/// Small elementwise and reduction kernels on raw buffers (legend: R rows, D columns).
/// They run inside training steps, so they take pointers and never allocate.

/// Adds a bias to every row: y (R, D) += bias (D).
@inlinable
public func addRowBias(_ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                       bias: UnsafePointer<Float>) {
    var row = y
    for _ in 0..<rows {
        for j in 0..<columns { row[j] += bias[j] }
        row += columns
    }
}

/// Copies a bias into every row: y (R, D) = bias (D). A product then adds into it (`gemm` with
/// beta 1), which spares OpenBLAS's zeroing pass and a second pass adding the bias.
@inlinable
public func fillRows(_ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int, with bias: UnsafePointer<Float>) {
    for row in 0..<rows { (y + row * columns).update(from: bias, count: columns) }
}

/// Accumulates the column sums of a matrix: sums (D) += sum over rows of x (R, D).
/// This is the bias gradient of a product layer.
@inlinable
public func accumulateColumnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int,
                                 into sums: UnsafeMutablePointer<Float>) {
    // four rows per pass over the sums: a quarter of the loads and stores of sums, whose store and
    // reload each row was the loop's bottleneck (a conv layer's dz has thousands of rows)
    var row = x
    var remaining = rows
    while remaining >= 4 {
        let (r1, r2, r3) = (row + columns, row + 2 * columns, row + 3 * columns)
        for j in 0..<columns { sums[j] += (row[j] + r1[j]) + (r2[j] + r3[j]) }
        row += 4 * columns
        remaining -= 4
    }
    for _ in 0..<remaining {
        for j in 0..<columns { sums[j] += row[j] }
        row += columns
    }
}

/// sums (columns) += column sums of x (rows, columns) over the entries whose gate (rows, columns) is
/// positive (a NaN gate counts as not positive): the bias gradient of a ReLU convolution whose
/// pooled output gradient x is routed where the gate, its routes, is not 0 (`Conv2D` with a pool
/// fused into it).
public func accumulateColumnSums(_ x: UnsafePointer<Float>, gatedBy gate: UnsafePointer<Float>, rows: Int,
                                 columns: Int, into sums: UnsafeMutablePointer<Float>) {
    var (row, gateRow) = (x, gate)
    for _ in 0..<rows {
        for j in 0..<columns { sums[j] += gateRow[j] > 0 ? row[j] : 0 }
        row += columns
        gateRow += columns
    }
}

/// y (n) += x (n)
@inlinable
public func accumulate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { y[i] += x[i] }
}

/// Sum of x (n) with eight independent accumulators (a SIMD-friendly reduction), in Double at the end.
@inlinable
public func sum(_ x: UnsafePointer<Float>, count n: Int) -> Double {
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    while i + 8 <= n {
        acc += SIMD8<Float>(x[i], x[i + 1], x[i + 2], x[i + 3], x[i + 4], x[i + 5], x[i + 6], x[i + 7])
        i += 8
    }
    var total = Double(acc.sum())
    while i < n { total += Double(x[i]); i += 1 }
    return total
}
