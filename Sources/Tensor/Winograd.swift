import COpenBLAS

/// 3x3, stride 1, 'same' convolution (Keras/TensorFlow cross-correlation) by Winograd F(2x2, 3x3):
/// each 2x2 output tile costs 16 multiplications per (input, output) channel pair instead of 36,
/// as 16 matrix products (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
///
/// Legend: N batch, H W image (input and output), C input channels, F output channels,
/// TH = ceil(H / 2), TW = ceil(W / 2), T = N*TH*TW tiles, X = 16 transform points (4 x 4).
///
///     x (N, H, W, C), kernel (3, 3, C, F) -> y (N, H, W, F)
///     scratch: U (C, X, F) = G g G^T,  V (T, X, C) = B^T d B,  M (T, X, F) = V U (one product per point),
///              d (X, C) and out (4, F) for one tile
///     y tile = A^T M A, the 2 x 2 outputs at rows 2th, 2th + 1 and columns 2tw, 2tw + 1 (clipped)
///
/// Tile (n, th, tw) reads the 4 x 4 input d at rows 2th - 1 ..< 2th + 3 and columns 2tw - 1 ..< 2tw + 3,
/// zero outside the image (the 'same' padding of a 3x3 kernel is one row/column on every side).
/// The point index is the middle axis of U, V and M so that every transform reads and writes one
/// contiguous block per tile; the products read them with leading dimensions 16 C and 16 F.
/// `flippedKernel` convolves with K'[kh, kw, f, c] = K[2 - kh, 2 - kw, c, f] instead - the input
/// gradient of the same layer: dx (N, H, W, C) from dy (N, H, W, F), with the roles of C and F swapped
/// (then `channels` is F and `filters` is C of the forward layer).
/// Results equal the direct convolution up to float rounding (~1e-6 relative).
public enum Winograd3x3 {
    /// Floats of scratch `convolve` needs.
    public static func scratchCount(batch n: Int, height h: Int, width w: Int, channels c: Int, filters f: Int) -> Int {
        let t = n * ((h + 1) / 2) * ((w + 1) / 2)
        return 16 * c * f + 16 * t * c + 16 * t * f + 16 * c + 4 * f
    }

    /// y = x (*) kernel, overwriting y. See the type's legend for the shapes.
    public static func convolve(_ x: UnsafePointer<Float>, batch n: Int, height h: Int, width w: Int, channels c: Int,
                                kernel: UnsafePointer<Float>, filters f: Int, flippedKernel: Bool = false,
                                output y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let t = n * ((h + 1) / 2) * ((w + 1) / 2)
        let u = scratch, v = u + 16 * c * f, m = v + 16 * t * c, tile = m + 16 * t * f, out = tile + 16 * c
        transformKernel(kernel, channels: c, filters: f, flipped: flippedKernel, into: u)
        transformInput(x, batch: n, height: h, width: w, channels: c, tile: tile, into: v)
        for p in 0..<16 {
            // M[:, p, :] (T, F) = V[:, p, :] (T, C) * U[:, p, :] (C, F)
            gemm(m: t, n: f, k: c, a: v + p * c, lda: 16 * c, b: u + p * f, ldb: 16 * f, c: m + p * f, ldc: 16 * f)
        }
        transformOutput(m, batch: n, height: h, width: w, filters: f, scratch: out, into: y)
    }

    /// U[c, p, :] = (G g G^T)[p] for every (c, f), g the 3 x 3 kernel of that pair, all f at once.
    ///     G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
    static func transformKernel(_ k: UnsafePointer<Float>, channels c: Int, filters f: Int, flipped: Bool,
                                into u: UnsafeMutablePointer<Float>) {
        let cf = c * f
        for ci in 0..<c {
            let out = u + ci * 16 * f
            if flipped {
                // K is (3, 3, F', C') = (3, 3, f, c) here: tap (a, b) of pair (ci, fi) is K[2 - a, 2 - b, fi, ci]
                for fi in 0..<f {
                    func g(_ a: Int, _ b: Int) -> Float { k[((2 - a) * 3 + (2 - b)) * cf + fi * c + ci] }
                    for i in 0..<4 {
                        let (r0, r1, r2) = row(i, g(0, 0), g(0, 1), g(0, 2), g(1, 0), g(1, 1), g(1, 2), g(2, 0), g(2, 1), g(2, 2))
                        out[(i * 4 + 0) * f + fi] = r0
                        out[(i * 4 + 1) * f + fi] = (r0 + r1 + r2) * 0.5
                        out[(i * 4 + 2) * f + fi] = (r0 - r1 + r2) * 0.5
                        out[(i * 4 + 3) * f + fi] = r2
                    }
                }
                continue
            }
            // tap (a, b) of channel ci: the F contiguous values K[a, b, ci, :]
            let k0 = k + ci * f
            let (g00, g01, g02) = (k0, k0 + cf, k0 + 2 * cf)
            let (g10, g11, g12) = (k0 + 3 * cf, k0 + 4 * cf, k0 + 5 * cf)
            let (g20, g21, g22) = (k0 + 6 * cf, k0 + 7 * cf, k0 + 8 * cf)
            for i in 0..<4 {
                let o = out + i * 4 * f
                for fi in 0..<f {
                    let (r0, r1, r2) = row(i, g00[fi], g01[fi], g02[fi], g10[fi], g11[fi], g12[fi], g20[fi], g21[fi], g22[fi])
                    o[fi] = r0
                    o[f + fi] = (r0 + r1 + r2) * 0.5
                    o[2 * f + fi] = (r0 - r1 + r2) * 0.5
                    o[3 * f + fi] = r2
                }
            }
        }
    }

    /// Row i of G g (3 values) for the 3 x 3 kernel g (row-major).
    @inline(__always)
    static func row(_ i: Int, _ g00: Float, _ g01: Float, _ g02: Float, _ g10: Float, _ g11: Float, _ g12: Float,
                    _ g20: Float, _ g21: Float, _ g22: Float) -> (Float, Float, Float) {
        switch i {
        case 0: return (g00, g01, g02)
        case 1: return ((g00 + g10 + g20) * 0.5, (g01 + g11 + g21) * 0.5, (g02 + g12 + g22) * 0.5)
        case 2: return ((g00 - g10 + g20) * 0.5, (g01 - g11 + g21) * 0.5, (g02 - g12 + g22) * 0.5)
        default: return (g20, g21, g22)
        }
    }

    /// V[t, p, :] = (B^T d B)[p] for every tile t: the tile's 16 input positions are gathered into `tile`
    /// (X, C) (zeros outside the image), then transformed, all channels at once.
    ///     B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
    static func transformInput(_ x: UnsafePointer<Float>, batch n: Int, height h: Int, width w: Int, channels c: Int,
                               tile d: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>) {
        let (th, tw) = ((h + 1) / 2, (w + 1) / 2)
        var o = v
        for b in 0..<n {
            let image = x + b * h * w * c
            for ty in 0..<th {
                for tx in 0..<tw {
                    // d[i * 4 + j] (C) = x at (2ty - 1 + i, 2tx - 1 + j), or zeros outside
                    for i in 0..<4 {
                        let iy = 2 * ty - 1 + i
                        for j in 0..<4 {
                            let ix = 2 * tx - 1 + j, dst = d + (i * 4 + j) * c
                            if iy >= 0 && iy < h && ix >= 0 && ix < w {
                                dst.update(from: image + (iy * w + ix) * c, count: c)
                            } else {
                                dst.update(repeating: 0, count: c)
                            }
                        }
                    }
                    transformTile(d, channels: c, into: o)
                    o += 16 * c
                }
            }
        }
    }

    /// o (X, C) = B^T d B for one gathered tile d (X, C).
    @inline(__always)
    static func transformTile(_ d: UnsafePointer<Float>, channels c: Int, into o: UnsafeMutablePointer<Float>) {
        for ch in 0..<c {
            func e(_ i: Int, _ j: Int) -> Float { d[(i * 4 + j) * c + ch] }
            // (B^T d) rows: 0 - 2, 1 + 2, 2 - 1, 1 - 3 (rows of 4); then the same along each row
            func store(_ r: Int, _ a0: Float, _ a1: Float, _ a2: Float, _ a3: Float) {
                o[(r * 4 + 0) * c + ch] = a0 - a2
                o[(r * 4 + 1) * c + ch] = a1 + a2
                o[(r * 4 + 2) * c + ch] = a2 - a1
                o[(r * 4 + 3) * c + ch] = a1 - a3
            }
            store(0, e(0, 0) - e(2, 0), e(0, 1) - e(2, 1), e(0, 2) - e(2, 2), e(0, 3) - e(2, 3))
            store(1, e(1, 0) + e(2, 0), e(1, 1) + e(2, 1), e(1, 2) + e(2, 2), e(1, 3) + e(2, 3))
            store(2, e(2, 0) - e(1, 0), e(2, 1) - e(1, 1), e(2, 2) - e(1, 2), e(2, 3) - e(1, 3))
            store(3, e(1, 0) - e(3, 0), e(1, 1) - e(3, 1), e(1, 2) - e(3, 2), e(1, 3) - e(3, 3))
        }
    }

    /// y tile (2 x 2, clipped at the bottom/right edge) = A^T M A, all filters of a tile at once,
    /// through `out` (4, F) and then copied to the output rows.
    ///     A^T = [1 1 1 0; 0 1 -1 -1]
    static func transformOutput(_ m: UnsafePointer<Float>, batch n: Int, height h: Int, width w: Int, filters f: Int,
                                scratch out: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let (th, tw) = ((h + 1) / 2, (w + 1) / 2)
        var q = m
        for b in 0..<n {
            let image = y + b * h * w * f
            for ty in 0..<th {
                for tx in 0..<tw {
                    for fi in 0..<f {
                        func e(_ i: Int, _ j: Int) -> Float { q[(i * 4 + j) * f + fi] }
                        // A^T M: row 0 = M0 + M1 + M2, row 1 = M1 - M2 - M3 (rows of 4); then along the rows
                        let s0 = e(0, 0) + e(1, 0) + e(2, 0), s1 = e(0, 1) + e(1, 1) + e(2, 1)
                        let s2 = e(0, 2) + e(1, 2) + e(2, 2), s3 = e(0, 3) + e(1, 3) + e(2, 3)
                        let t0 = e(1, 0) - e(2, 0) - e(3, 0), t1 = e(1, 1) - e(2, 1) - e(3, 1)
                        let t2 = e(1, 2) - e(2, 2) - e(3, 2), t3 = e(1, 3) - e(2, 3) - e(3, 3)
                        out[fi] = s0 + s1 + s2
                        out[f + fi] = s1 - s2 - s3
                        out[2 * f + fi] = t0 + t1 + t2
                        out[3 * f + fi] = t1 - t2 - t3
                    }
                    let (oy, ox) = (2 * ty, 2 * tx)
                    let columns = min(2, w - ox)
                    (image + (oy * w + ox) * f).update(from: out, count: columns * f)
                    if oy + 1 < h { (image + ((oy + 1) * w + ox) * f).update(from: out + 2 * f, count: columns * f) }
                    q += 16 * f
                }
            }
        }
    }
}
