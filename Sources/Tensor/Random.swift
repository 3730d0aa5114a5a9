import COpenBLAS
import Foundation

/// A seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Same seed, same sequence, on every machine: splits, window sampling, shuffles, dropout masks and
/// initial weights all draw from generators derived from the run's seed.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    @inlinable static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits. (Inlinable: per-element draws such as dropout masks run in other
    /// modules, where a call per draw costs more than the draw.)
    @inlinable
    public mutating func next() -> UInt64 {
        let result = RandomGenerator.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = RandomGenerator.rotl(s.3, 45)
        return result
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inlinable
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUniformDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal sample (Box-Muller).
    public mutating func nextNormal() -> Float {
        let u1 = max(nextUniformDouble(), .leastNonzeroMagnitude)
        let u2 = nextUniformDouble()
        return Float((-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// `count` standard normal samples, two from each pair of uniforms (Box-Muller's cosine and sine
    /// values: one logarithm per two samples instead of one per sample, for the noise signals' long
    /// runs). The stream differs from `count` calls of `nextNormal`; an odd count ends with one of those.
    ///
    ///     rng -> z (count): z[2i] = r cos t, z[2i+1] = r sin t; r = sqrt(-2 ln u1), t = 2 pi u2
    public mutating func normals(_ count: Int) -> [Float] {
        precondition(count >= 0, "normals: negative count \(count)")
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { fillNormals($0) }
        return out
    }

    /// `normals(buffer.count)` written into `buffer` (the same stream), allocating nothing: the noise
    /// layers draw into their own buffers at every training step.
    public mutating func fillNormals(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let count = buffer.count
        var i = 0
        while i + 1 < count {
            let u1 = max(nextUniformDouble(), .leastNonzeroMagnitude)
            let u2 = nextUniformDouble()
            let r = (-2 * Foundation.log(u1)).squareRoot(), t = 2 * Double.pi * u2
            buffer[i] = Float(r * cos(t))
            buffer[i + 1] = Float(r * sin(t))
            i += 2
        }
        if i < count { buffer[i] = nextNormal() }
    }

    /// A uniform integer in 0..<bound without modulo bias.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound, got \(bound)")
        return Int(next(upperBound: UInt64(bound)))
    }

    /// A new generator whose stream is independent of this one's continuation.
    public mutating func split() -> RandomGenerator { RandomGenerator(seed: next()) }
}

/// Keras weight initialisers.
public enum Initializer: Sendable, Equatable {
    case zeros
    case ones
    /// Uniform in [-limit, limit], limit = sqrt(6 / (fanIn + fanOut)) (Keras `glorot_uniform`).
    case glorotUniform
    /// A (semi-)orthogonal matrix from the QR factorisation of a Gaussian one (Keras `orthogonal`).
    case orthogonal(gain: Float)

    /// Keras's fans: a 2-D shape (in, out); otherwise receptive field = product of all but the
    /// last two dimensions, fanIn = shape[-2] * field, fanOut = shape[-1] * field.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let field = shape.dropLast(2).reduce(1, *)
            return (shape[shape.count - 2] * field, shape[shape.count - 1] * field)
        }
    }

    /// A tensor of `shape` initialised from `rng`.
    public func make(_ shape: [Int], using rng: inout RandomGenerator) -> Tensor {
        let n = Tensor.elementCount(shape)
        switch self {
        case .zeros: return Tensor(shape: shape, repeating: 0)
        case .ones: return Tensor(shape: shape, repeating: 1)
        case .glorotUniform:
            let (fanIn, fanOut) = Initializer.fans(shape)
            let limit = (6 / Float(max(1, fanIn + fanOut))).squareRoot()
            return Tensor(shape: shape, data: (0..<n).map { _ in (rng.nextUniform() * 2 - 1) * limit })
        case .orthogonal(let gain):
            return Tensor(shape: shape, data: Initializer.orthogonal(shape, gain: gain, rng: &rng))
        }
    }

    /// Keras `Orthogonal`: rows = product of all but the last dimension, cols = last dimension;
    /// QR of a Gaussian (max(rows, cols), min(rows, cols)) matrix, Q's columns multiplied by the
    /// signs of R's diagonal, transposed when rows < cols. QR is LAPACK's (inside OpenBLAS), run on
    /// one OpenBLAS thread whatever `BLAS.threads` is (restored after), so that the result depends on
    /// the seed and OpenBLAS's CPU kernels only. Build models while no other thread runs BLAS products.
    static func orthogonal(_ shape: [Int], gain: Float, rng: inout RandomGenerator) -> [Float] {
        precondition(shape.count >= 2, "orthogonal initialiser needs at least 2 dimensions, got \(shape)")
        let rows = shape.dropLast().reduce(1, *), cols = shape.last!
        let (m, k) = (max(rows, cols), min(rows, cols))      // QR of a tall m x k matrix
        var a = (0..<(m * k)).map { _ in rng.nextNormal() }  // column-major, lda = m
        var tau = [Float](repeating: 0, count: k)
        var info: Int32 = 0
        var (mm, kk, lda) = (Int32(m), Int32(k), Int32(m))
        var lwork = Int32(max(1, 64 * k))
        var work = [Float](repeating: 0, count: Int(lwork))
        // One OpenBLAS thread for the QR: with more, its blocked products round differently (a
        // (640, 160) kernel differs with 2 threads), so the weights would depend on the process-wide
        // thread count, which DataParallel sets to 1, and a config built after another config's
        // training would start from other weights than in a process of its own.
        let threads = BLAS.threads
        if threads != 1 { BLAS.threads = 1 }
        defer { if threads != 1 { BLAS.threads = threads } }
        sgeqrf_(&mm, &kk, &a, &lda, &tau, &work, &lwork, &info)
        precondition(info == 0, "sgeqrf failed with info \(info)")
        let signs = (0..<k).map { a[$0 * m + $0] < 0 ? Float(-1) : Float(1) }
        sorgqr_(&mm, &kk, &kk, &a, &lda, &tau, &work, &lwork, &info)
        precondition(info == 0, "sorgqr failed with info \(info)")
        for j in 0..<k { for i in 0..<m { a[j * m + i] *= signs[j] * gain } }
        if rows < cols {
            // result (rows=k, cols=m) = Q^T, whose row-major layout is Q's column-major layout
            return a
        }
        // result (rows=m, cols=k) = Q in row-major order
        var out = [Float](repeating: 0, count: m * k)
        for i in 0..<m { for j in 0..<k { out[i * k + j] = a[j * m + i] } }
        return out
    }
}
