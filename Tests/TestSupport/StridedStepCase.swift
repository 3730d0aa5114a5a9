import Tensor

/// The operands of an LSTM step's product as the layer issues it, for the product kernels' tests:
/// gates rows (n, step) += h rows (n, step) (N, U) R (U, G), every row of sequence n T rows after
/// the previous one (row strides T*U and T*G), and the worst error of a result against Double
/// precision.
public struct StridedStepCase {
    /// N sequences, T steps, U units, G = 4U gate columns.
    public let batch: Int, steps: Int, units: Int, gates: Int
    /// h (N*T, U), R (U, G) and the gates before the product (N*T, G), random with `seed`.
    public let h: [Float], r: [Float], start: [Float]

    public init(batch: Int = 16, steps: Int = 9, units: Int = 128, seed: UInt64) {
        (self.batch, self.steps, self.units, self.gates) = (batch, steps, units, 4 * units)
        var rng = RandomGenerator(seed: seed)
        h = (0..<(batch * steps * units)).map { _ in rng.nextNormal() }
        r = (0..<(units * 4 * units)).map { _ in 0.1 * rng.nextNormal() }
        start = (0..<(batch * steps * 4 * units)).map { _ in rng.nextNormal() }
    }

    /// libxsmm's kernel for the step's product over the whole width, or nil when it has none here.
    public func wholeWidthKernel() -> SmallMatrixProduct? {
        SmallMatrixProduct(m: batch, n: gates, k: units, lda: steps * units, ldb: gates, ldc: steps * gates, beta: 1)
    }

    /// The gates after `product` ran step `step`'s rows.
    public func run(_ product: SmallMatrixProduct, step: Int) -> [Float] {
        var c = start
        h.withUnsafeBufferPointer { hp in
            r.withUnsafeBufferPointer { rp in
                c.withUnsafeMutableBufferPointer { cp in
                    product(a: hp.baseAddress! + step * units, b: rp.baseAddress!, c: cp.baseAddress! + step * gates)
                }
            }
        }
        return c
    }

    /// The largest |c - expected| over every gates row, where only step `step`'s rows should have
    /// changed, by h R summed in Double precision.
    public func worstError(of c: [Float], step: Int) -> Double {
        var worst = 0.0
        for row in 0..<(batch * steps) {
            for j in 0..<gates {
                var expected = Double(start[row * gates + j])
                if row % steps == step {
                    for p in 0..<units { expected += Double(h[row * units + p]) * Double(r[p * gates + j]) }
                }
                worst = max(worst, abs(Double(c[row * gates + j]) - expected))
            }
        }
        return worst
    }
}
