import CXSMM

/// The input gradient of the convolution `Winograd3x3` computes forward (`.full` output), by the
/// forward's own tiles run backwards (the adjoint of each step), beside the kernel gradient in one
/// pass over the tiles (`accumulateKernelGradient(... inputGradient:)`):
///
///     forward   V = B^T d B,    M[p] = V[p] U[p],     Y = A^T M A
///     backward  Z = A dY A^T,   dV[p] = Z[p] U[p]^T,  dP += B dV B^T at the tile's patch
///
/// Z is the kernel gradient's own gradient transform, so the input gradient adds only its products
/// and one inverse input transform. The other way, dx as a convolution of dz by the flipped kernel,
/// transforms dz (F channels where dx has C), the flipped kernel, and covers all of dx (H x W) with
/// tiles even where the forward pass computed fewer outputs: for the reference CNN's last
/// convolution (F(4x4, 3x3), its output cropped to the 8 x 12 its pool reads) that was 35 tiles of 16
/// points per image against the forward's 6 of 36, 2.6 times the forward's products.
///
/// Legend as `Winograd3x3`: N batch, H W C input, F filters, OH OW output, T = N*TR*TC tiles, X = 16,
/// 25 or 36 transform points, B tiles per block, α = 4, 5 or 6 the patch side, s = 2, 3 or 4 the tile
/// step.
///
///     U (X, C, F) -> UT (X, F, C)                      UT[p] = U[p]^T (`transposeTransformedKernel`)
///     per block of B tiles, Z (X, B, F) from the kernel gradient:
///       products           dV[p] (B, C) = Z[p] (B, F) x UT[p] (F, C)     for each of the X points p
///       inverse transform  dP[n, s tr + a, s tc + b, :] += (B dV B^T)[a, b]   (patches overlap by 2)
///     dx (N, H, W, C) = dP[:, padTop ..< padTop + H, padLeft ..< padLeft + W, :] (0 where dP has no
///                       row or column: inputs no tile reads), gated by `gate` when given
///
///     B (F(2x2, 3x3)) = [1 0 0 0; 0 1 -1 1; -1 1 1 0; 0 0 0 -1]
///     B (F(3x3, 3x3), F(4x4, 3x3)) = the transpose of Winograd3x3Tiles.swift's, Winograd4x4.swift's B^T
extension Winograd3x3 {
    /// What the input gradient of `accumulateKernelGradient` needs: the transposed transformed kernel
    /// UT (X, F, C) of the weights the forward pass used, and where dx (N, H, W, C) goes; with `gate`
    /// (N, H, W, C), dx is kept where the gate's entry is positive and 0 elsewhere (the derivative
    /// of the ReLU whose output is this convolution's input).
    public struct InputGradient {
        public var transposedKernel: UnsafePointer<Float>
        public var output: UnsafeMutablePointer<Float>
        public var gate: UnsafePointer<Float>?

        public init(transposedKernel: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                    gate: UnsafePointer<Float>? = nil) {
            self.transposedKernel = transposedKernel
            self.output = output
            self.gate = gate
        }
    }

    /// UT[p] (F, C) = U[p] (C, F)^T for every point p: the input gradient's products read U this way.
    ///     u (X, C, F) -> ut (X, F, C)
    public func transposeTransformedKernel(_ u: UnsafePointer<Float>, into ut: UnsafeMutablePointer<Float>) {
        let (c, f, stride) = (channels, filters, kernelPointStride)
        for p in 0..<points {
            // column-major terms: the (F, C) matrix of leading dimension F into the (C, F) one of C
            libxsmm_otrans(ut + p * f * c, u + p * stride, UInt32(MemoryLayout<Float>.stride),
                           libxsmm_blasint(f), libxsmm_blasint(c), libxsmm_blasint(f), libxsmm_blasint(c))
        }
    }

    /// Floats of scratch the input gradient adds to `kernelGradientScratchCount`: dV of one block and
    /// the padded gradient dP (N, HP, WP, C).
    public func inputGradientScratchCount(batch n: Int) -> Int {
        points * gradientTilesPerBlock * channels + paddedInputCount(batch: n)
    }

    /// The products the input gradient issues for a batch of `n`: dV[p] (B, C) = Z[p] (B, F) x UT[p]
    /// (F, C) for the X points of every block of B tiles.
    public func inputGradientProducts(batch n: Int, label: String = "dx Winograd dV") -> [MatrixProduct] {
        blockProducts(batch: n, tilesPerBlock: gradientTilesPerBlock) { MatrixProduct(label, m: $0, n: channels, k: filters) }
    }

    /// dV[p] = Z[p] UT[p] for the block's b tiles, then their inverse input transforms added into dP.
    ///     z (X, B, F), ut (X, F, C) -> dv (X, B, C) -> padded gradient (N, HP, WP, C) +=
    func addInputGradient(block range: Range<Int>, z: UnsafePointer<Float>, transposedKernel ut: UnsafePointer<Float>,
                          dv: UnsafeMutablePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let (b, c, f) = (range.count, channels, filters)
        if let product = SmallMatrixProduct.preferred(m: b, n: c, k: f, beta: 0) {
            for p in 0..<points { product(a: z + p * b * f, b: ut + p * f * c, c: dv + p * b * c) }
        } else {
            for p in 0..<points { gemm(m: b, n: c, k: f, a: z + p * b * f, b: ut + p * f * c, c: dv + p * b * c) }
        }
        forEachTileLanes(range, patches: padded, points: dv, inverse: true)
    }

    /// dP's 4x4 patch += B dV B^T for the lanes at v (point 0) and the patch's top-left.
    @inline(__always)
    func inverseInputLanes<L: FloatLanes>(_: L.Type, _ v: UnsafePointer<Float>, _ patch: UnsafeMutablePointer<Float>,
                                                  point: Int) {
        let (c, row) = (channels, paddedWidth * channels)
        @inline(__always) func at(_ i: Int) -> L { L.load(v + i * point) }
        // W = B dV, column j: dV rows 0, 1 - 2 + 3, 1 + 2 - 0, -3 (of column j)
        let (v00, v01, v02, v03) = (at(0), at(1), at(2), at(3))
        let (v10, v11, v12, v13) = (at(4), at(5), at(6), at(7))
        let (v20, v21, v22, v23) = (at(8), at(9), at(10), at(11))
        let (v30, v31, v32, v33) = (at(12), at(13), at(14), at(15))
        let a0 = v00, a1 = v01, a2 = v02, a3 = v03
        let b0 = v10 - v20 + v30, b1 = v11 - v21 + v31, b2 = v12 - v22 + v32, b3 = v13 - v23 + v33
        let c0 = v10 + v20 - v00, c1 = v11 + v21 - v01, c2 = v12 + v22 - v02, c3 = v13 + v23 - v03
        let d0 = L.zero - v30, d1 = L.zero - v31, d2 = L.zero - v32, d3 = L.zero - v33
        // (B dV) B^T, row r: columns 0, 1 - 2 + 3, 1 + 2 - 0, -3, added to the patch's row r
        @inline(__always) func addRow(_ r: Int, _ x0: L, _ x1: L, _ x2: L, _ x3: L) {
            let q = patch + r * row
            (L.load(q) + x0).store(q)
            (L.load(q + c) + (x1 - x2 + x3)).store(q + c)
            (L.load(q + 2 * c) + (x1 + x2 - x0)).store(q + 2 * c)
            (L.load(q + 3 * c) - x3).store(q + 3 * c)
        }
        addRow(0, a0, a1, a2, a3)
        addRow(1, b0, b1, b2, b3)
        addRow(2, c0, c1, c2, c3)
        addRow(3, d0, d1, d2, d3)
    }

    /// dx = the padded gradient without its padding, gated by `gate` when given.
    ///     padded (N, HP, WP, C) -> dx (N, H, W, C)
    func cropPaddedGradient(_ padded: UnsafePointer<Float>, batch n: Int, into dx: UnsafeMutablePointer<Float>,
                            gate: UnsafePointer<Float>?) {
        let (hp, wp, c) = (paddedHeight, paddedWidth, channels)
        let rows = min(height, hp - padTop), columns = min(width, wp - padLeft)
        let line = width * c
        for image in 0..<n {
            for ih in 0..<height {
                let out = dx + (image * height + ih) * line
                guard ih < rows else { out.update(repeating: 0, count: line); continue }
                let source = padded + ((image * hp + ih + padTop) * wp + padLeft) * c
                if let gate {
                    let g = gate + (image * height + ih) * line
                    forEachLaneGroup(columns * c, { i in L16.load(source + i).gated(by: L16.load(g + i)).store(out + i) },
                                     { i in out[i] = g[i] > 0 ? source[i] : 0 })
                } else {
                    out.update(from: source, count: columns * c)
                }
                (out + columns * c).update(repeating: 0, count: line - columns * c)
            }
        }
    }
}

private typealias L16 = SIMD16<Float>
