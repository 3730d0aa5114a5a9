import Foundation
import Tensor

/// mixup within a batch: one lambda ~ Beta(alpha, alpha) per batch and a random pairing
/// (a permutation pi of the rows); row b becomes lambda x_b + (1 - lambda) x_pi(b) with the soft
/// target lambda onehot(y_b) + (1 - lambda) onehot(y_pi(b)), and its label (for the accuracy
/// count) the one with the larger share.
///
///     x (B, S...), labels (B) -> x (B, S...), labels (B), targets (B, K)
public struct Mixup: Sendable {
    public var alpha: Double
    public init(alpha: Double) { self.alpha = alpha }

    /// Lambda and the pairing of a batch of `count` rows, in that order from `rng`.
    public func draw(count: Int, rng: inout RandomGenerator) -> (lambda: Double, partner: [Int]) {
        let lambda = rng.nextBeta(alpha, alpha)
        var partner = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { partner.swapAt(i, rng.nextInt(below: i + 1)) }
        return (lambda, partner)
    }

    /// Mixes `x` and `labels` in place as drawn; returns the soft targets of `classes` classes.
    public static func apply(lambda: Double, partner: [Int], x: inout Tensor, labels: inout [Int32],
                             classes: Int) -> Tensor {
        let n = labels.count
        let mixed = mix(lambda: lambda, partner: partner, rows: 0..<n, source: x, sourceLabels: labels,
                        position: Array(0..<n), classes: classes)
        x = mixed.x; labels = mixed.labels
        return mixed.targets
    }

    /// Rows `rows` of the mixed batch (a rank's shard), from `source`, which holds the batch rows a
    /// shard needs (its own and their partners): batch row b is source row `position[b]`.
    ///
    ///     source (M, S...), sourceLabels (M) -> x (rows, S...), labels (rows), targets (rows, K)
    public static func mix(lambda: Double, partner: [Int], rows: Range<Int>, source: Tensor, sourceLabels: [Int32],
                           position: [Int], classes: Int) -> (x: Tensor, labels: [Int32], targets: Tensor) {
        let s = source.count / max(sourceLabels.count, 1)
        let l = Float(lambda), m = 1 - Float(lambda)
        var x = Tensor(shape: [rows.count] + Array(source.shape.dropFirst()))
        source.data.withUnsafeBufferPointer { src in
            x.data.withUnsafeMutableBufferPointer { dst in
                for (o, b) in rows.enumerated() {
                    let i = position[b], p = position[partner[b]]
                    for j in 0..<s { dst[o * s + j] = l * src[i * s + j] + m * src[p * s + j] }
                }
            }
        }
        var targets = Tensor(shape: [rows.count, classes])
        var labels = [Int32](repeating: 0, count: rows.count)
        for (o, b) in rows.enumerated() {
            let own = sourceLabels[position[b]], other = sourceLabels[position[partner[b]]]
            targets.data[o * classes + Int(own)] += l
            targets.data[o * classes + Int(other)] += m
            labels[o] = lambda >= 0.5 ? own : other
        }
        return (x, labels, targets)
    }
}
