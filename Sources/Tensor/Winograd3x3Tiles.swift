/// The transforms of Winograd F(3x3, 3x3) (interpolation points 0, 1, -1, -2 and infinity), for
/// `Winograd3x3` with `outputTile` 3: a 3x3 output tile from a 5x5 input patch by 25
/// multiplications per (input, output) channel pair instead of 81. Used for `.full` outputs whose
/// sides are not both multiples of 4 when its tiles take fewer products than F(2x2, 3x3)'s
/// (`Winograd3x3.fewestProductsTile`): the reference CNN's 9 x 13 convolutions take 3 x 5 tiles of 25
/// points per image (375 point products per channel pair) instead of 5 x 7 of 16 (560). Tiles at the
/// bottom/right edge are clipped: their outputs outside (OH, OW) are neither stored nor given a
/// gradient.
///
/// Legend as `Winograd3x3`, with X = 25 points (a 5x5 grid, point p = 5i + j):
///
///     kernel transform   U (X, C, F) = G g G^T          g the 3x3 kernel of a (c, f) pair
///     input transform    V (X, B, C) = B^T d B          d the tile's 5x5 patch of the padded input
///     output transform   y (3 x 3 per filter) = A^T M A + bias
///     kernel gradient    Z (X, B, F) = A dY A^T         dY the tile's 3x3 of dz (0 outside OH x OW)
///                        dk (3, 3, C, F) += G^T S G     S (X, C, F) the products' sums
///     input gradient     dP's 5x5 patch += B dV B^T     (WinogradInputGradient.swift)
///
///     B^T = [-2 -1  2  1  0]     G = [-1/2    0     0 ]     A^T = [1 1  1  1  0]
///           [ 0  2  3  1  0]         [ 1/6  1/6   1/6 ]           [0 1 -1 -2  0]
///           [ 0 -2  1  1  0]         [ 1/2 -1/2   1/2 ]           [0 1  1  4  1]
///           [ 0 -1  0  1  0]         [-1/6  1/3  -2/3 ]
///           [ 0 -2 -1  2  1]         [   0    0     1 ]
///
/// Each 2-D transform is its 1-D transform applied to the columns, then to the rows. Tile (n, tr, tc)
/// reads padded rows 3tr ..< 3tr + 5 and columns 3tc ..< 3tc + 5 and makes the outputs at rows
/// 3tr ..< 3tr + 3, columns 3tc ..< 3tc + 3. The float error lies between F(2x2, 3x3)'s and
/// F(4x4, 3x3)'s (of the point sets {0, 1, -1, 2}, {0, 1, -1, 1/2}, {0, 1, -1, -1/2} and this one,
/// this one had the smallest median error against float64 over 64-channel tiles: 7.8e-7 of the
/// largest output, F(2x2, 3x3) 2.5e-7); WinogradMediumTileTests bound it against im2col.
extension Winograd3x3 {
    /// The 3x3 outputs A^T M A + bias (relu'd with `rectify`) of the tiles `range` (t counted from the
    /// block's first for m, from the batch's first for y), stored where they fall inside (OH, OW), all
    /// filters side by side.
    ///     m (25, B, F) -> y (N, OH, OW, F)
    func transformOutput3(_ m: UnsafePointer<Float>, tiles range: Range<Int>, bias: UnsafePointer<Float>,
                          into y: UnsafeMutablePointer<Float>, rectify: Bool) {
        let f = filters
        let point = range.count * f
        withTransformScratch { t in
            forEachClippedTile3(range) { index, corner, rows, columns in
                let (q, out) = (m + index * f, y + corner)
                forEachLaneGroup(f, { outputLanes3(SIMD16<Float>.self, q + $0, bias + $0, out + $0, point: point,
                                                   rows: rows, columns: columns, scratch: t, rectify: rectify) },
                                 { outputLanes3(Float.self, q + $0, bias + $0, out + $0, point: point, rows: rows,
                                                columns: columns, scratch: t, rectify: rectify) })
            }
        }
    }

    /// Calls `body(index, corner, rows, columns)` for every tile t of `range`: its index from the
    /// range's first, the offset of its top-left output in an (N, OH, OW, F) tensor, and how many of
    /// its 3 rows and 3 columns lie inside (OH, OW).
    @inline(__always)
    private func forEachClippedTile3(_ range: Range<Int>, _ body: (Int, Int, Int, Int) -> Void) {
        forEachTile(range) { index, b, tr, tc in
            let (oh, ow) = (3 * tr, 3 * tc)
            body(index, ((b * outHeight + oh) * outWidth + ow) * filters, min(3, outHeight - oh), min(3, outWidth - ow))
        }
    }

    /// `transformOutput3` for the lanes at q (point 0), bias and the tile's top-left output; `rows` and
    /// `columns` of its outputs are stored.
    @inline(__always)
    private func outputLanes3<L: FloatLanes>(_: L.Type, _ q: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                             _ y: UnsafeMutablePointer<Float>, point: Int, rows: Int, columns: Int,
                                             scratch: UnsafeMutableRawPointer, rectify: Bool) {
        let (f, row) = (filters, outWidth * filters)
        let t = scratch.bindMemory(to: L.self, capacity: 15)
        columnsOf5x5(outputTransform5, from: q, step: point, into: t)      // Q = A^T M
        let b = L.load(bias)
        @inline(__always) func put(_ v: L, _ p: UnsafeMutablePointer<Float>) { (rectify ? v.rectified() : v).store(p) }
        // Y = Q A, row by row
        for i in 0..<rows {
            let s = t + 5 * i, out = y + i * row
            let r = outputTransform5(s[0], s[1], s[2], s[3], s[4])
            put(r.0 + b, out)
            if columns > 1 { put(r.1 + b, out + f) }
            if columns > 2 { put(r.2 + b, out + 2 * f) }
        }
    }

    /// G g G^T for the lanes at g (kernel tap (0, 0)) and o (point 0): `transformKernel` with
    /// `outputTile` 3.
    ///     kernel (3, 3, C, F) -> u (25, C, F)
    @inline(__always)
    func kernelLanes3<L: FloatLanes>(_: L.Type, _ g: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                     scratch: UnsafeMutableRawPointer) {
        let tap = channels * filters    // between kernel taps
        let point = kernelPointStride   // between transform points in u
        let t = scratch.bindMemory(to: L.self, capacity: 15)
        // T = G g, column by column: T[i, b] at t[3i + b]
        for b in 0..<3 {
            let r = kernelTransform5(L.load(g + b * tap), L.load(g + (3 + b) * tap), L.load(g + (6 + b) * tap))
            t[b] = r.0; t[3 + b] = r.1; t[6 + b] = r.2; t[9 + b] = r.3; t[12 + b] = r.4
        }
        // U = T G^T, row by row
        for i in 0..<5 {
            let s = t + 3 * i, q = o + 5 * i * point
            let r = kernelTransform5(s[0], s[1], s[2])
            r.0.store(q); r.1.store(q + point); r.2.store(q + 2 * point); r.3.store(q + 3 * point)
            r.4.store(q + 4 * point)
        }
    }

    /// Z[p, t, :] = (A dY A^T)[p] for the tiles `range` (t counted from the block's first), all
    /// filters side by side; dY is the tile's 3x3 of dz, zero where it falls outside (OH, OW).
    ///     dz (N, OH, OW, F) -> z (25, B, F)
    func transformOutputGradient3(_ dz: UnsafePointer<Float>, tiles range: Range<Int>,
                                  into z: UnsafeMutablePointer<Float>) {
        let f = filters
        let point = range.count * f
        withTransformScratch { t in
            forEachClippedTile3(range) { index, corner, rows, columns in
                let (y, out) = (dz + corner, z + index * f)
                forEachLaneGroup(f, { gradientLanes3(SIMD16<Float>.self, y + $0, out + $0, point: point, rows: rows,
                                                     columns: columns, scratch: t) },
                                 { gradientLanes3(Float.self, y + $0, out + $0, point: point, rows: rows,
                                                  columns: columns, scratch: t) })
            }
        }
    }

    /// `transformOutputGradient3` for the lanes at y (the tile's top-left gradient) and o (point 0);
    /// only `rows` x `columns` of the tile's gradients are read, the rest are 0.
    @inline(__always)
    private func gradientLanes3<L: FloatLanes>(_: L.Type, _ y: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                               point: Int, rows: Int, columns: Int, scratch: UnsafeMutableRawPointer) {
        let (f, row) = (filters, outWidth * filters)
        let t = scratch.bindMemory(to: L.self, capacity: 15)
        @inline(__always) func at(_ i: Int, _ j: Int) -> L { i < rows && j < columns ? L.load(y + i * row + j * f) : L.zero }
        // T = A dY, column by column: T[p, j] at t[3p + j]
        for j in 0..<3 {
            let r = gradientTransform5(at(0, j), at(1, j), at(2, j))
            t[j] = r.0; t[3 + j] = r.1; t[6 + j] = r.2; t[9 + j] = r.3; t[12 + j] = r.4
        }
        // Z = T A^T, row by row
        for i in 0..<5 {
            let s = t + 3 * i, q = o + 5 * i * point
            let r = gradientTransform5(s[0], s[1], s[2])
            r.0.store(q); r.1.store(q + point); r.2.store(q + 2 * point); r.3.store(q + 3 * point); r.4.store(q + 4 * point)
        }
    }

    /// gradient taps += G^T S G for the lanes at s (point 0) and g (kernel tap (0, 0)):
    /// `accumulateKernelTransform` with `outputTile` 3.
    ///     s (25, C, F) -> gradient (3, 3, C, F)
    @inline(__always)
    func kernelGradientLanes3<L: FloatLanes>(_: L.Type, _ s: UnsafePointer<Float>,
                                             _ g: UnsafeMutablePointer<Float>, scratch: UnsafeMutableRawPointer) {
        let step = channels * filters   // between kernel taps in g
        let t = scratch.bindMemory(to: L.self, capacity: 15)
        columnsOf5x5(kernelGradientTransform5, from: s, step: kernelPointStride, into: t)   // T = G^T S
        // (G^T S) G, row by row, added to taps (a, 0...2)
        for a in 0..<3 {
            let q = t + 5 * a, tap = g + 3 * a * step
            let r = kernelGradientTransform5(q[0], q[1], q[2], q[3], q[4])
            (L.load(tap) + r.0).store(tap)
            (L.load(tap + step) + r.1).store(tap + step)
            (L.load(tap + 2 * step) + r.2).store(tap + 2 * step)
        }
    }
}

// MARK: The 1-D transforms of F(3, 3)

/// Y = T X T^T for a 5x5 grid X of lanes and a 1-D transform T of 5 values to 5: T applied to each
/// column (into `scratch`), then to each row. X[i, j] is read at `source + i * rows + j * columns`;
/// Y[i, j] is stored (or, `adding`, added) at `destination + i * rows + j * columns` of its strides.
@inline(__always)
func separable5x5<L: FloatLanes>(_: L.Type, _ transform: (L, L, L, L, L) -> (L, L, L, L, L),
                                 from source: UnsafePointer<Float>, rows: Int, columns: Int,
                                 to destination: UnsafeMutablePointer<Float>, rows outRows: Int,
                                 columns outColumns: Int, adding: Bool, scratch: UnsafeMutableRawPointer) {
    let t = scratch.bindMemory(to: L.self, capacity: 25)
    // T X, column by column: (T X)[i, j] at t[5i + j]
    for j in 0..<5 {
        let q = source + j * columns
        let r = transform(L.load(q), L.load(q + rows), L.load(q + 2 * rows), L.load(q + 3 * rows), L.load(q + 4 * rows))
        t[j] = r.0; t[5 + j] = r.1; t[10 + j] = r.2; t[15 + j] = r.3; t[20 + j] = r.4
    }
    // (T X) T^T, row by row
    @inline(__always) func put(_ v: L, _ p: UnsafeMutablePointer<Float>) { (adding ? L.load(p) + v : v).store(p) }
    for i in 0..<5 {
        let s = t + 5 * i, q = destination + i * outRows
        let r = transform(s[0], s[1], s[2], s[3], s[4])
        put(r.0, q); put(r.1, q + outColumns); put(r.2, q + 2 * outColumns)
        put(r.3, q + 3 * outColumns); put(r.4, q + 4 * outColumns)
    }
}

/// T X for a 5x5 grid X of lanes and a 1-D transform T of 5 values to 3, column by column: X[i, j] is
/// read at `source + (5i + j) * step` (25 transform points `step` apart), (T X)[i, j] stored at
/// t[5i + j]. The first half of the output transform (T = A^T) and of the kernel gradient's (G^T).
@inline(__always)
private func columnsOf5x5<L: FloatLanes>(_ transform: (L, L, L, L, L) -> (L, L, L), from source: UnsafePointer<Float>,
                                         step: Int, into t: UnsafeMutablePointer<L>) {
    for j in 0..<5 {
        let e = source + j * step
        let r = transform(L.load(e), L.load(e + 5 * step), L.load(e + 10 * step), L.load(e + 15 * step),
                          L.load(e + 20 * step))
        t[j] = r.0; t[5 + j] = r.1; t[10 + j] = r.2
    }
}

/// B^T d for a column (or row) of 5 input values.
@inline(__always)
func inputTransform5<L: FloatLanes>(_ d0: L, _ d1: L, _ d2: L, _ d3: L, _ d4: L) -> (L, L, L, L, L) {
    let e = d3 - d1                             // shared by rows 0, 3 and 4
    return ((d2 - d0) * 2 + e, d1 * 2 + d2 * 3 + d3, d2 + d3 - d1 * 2, e, e * 2 - d2 + d4)
}

/// B v for a column (or row) of 5 transformed values: the adjoint of `inputTransform5`.
@inline(__always)
func inverseInputTransform5<L: FloatLanes>(_ v0: L, _ v1: L, _ v2: L, _ v3: L, _ v4: L) -> (L, L, L, L, L) {
    (L.zero - v0 * 2, (v1 - v2 - v4) * 2 - v0 - v3, v0 * 2 + v1 * 3 + v2 - v4, v0 + v1 + v2 + v3 + v4 * 2, v4)
}

/// A^T m for a column (or row) of 5 products: 3 outputs.
@inline(__always)
private func outputTransform5<L: FloatLanes>(_ m0: L, _ m1: L, _ m2: L, _ m3: L, _ m4: L) -> (L, L, L) {
    let s12 = m1 + m2, d12 = m1 - m2
    return (m0 + s12 + m3, d12 - m3 * 2, s12 + m3 * 4 + m4)
}

/// G g for a column (or row) of 3 kernel taps: 5 values.
@inline(__always)
private func kernelTransform5<L: FloatLanes>(_ g0: L, _ g1: L, _ g2: L) -> (L, L, L, L, L) {
    let s = g0 + g2
    return (g0 * -0.5, (s + g1) * (1.0 / 6), (s - g1) * 0.5, (g1 * 2 - g0 - g2 * 4) * (1.0 / 6), g2)
}

/// A y for a column (or row) of 3 output gradients: 5 values.
@inline(__always)
private func gradientTransform5<L: FloatLanes>(_ y0: L, _ y1: L, _ y2: L) -> (L, L, L, L, L) {
    let s02 = y0 + y2
    return (y0, s02 + y1, s02 - y1, y0 - y1 * 2 + y2 * 4, y2)
}

/// G^T s for a column (or row) of 5 sums: 3 kernel taps.
@inline(__always)
private func kernelGradientTransform5<L: FloatLanes>(_ s0: L, _ s1: L, _ s2: L, _ s3: L, _ s4: L) -> (L, L, L) {
    let sixth = s1 * (1.0 / 6)
    return (sixth + (s2 - s0) * 0.5 - s3 * (1.0 / 6), sixth - s2 * 0.5 + s3 * (1.0 / 3),
            sixth + s2 * 0.5 - s3 * (2.0 / 3) + s4)
}
