/// The kernel gradient of the convolution `Winograd3x3` computes forward (`.full` output), by the same
/// F(2x2, 3x3) transforms read backwards: the forward tile is Y = A^T [(G g G^T) (.) (B^T d B)] A, so
/// d loss / d g = G^T [(A dY A^T) (.) (B^T d B)] G, summed over the tiles. Per (input, output) channel
/// pair and 2x2 tile that is 16 multiplications instead of im2col's 36 (the F(3x3, 2x2) algorithm:
/// a 3x3 result from a 4x4 patch and a 2x2 gradient tile). Equal to im2col's cols^T dz up to float
/// rounding.
///
/// Legend as `Winograd3x3`: N batch, H W C input, F filters, OH OW output, T = N*TR*TC tiles in NHWC
/// order, X = 16 transform points (25 with `outputTile` 3, 36 with 4: Winograd3x3Tiles.swift and
/// Winograd4x4.swift have those transforms), B tiles per block (`gradientTilesPerBlock`, at least 32);
/// S the X sums of products.
///
///     x (N, H, W, C), dz (N, OH, OW, F) -> kernel gradient (3, 3, C, F) +=
///     padded input        P (N, HP, WP, C)              as the forward pass
///     per block of B tiles:
///       input transform     V (X, B, C) = B^T d B        as the forward pass
///       gradient transform  Z (X, B, F) = A dY A^T       dY the tile's 2x2 of dz (0 outside OH x OW)
///       products            S[p] (C, F) += V[p]^T (C, B) x Z[p] (B, F)   for each of the X points p
///     kernel transform    dk (3, 3, C, F) += G^T S G     for every (c, f) pair
///
///     A = [1 0; 1 1; 1 -1; 0 -1]    G^T = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1]
extension Winograd3x3 {
    /// Floats of scratch `accumulateKernelGradient` needs for a batch of `n`: the padded input, V and Z
    /// of one block, and S.
    public func kernelGradientScratchCount(batch n: Int) -> Int {
        n * paddedHeight * paddedWidth * channels + points * gradientTilesPerBlock * (channels + filters)
            + points * kernelPointStride
    }

    /// The products `accumulateKernelGradient` issues for a batch of `n`: S[p] (C, F) += V[p]^T Z[p]
    /// for the X points of every block of B tiles.
    public func kernelGradientProducts(batch n: Int, label: String = "dW Winograd S") -> [MatrixProduct] {
        blockProducts(batch: n, tilesPerBlock: gradientTilesPerBlock) {
            MatrixProduct(label, m: channels, n: filters, k: $0, transA: true)
        }
    }

    /// gradient (3, 3, C, F) += d loss / d kernel, given the input x (N, H, W, C) and the output
    /// gradient dz (N, OH, OW, F) of the pre-activation output. See the legend. `paddedInput`, when
    /// given, is x already padded (what `run` wrote there for this x): the pad is not redone. With
    /// `inputGradient`, d loss / d x is written too, from the same gradient transforms
    /// (WinogradInputGradient.swift); the scratch then holds `kernelGradientScratchCount` plus
    /// `inputGradientScratchCount` floats. With `routes` (what `run` wrote for this x with `routes`),
    /// dz is the gradient of the pooled output (N, TR * 2, TC * 2, F), routed to each window's maximum
    /// inside the gradient transform (`transformOutputGradient4`): the kernel gradient and dx equal
    /// those of the separate pool's routed dz bit for bit.
    /// - Precondition: `output` is `.full` (the forward pass of a layer in training), or `.maxPooled`
    ///   F(4x4, 3x3) tiles with `routes`.
    public func accumulateKernelGradient(_ x: UnsafePointer<Float>, batch n: Int,
                                         outputGradient dz: UnsafePointer<Float>,
                                         into gradient: UnsafeMutablePointer<Float>,
                                         scratch: UnsafeMutablePointer<Float>,
                                         paddedInput: UnsafePointer<Float>? = nil,
                                         inputGradient: InputGradient? = nil,
                                         routes: UnsafePointer<Float>? = nil) {
        precondition(output == .full || (routes != nil && outputTile == 4),
                     "the kernel gradient needs the full convolution, or the routes of its pooled maximum")
        precondition(routes == nil || output == .maxPooled, "routes come with the pooled output")
        let (c, f) = (channels, filters)
        let v = scratch + paddedInputCount(batch: n)
        let z = v + points * gradientTilesPerBlock * c
        let s = z + points * gradientTilesPerBlock * f
        let dv = s + points * kernelPointStride             // input gradient only: dV of a block,
        let paddedGradient = dv + points * gradientTilesPerBlock * c // then dP
        if inputGradient != nil { paddedGradient.update(repeating: 0, count: paddedInputCount(batch: n)) }
        let padded: UnsafePointer<Float>
        if let paddedInput {
            padded = paddedInput
        } else {
            pad(x, batch: n, into: scratch)
            padded = UnsafePointer(scratch)
        }
        var firstBlock = true
        let stride = kernelPointStride
        forEachBlock(padded, batch: n, tilesPerBlock: gradientTilesPerBlock, v: v) { block in
            let b = block.count
            switch outputTile {
            case 4: transformOutputGradient4(dz, tiles: block, into: z, routes: routes)
            case 3: transformOutputGradient3(dz, tiles: block, into: z)
            default: transformOutputGradient(dz, tiles: block, into: z)
            }
            // S[p] (C, F) (+)= V[p]^T (C, B) x Z[p] (B, F): libxsmm's kernel for (C, F, B) with V
            // transposed (5-20% faster than OpenBLAS's at these sizes, one core), else gemm. The
            // first block writes S (beta 0) instead of adding to a zeroed S: one pass over S fewer.
            let beta: Float = firstBlock ? 0 : 1
            firstBlock = false
            if let product = SmallMatrixProduct.preferred(m: c, n: f, k: b, beta: beta, transA: true) {
                for p in 0..<points { product(a: v + p * b * c, b: z + p * b * f, c: s + p * stride) }
            } else {
                for p in 0..<points {
                    gemm(transA: true, m: c, n: f, k: b, a: v + p * b * c, b: z + p * b * f, beta: beta,
                         c: s + p * stride)
                }
            }
            if let inputGradient {
                addInputGradient(block: block, z: z, transposedKernel: inputGradient.transposedKernel, dv: dv,
                                 into: paddedGradient)
            }
        }
        if let inputGradient {
            cropPaddedGradient(paddedGradient, batch: n, into: inputGradient.output, gate: inputGradient.gate)
        }
        if firstBlock { return }        // no tiles: nothing to add
        accumulateKernelTransform(s, into: gradient)
    }

    /// Z[p, t, :] = (A dY A^T)[p] for the tiles `range` (t counted from the block's first), all filters
    /// side by side; dY is the tile's 2x2 of dz, zero where it falls outside (OH, OW).
    ///     dz (N, OH, OW, F) -> z (16, B, F)
    func transformOutputGradient(_ dz: UnsafePointer<Float>, tiles range: Range<Int>,
                                 into z: UnsafeMutablePointer<Float>) {
        let f = filters
        let point = range.count * f
        forEachOutputTile(range) { index, corner, down, right in
            let out = z + index * f, y = dz + corner
            forEachLaneGroup(f, { gradientLanes(SIMD16<Float>.self, y + $0, out + $0, point: point, down: down, right: right) },
                             { gradientLanes(Float.self, y + $0, out + $0, point: point, down: down, right: right) })
        }
    }

    /// `transformOutputGradient` for the lanes at y (the tile's top-left gradient) and o (point 0).
    @inline(__always)
    private func gradientLanes<L: FloatLanes>(_: L.Type, _ y: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                              point: Int, down: Bool, right: Bool) {
        let row = outWidth * filters, zero = L.zero
        let a = L.load(y), b = right ? L.load(y + filters) : zero
        let c = down ? L.load(y + row) : zero, d = down && right ? L.load(y + row + filters) : zero
        // A dY: rows a b | a+c b+d | a-c b-d | -c -d; then each row [p q] times A^T: p, p+q, p-q, -q
        let (p1, q1) = (a + c, b + d), (p2, q2) = (a - c, b - d), (p3, q3) = (zero - c, zero - d)
        a.store(o);                    (a + b).store(o + point)
        (a - b).store(o + 2 * point);  (zero - b).store(o + 3 * point)
        p1.store(o + 4 * point);       (p1 + q1).store(o + 5 * point)
        (p1 - q1).store(o + 6 * point); (zero - q1).store(o + 7 * point)
        p2.store(o + 8 * point);       (p2 + q2).store(o + 9 * point)
        (p2 - q2).store(o + 10 * point); (zero - q2).store(o + 11 * point)
        p3.store(o + 12 * point);      (p3 + q3).store(o + 13 * point)
        (p3 - q3).store(o + 14 * point); (zero - q3).store(o + 15 * point)
    }

    /// gradient[a, b, c, :] += (G^T S G)[a, b] for every input channel c, all filters side by side
    /// (with `outputTile` 3 or 4, F(3x3, 3x3)'s or F(4x4, 3x3)'s G: `kernelGradientLanes3`,
    /// `kernelGradientLanes4`).
    ///     s (X, C, F) -> gradient (3, 3, C, F)
    func accumulateKernelTransform(_ s: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>) {
        let g = gradient
        withTransformScratch { t in
            forEachChannelLaneGroup({ i in kernelGradientTileLanes(SIMD16<Float>.self, s + i, g + i, scratch: t) },
                                    { i in kernelGradientTileLanes(Float.self, s + i, g + i, scratch: t) })
        }
    }

    /// `accumulateKernelTransform` for the lanes at s and g, by the tile size.
    @inline(__always)
    private func kernelGradientTileLanes<L: FloatLanes>(_: L.Type, _ s: UnsafePointer<Float>,
                                                        _ g: UnsafeMutablePointer<Float>, scratch: UnsafeMutableRawPointer) {
        switch outputTile {
        case 4: kernelGradientLanes4(L.self, s, g, scratch: scratch)
        case 3: kernelGradientLanes3(L.self, s, g, scratch: scratch)
        default: kernelGradientLanes(L.self, s, g)
        }
    }

    /// `accumulateKernelTransform` for the lanes at s (point 0) and g (kernel tap (0, 0)).
    @inline(__always)
    private func kernelGradientLanes<L: FloatLanes>(_: L.Type, _ s: UnsafePointer<Float>,
                                                    _ g: UnsafeMutablePointer<Float>) {
        let step = channels * filters   // between kernel taps in g
        let point = kernelPointStride   // between transform points in s
        @inline(__always) func at(_ i: Int) -> L { L.load(s + i * point) }
        @inline(__always) func half(_ x: L) -> L { x * 0.5 }
        // G^T S, column j: rows 0 + (1 + 2)/2, (1 - 2)/2, (1 + 2)/2 + 3 of S's column j
        @inline(__always) func column(_ j: Int) -> (L, L, L) {
            let (a, b, c, d) = (at(j), at(4 + j), at(8 + j), at(12 + j))
            return (a + half(b + c), half(b - c), half(b + c) + d)
        }
        let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3)
        // (G^T S) G, row r: columns 0 + (1 + 2)/2, (1 - 2)/2, (1 + 2)/2 + 3; added to taps (r, 0...2)
        @inline(__always) func addRow(_ r: Int, _ x0: L, _ x1: L, _ x2: L, _ x3: L) {
            let t = g + 3 * r * step
            (L.load(t) + (x0 + half(x1 + x2))).store(t)
            (L.load(t + step) + half(x1 - x2)).store(t + step)
            (L.load(t + 2 * step) + (half(x1 + x2) + x3)).store(t + 2 * step)
        }
        addRow(0, c0.0, c1.0, c2.0, c3.0)
        addRow(1, c0.1, c1.1, c2.1, c3.1)
        addRow(2, c0.2, c1.2, c2.2, c3.2)
    }
}
