/// The transforms of Winograd F(4x4, 3x3) (Lavin & Gray 2016, interpolation points 0, 1, -1, 2, -2
/// and infinity), for `Winograd3x3` with `outputTile` 4: a 4x4 output tile from a 6x6 input patch by
/// 36 multiplications per (input, output) channel pair instead of 144. Used for `.full` outputs whose
/// height and width are multiples of 4, so no tile is clipped, and for `.maxPooled` outputs whose
/// pooled height and width are even: a tile then covers 2 x 2 pool windows.
///
/// Legend as `Winograd3x3`, with X = 36 points (a 6x6 grid, point p = 6i + j):
///
///     kernel transform   U (X, C, F) = G g G^T          g the 3x3 kernel of a (c, f) pair
///     input transform    V (X, B, C) = B^T d B          d the tile's 6x6 patch of the padded input
///     output transform   y (4 x 4 per filter) = A^T M A + bias
///     kernel gradient    Z (X, B, F) = A dY A^T         dY the tile's 4x4 of dz
///                        dk (3, 3, C, F) += G^T S G     S (X, C, F) the products' sums
///
///     B^T = [4  0 -5  0 1 0]     G = [ 1/4     0    0 ]     A^T = [1 1  1 1  1 0]
///           [0 -4 -4  1 1 0]         [-1/6 -1/6 -1/6]           [0 1 -1 2 -2 0]
///           [0  4 -4 -1 1 0]         [-1/6  1/6 -1/6]           [0 1  1 4  4 0]
///           [0 -2 -1  2 1 0]         [1/24 1/12  1/6]           [0 1 -1 8 -8 1]
///           [0  2 -1 -2 1 0]         [1/24 -1/12 1/6]
///           [0  4  0 -5 0 1]         [  0     0    1 ]
///
/// Each 2-D transform is its 1-D transform applied to the columns, then to the rows. Tile (n, tr, tc)
/// reads padded rows 4tr ..< 4tr + 6 and columns 4tc ..< 4tc + 6 and makes the outputs at rows
/// 4tr ..< 4tr + 4, columns 4tc ..< 4tc + 4. The larger points make the float error larger than
/// F(2x2, 3x3)'s (Conv2DTests bound both against im2col).
///
/// The per-tile functions (`...Lanes4`, and `separable6x6` for the input patches) keep their 6x6
/// intermediate in `scratch`, which the whole transform takes once from `withTransformScratch`.
extension Winograd3x3 {
    /// The 4x4 outputs A^T M A + bias (relu'd with `rectify`) of the tiles `range` (t counted from the
    /// block's first for m, from the batch's first for y), all filters side by side.
    ///     m (36, B, F) -> y (N, OH, OW, F)
    func transformOutput4(_ m: UnsafePointer<Float>, tiles range: Range<Int>, bias: UnsafePointer<Float>,
                          into y: UnsafeMutablePointer<Float>, rectify: Bool = false) {
        let f = filters
        let point = range.count * f
        withTransformScratch { t in
            forEachOutputTile(range) { index, corner, _, _ in     // no tile is clipped
                let (q, out) = (m + index * f, y + corner)
                forEachLaneGroup(f, { outputLanes4(SIMD16<Float>.self, q + $0, bias + $0, out + $0, point: point,
                                                   scratch: t, rectify: rectify) },
                                 { outputLanes4(Float.self, q + $0, bias + $0, out + $0, point: point, scratch: t,
                                                rectify: rectify) })
            }
        }
    }

    /// `transformOutput4` for the lanes at q (point 0), bias and the tile's top-left output.
    @inline(__always)
    private func outputLanes4<L: FloatLanes>(_: L.Type, _ q: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                             _ y: UnsafeMutablePointer<Float>, point: Int,
                                             scratch: UnsafeMutableRawPointer, rectify: Bool) {
        let (f, row) = (filters, outWidth * filters)
        let (t, b) = outputColumns(L.self, q, bias, point: point, scratch: scratch)
        @inline(__always) func put(_ v: L, _ p: UnsafeMutablePointer<Float>) { (rectify ? v.rectified() : v).store(p) }
        // Y = Q A, row by row
        for i in 0..<4 {
            let s = t + 6 * i, out = y + i * row
            let r = outputTransform(s[0], s[1], s[2], s[3], s[4], s[5])
            put(r.0 + b, out); put(r.1 + b, out + f); put(r.2 + b, out + 2 * f); put(r.3 + b, out + 3 * f)
        }
    }

    /// The 2x2 maxima of the 4x4 outputs A^T M A, plus bias, of the tiles `range` (t counted from the
    /// block's first for m, from the batch's first for y): each tile covers 2 x 2 pool windows.
    ///     m (36, B, F) -> y (N, 2 TR, 2 TC, F)
    func transformOutputAndPool4(_ m: UnsafePointer<Float>, tiles range: Range<Int>, bias: UnsafePointer<Float>,
                                 into y: UnsafeMutablePointer<Float>) {
        let f = filters
        let point = range.count * f
        withTransformScratch { t in
            forEachTile(range) { index, b, tr, tc in
                let (q, out) = (m + index * f, y + ((b * 2 * tileRows + 2 * tr) * 2 * tileColumns + 2 * tc) * f)
                forEachLaneGroup(f, { pooledLanes4(SIMD16<Float>.self, q + $0, bias + $0, out + $0, point: point, scratch: t) },
                                 { pooledLanes4(Float.self, q + $0, bias + $0, out + $0, point: point, scratch: t) })
            }
        }
    }

    /// `transformOutputAndPool4` for the lanes at q (point 0), bias and the tile's top-left pooled output.
    @inline(__always)
    private func pooledLanes4<L: FloatLanes>(_: L.Type, _ q: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                             _ y: UnsafeMutablePointer<Float>, point: Int,
                                             scratch: UnsafeMutableRawPointer) {
        let (f, row) = (filters, 2 * tileColumns * filters)
        let (t, b) = outputColumns(L.self, q, bias, point: point, scratch: scratch)
        // rows 2i and 2i + 1 of Y = Q A, then the maxima of columns 0-1 and 2-3
        for i in 0..<2 {
            let s = t + 12 * i
            let r0 = outputTransform(s[0], s[1], s[2], s[3], s[4], s[5])
            let r1 = outputTransform(s[6], s[7], s[8], s[9], s[10], s[11])
            (L.maximum(L.maximum(r0.0, r0.1), L.maximum(r1.0, r1.1)) + b).store(y + i * row)
            (L.maximum(L.maximum(r0.2, r0.3), L.maximum(r1.2, r1.3)) + b).store(y + i * row + f)
        }
    }

    /// The training forward of a ReLU convolution and the 2x2 max pool after it, for the tiles `range`
    /// (t counted from the block's first for m, from the batch's first for y and routes): each tile's
    /// 4x4 outputs relu(A^T M A + bias), computed as `transformOutput4` with `rectify` stores them, are
    /// reduced window by window as `MaxPool2D` reduces them (the first maximum in row-major window
    /// order, strict '>'), so y equals the two layers' outputs bit for bit. routes gets each window's
    /// route: the row-major position 1-4 of its maximum where that maximum is positive, 0 where it
    /// is not (the pool's rectified backward routes nothing there).
    ///     m (36, B, F) -> y (N, 2 TR, 2 TC, F), routes (N, 2 TR, 2 TC, F)
    func transformOutputPoolAndRoute4(_ m: UnsafePointer<Float>, tiles range: Range<Int>, bias: UnsafePointer<Float>,
                                      into y: UnsafeMutablePointer<Float>, routes: UnsafeMutablePointer<Float>) {
        let f = filters
        let point = range.count * f
        withTransformScratch { t in
            forEachTile(range) { index, b, tr, tc in
                let corner = ((b * 2 * tileRows + 2 * tr) * 2 * tileColumns + 2 * tc) * f
                let (q, out, route) = (m + index * f, y + corner, routes + corner)
                forEachLaneGroup(f, { routedLanes4(SIMD16<Float>.self, q + $0, bias + $0, out + $0, route + $0,
                                                   point: point, scratch: t) },
                                 { routedLanes4(Float.self, q + $0, bias + $0, out + $0, route + $0, point: point,
                                                scratch: t) })
            }
        }
    }

    /// `transformOutputPoolAndRoute4` for the lanes at q (point 0), bias and the tile's top-left pooled
    /// output and route.
    @inline(__always)
    private func routedLanes4<L: FloatLanes>(_: L.Type, _ q: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                             _ y: UnsafeMutablePointer<Float>, _ routes: UnsafeMutablePointer<Float>,
                                             point: Int, scratch: UnsafeMutableRawPointer) {
        let (f, row) = (filters, 2 * tileColumns * filters)
        let (t, b) = outputColumns(L.self, q, bias, point: point, scratch: scratch)
        // one pool window: its four candidates in row-major order, as MaxPool2D.pool2x2 challenges them
        @inline(__always) func window(_ c00: L, _ c01: L, _ c10: L, _ c11: L, _ offset: Int) {
            var best = c00.rectified(), code = L.splat(1)
            best.challenge(with: c01.rectified(), code: &code, 2)
            best.challenge(with: c10.rectified(), code: &code, 3)
            best.challenge(with: c11.rectified(), code: &code, 4)
            best.store(y + offset)
            code.gated(by: best).store(routes + offset)
        }
        // rows 2i and 2i + 1 of Y = Q A, then the windows of columns 0-1 and 2-3
        for i in 0..<2 {
            let s = t + 12 * i
            let r0 = outputTransform(s[0], s[1], s[2], s[3], s[4], s[5])
            let r1 = outputTransform(s[6], s[7], s[8], s[9], s[10], s[11])
            window(r0.0 + b, r0.1 + b, r1.0 + b, r1.1 + b, i * row)
            window(r0.2 + b, r0.3 + b, r1.2 + b, r1.3 + b, i * row + f)
        }
    }

    /// G g G^T for the lanes at g (kernel tap (0, 0)) and o (point 0): `transformKernel` with
    /// `outputTile` 4.
    ///     kernel (3, 3, C, F) -> u (36, C, F)
    @inline(__always)
    func kernelLanes4<L: FloatLanes>(_: L.Type, _ g: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                     scratch: UnsafeMutableRawPointer) {
        let tap = channels * filters    // between kernel taps
        let point = kernelPointStride   // between transform points in u
        let t = scratch.bindMemory(to: L.self, capacity: 18)
        // T = G g, column by column: T[i, b] at t[3i + b]
        for b in 0..<3 {
            let r = kernelTransform(L.load(g + b * tap), L.load(g + (3 + b) * tap), L.load(g + (6 + b) * tap))
            t[b] = r.0; t[3 + b] = r.1; t[6 + b] = r.2; t[9 + b] = r.3; t[12 + b] = r.4; t[15 + b] = r.5
        }
        // U = T G^T, row by row
        for i in 0..<6 {
            let s = t + 3 * i, q = o + 6 * i * point
            let r = kernelTransform(s[0], s[1], s[2])
            r.0.store(q); r.1.store(q + point); r.2.store(q + 2 * point)
            r.3.store(q + 3 * point); r.4.store(q + 4 * point); r.5.store(q + 5 * point)
        }
    }

    /// Z[p, t, :] = (A dY A^T)[p] for the tiles `range` (t counted from the block's first), all
    /// filters side by side; dY is the tile's 4x4 of dz. With `routes` (the ones the forward's
    /// `transformOutputPoolAndRoute4` wrote) dz is the gradient of the pooled output, (N, 2 TR, 2 TC, F),
    /// and dY is the 4x4 the pool's rectified backward would have routed from it: each window's
    /// gradient at its route's position, 0 elsewhere (bit for bit the `MaxPool2D` dz).
    ///     dz (N, OH, OW, F) or pooled dz and routes (N, 2 TR, 2 TC, F) -> z (36, B, F)
    func transformOutputGradient4(_ dz: UnsafePointer<Float>, tiles range: Range<Int>,
                                  into z: UnsafeMutablePointer<Float>, routes: UnsafePointer<Float>? = nil) {
        let f = filters
        let point = range.count * f
        withTransformScratch { t in
            guard let routes else {
                forEachOutputTile(range) { index, corner, _, _ in
                    let (y, out) = (dz + corner, z + index * f)
                    forEachLaneGroup(f, { gradientLanes4(SIMD16<Float>.self, y + $0, out + $0, point: point, scratch: t) },
                                     { gradientLanes4(Float.self, y + $0, out + $0, point: point, scratch: t) })
                }
                return
            }
            forEachTile(range) { index, b, tr, tc in
                let corner = ((b * 2 * tileRows + 2 * tr) * 2 * tileColumns + 2 * tc) * f
                let (g, route, out) = (dz + corner, routes + corner, z + index * f)
                forEachLaneGroup(f, { routedGradientLanes4(SIMD16<Float>.self, g + $0, route + $0, out + $0, point: point,
                                                           scratch: t) },
                                 { routedGradientLanes4(Float.self, g + $0, route + $0, out + $0, point: point,
                                                        scratch: t) })
            }
        }
    }

    /// `transformOutputGradient4` for the lanes at y (the tile's top-left gradient) and o (point 0).
    @inline(__always)
    private func gradientLanes4<L: FloatLanes>(_: L.Type, _ y: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                               point: Int, scratch: UnsafeMutableRawPointer) {
        let (f, row) = (filters, outWidth * filters)
        let t = scratch.bindMemory(to: L.self, capacity: 24)
        for j in 0..<4 {
            let e = y + j * f
            gradientColumn4(t, j, L.load(e), L.load(e + row), L.load(e + 2 * row), L.load(e + 3 * row))
        }
        gradientRows4(t, o, point: point)
    }

    /// `transformOutputGradient4` with routes, for the lanes at g and route (the tile's top-left pooled
    /// gradient and route) and o (point 0): column j of dY lies in window column j / 2, at positions
    /// 1 + j % 2 (the window's top row) and 3 + j % 2 (its bottom row).
    @inline(__always)
    private func routedGradientLanes4<L: FloatLanes>(_: L.Type, _ g: UnsafePointer<Float>, _ route: UnsafePointer<Float>,
                                                     _ o: UnsafeMutablePointer<Float>, point: Int,
                                                     scratch: UnsafeMutableRawPointer) {
        let (f, row) = (filters, 2 * tileColumns * filters)     // row: between pooled rows
        let t = scratch.bindMemory(to: L.self, capacity: 24)
        for j in 0..<4 {
            let (w, k) = (j / 2 * f, Float(1 + j % 2))
            let (g0, c0) = (L.load(g + w), L.load(route + w))
            let (g1, c1) = (L.load(g + row + w), L.load(route + row + w))
            gradientColumn4(t, j, g0.routed(c0, k), g0.routed(c0, k + 2), g1.routed(c1, k), g1.routed(c1, k + 2))
        }
        gradientRows4(t, o, point: point)
    }

    /// Column j of T = A dY from column j of the tile's dY: T[i, j] at t[4i + j].
    @inline(__always)
    private func gradientColumn4<L: FloatLanes>(_ t: UnsafeMutablePointer<L>, _ j: Int, _ y0: L, _ y1: L, _ y2: L,
                                                _ y3: L) {
        let r = gradientTransform(y0, y1, y2, y3)
        t[j] = r.0; t[4 + j] = r.1; t[8 + j] = r.2; t[12 + j] = r.3; t[16 + j] = r.4; t[20 + j] = r.5
    }

    /// Z = T A^T, row by row, stored at o (point 0, points `point` apart).
    @inline(__always)
    private func gradientRows4<L: FloatLanes>(_ t: UnsafeMutablePointer<L>, _ o: UnsafeMutablePointer<Float>, point: Int) {
        for i in 0..<6 {
            let s = t + 4 * i, q = o + 6 * i * point
            let r = gradientTransform(s[0], s[1], s[2], s[3])
            r.0.store(q); r.1.store(q + point); r.2.store(q + 2 * point)
            r.3.store(q + 3 * point); r.4.store(q + 4 * point); r.5.store(q + 5 * point)
        }
    }

    /// gradient taps += G^T S G for the lanes at s (point 0) and g (kernel tap (0, 0)):
    /// `accumulateKernelTransform` with `outputTile` 4.
    ///     s (36, C, F) -> gradient (3, 3, C, F)
    @inline(__always)
    func kernelGradientLanes4<L: FloatLanes>(_: L.Type, _ s: UnsafePointer<Float>,
                                             _ g: UnsafeMutablePointer<Float>, scratch: UnsafeMutableRawPointer) {
        let step = channels * filters   // between kernel taps in g
        let point = kernelPointStride   // between transform points in s
        let t = scratch.bindMemory(to: L.self, capacity: 18)
        // T = G^T S, column by column: T[a, j] at t[6a + j]
        for j in 0..<6 {
            let e = s + j * point
            let r = kernelGradientTransform(L.load(e), L.load(e + 6 * point), L.load(e + 12 * point),
                                            L.load(e + 18 * point), L.load(e + 24 * point), L.load(e + 30 * point))
            t[j] = r.0; t[6 + j] = r.1; t[12 + j] = r.2
        }
        // (G^T S) G, row by row, added to taps (a, 0...2)
        for a in 0..<3 {
            let q = t + 6 * a, tap = g + 3 * a * step
            let r = kernelGradientTransform(q[0], q[1], q[2], q[3], q[4], q[5])
            (L.load(tap) + r.0).store(tap)
            (L.load(tap + step) + r.1).store(tap + step)
            (L.load(tap + 2 * step) + r.2).store(tap + 2 * step)
        }
    }
}

/// Runs body with scratch for one tile's transform, up to 36 lanes of 16 floats (2,304 bytes), taken
/// once per transform of a whole block and reused by every tile. `withUnsafeTemporaryAllocation` keeps
/// only up to 1,024 bytes on the stack unconditionally; above that each call asks the runtime whether
/// the thread's stack has room (`swift_stdlib_isStackAllocationSafe`) and may fall back to malloc. Taken
/// per tile, that check and the mallocs it led to were ~5% of a CNN training step.
@inline(__always)
func withTransformScratch<R>(_ body: (UnsafeMutableRawPointer) -> R) -> R {
    withUnsafeTemporaryAllocation(byteCount: 36 * MemoryLayout<SIMD16<Float>>.stride,
                                  alignment: MemoryLayout<SIMD16<Float>>.alignment) { body($0.baseAddress!) }
}

// MARK: The 1-D transforms of F(4, 3)

/// The first half of the output transform, shared by the full and the pooled output: Q = A^T M for
/// the lanes at q (point 0, points `point` apart), column by column into `scratch` (Q[i, j] at
/// t[6i + j], i < 4), and the bias lanes at `bias`.
@inline(__always)
private func outputColumns<L: FloatLanes>(_: L.Type, _ q: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                          point: Int, scratch: UnsafeMutableRawPointer)
    -> (q: UnsafeMutablePointer<L>, bias: L) {
    let t = scratch.bindMemory(to: L.self, capacity: 24)
    for j in 0..<6 {
        let e = q + j * point
        let r = outputTransform(L.load(e), L.load(e + 6 * point), L.load(e + 12 * point),
                                L.load(e + 18 * point), L.load(e + 24 * point), L.load(e + 30 * point))
        t[j] = r.0; t[6 + j] = r.1; t[12 + j] = r.2; t[18 + j] = r.3
    }
    return (t, L.load(bias))
}

/// B^T d for a column (or row) of 6 input values.
@inline(__always)
func inputTransform6<L: FloatLanes>(_ d0: L, _ d1: L, _ d2: L, _ d3: L, _ d4: L, _ d5: L)
    -> (L, L, L, L, L, L) {
    let a = d4 - d2 * 4, b = d3 - d1 * 4         // shared by rows 1 and 2
    let c = d4 - d2, e = (d3 - d1) * 2           // shared by rows 3 and 4
    return (d0 * 4 - d2 * 5 + d4, a + b, a - b, c + e, c - e, d1 * 4 - d3 * 5 + d5)
}

/// Y = T X T^T for a 6x6 grid X of lanes and a 1-D transform T of 6 values to 6: T applied to each
/// column (into `scratch`), then to each row. X[i, j] is read at `source + i * rows + j * columns`;
/// Y[i, j] is stored (or, `adding`, added) at `destination + i * rows + j * columns` of its strides.
@inline(__always)
func separable6x6<L: FloatLanes>(_: L.Type, _ transform: (L, L, L, L, L, L) -> (L, L, L, L, L, L),
                                 from source: UnsafePointer<Float>, rows: Int, columns: Int,
                                 to destination: UnsafeMutablePointer<Float>, rows outRows: Int,
                                 columns outColumns: Int, adding: Bool, scratch: UnsafeMutableRawPointer) {
    let t = scratch.bindMemory(to: L.self, capacity: 36)
    // T X, column by column: (T X)[i, j] at t[6i + j]
    for j in 0..<6 {
        let q = source + j * columns
        let r = transform(L.load(q), L.load(q + rows), L.load(q + 2 * rows), L.load(q + 3 * rows),
                          L.load(q + 4 * rows), L.load(q + 5 * rows))
        t[j] = r.0; t[6 + j] = r.1; t[12 + j] = r.2; t[18 + j] = r.3; t[24 + j] = r.4; t[30 + j] = r.5
    }
    // (T X) T^T, row by row
    @inline(__always) func put(_ v: L, _ p: UnsafeMutablePointer<Float>) { (adding ? L.load(p) + v : v).store(p) }
    for i in 0..<6 {
        let s = t + 6 * i, q = destination + i * outRows
        let r = transform(s[0], s[1], s[2], s[3], s[4], s[5])
        put(r.0, q); put(r.1, q + outColumns); put(r.2, q + 2 * outColumns)
        put(r.3, q + 3 * outColumns); put(r.4, q + 4 * outColumns); put(r.5, q + 5 * outColumns)
    }
}

/// B v for a column (or row) of 6 transformed values: the adjoint of `inputTransform6`, 6 values.
@inline(__always)
func inverseInputTransform6<L: FloatLanes>(_ v0: L, _ v1: L, _ v2: L, _ v3: L, _ v4: L, _ v5: L)
    -> (L, L, L, L, L, L) {
    let s12 = v1 + v2, d21 = v2 - v1, s34 = v3 + v4, d43 = v4 - v3
    return (v0 * 4, d21 * 4 + d43 * 2 + v5 * 4, L.zero - v0 * 5 - s12 * 4 - s34,
            L.zero - d21 - d43 * 2 - v5 * 5, v0 + s12 + s34, v5)
}

/// A^T m for a column (or row) of 6 products: 4 outputs.
@inline(__always)
private func outputTransform<L: FloatLanes>(_ m0: L, _ m1: L, _ m2: L, _ m3: L, _ m4: L, _ m5: L)
    -> (L, L, L, L) {
    let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
    return (m0 + s12 + s34, d12 + d34 * 2, s12 + s34 * 4, d12 + d34 * 8 + m5)
}

/// G g for a column (or row) of 3 kernel taps: 6 values.
@inline(__always)
private func kernelTransform<L: FloatLanes>(_ g0: L, _ g1: L, _ g2: L) -> (L, L, L, L, L, L) {
    let s = g0 + g2
    let a = (s + g1) * (-1.0 / 6), b = (s - g1) * (-1.0 / 6)
    let c = g0 * (1.0 / 24) + g2 * (1.0 / 6), e = g1 * (1.0 / 12)
    return (g0 * 0.25, a, b, c + e, c - e, g2)
}

/// A y for a column (or row) of 4 output gradients: 6 values.
@inline(__always)
private func gradientTransform<L: FloatLanes>(_ y0: L, _ y1: L, _ y2: L, _ y3: L) -> (L, L, L, L, L, L) {
    let s02 = y0 + y2, s13 = y1 + y3
    let t02 = y0 + y2 * 4, t13 = y1 * 2 + y3 * 8
    return (y0, s02 + s13, s02 - s13, t02 + t13, t02 - t13, y3)
}

/// G^T s for a column (or row) of 6 sums: 3 kernel taps.
@inline(__always)
private func kernelGradientTransform<L: FloatLanes>(_ s0: L, _ s1: L, _ s2: L, _ s3: L, _ s4: L, _ s5: L)
    -> (L, L, L) {
    let a = s1 + s2, b = s1 - s2, c = s3 + s4, d = s3 - s4
    return (s0 * 0.25 - a * (1.0 / 6) + c * (1.0 / 24), d * (1.0 / 12) - b * (1.0 / 6), (c - a) * (1.0 / 6) + s5)
}
