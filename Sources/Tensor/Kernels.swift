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

/// sums (F) += the column sums of dz (N, H, W, F), the gradient a rectified 2x2 / stride-2 max pool
/// routes from dy (N, H / 2, W / 2, F): dz at a window's position k (1-4, row-major) is dy where that
/// window's route is k, else 0 (`Winograd3x3.run`'s routes). Bit for bit `accumulateColumnSums` of that
/// dz (the same groups of four rows, each value made on the fly), without writing dz: the bias
/// gradient of a ReLU `Conv2D` whose pool is fused into it. H and W even.
public func accumulateRoutedColumnSums(_ dy: UnsafePointer<Float>, routes: UnsafePointer<Float>, batch n: Int,
                                       height: Int, width: Int, columns f: Int,
                                       into sums: UnsafeMutablePointer<Float>) {
    precondition(height % 2 == 0 && width % 2 == 0, "routed column sums: odd \(height) x \(width)")
    let rows = n * height * width
    // full row r: where its window's gradient and route are, and the code of r's position in it
    @inline(__always) func source(_ r: Int) -> (at: Int, code: Float) {
        let (image, pixel) = r.quotientAndRemainder(dividingBy: height * width)
        let (h, w) = pixel.quotientAndRemainder(dividingBy: width)
        return (((image * height / 2 + h / 2) * (width / 2) + w / 2) * f, Float(1 + (h % 2) * 2 + w % 2))
    }
    // explicit lanes: a scalar select on random routes compiles to branches that mispredict (this
    // loop was 7% of a training step's samples before)
    @inline(__always) func value<L: FloatLanes>(_: L.Type, _ s: (at: Int, code: Float), _ j: Int) -> L {
        L.load(dy + s.at + j).routed(L.load(routes + s.at + j), s.code)
    }
    var r = 0
    while r + 4 <= rows {
        let (s0, s1, s2, s3) = (source(r), source(r + 1), source(r + 2), source(r + 3))
        @inline(__always) func add<L: FloatLanes>(_: L.Type, _ j: Int) {
            let group = (value(L.self, s0, j) + value(L.self, s1, j)) + (value(L.self, s2, j) + value(L.self, s3, j))
            (L.load(sums + j) + group).store(sums + j)
        }
        forEachLaneGroup(f, { add(SIMD16<Float>.self, $0) }, { add(Float.self, $0) })
        r += 4
    }
    while r < rows {
        let s = source(r)
        forEachLaneGroup(f, { (L16.load(sums + $0) + value(L16.self, s, $0)).store(sums + $0) },
                         { sums[$0] += value(Float.self, s, $0) })
        r += 1
    }
}

private typealias L16 = SIMD16<Float>

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

extension Tensor {
    /// c = a * b element by element, c sized like a (a dropout's or a noise layer's mask applied to x, or
    /// to dy in its backward). Shape: a, b (any, equal counts) -> c, a's shape.
    public static func multiply(_ a: Tensor, by b: Tensor, into c: inout Tensor) {
        precondition(a.count == b.count, "multiply: \(a.shape) and \(b.shape) differ in size")
        c.ensureShape(a.shape)
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                c.data.withUnsafeMutableBufferPointer { cp in
                    for i in 0..<cp.count { cp[i] = ap[i] * bp[i] }
                }
            }
        }
    }
}
