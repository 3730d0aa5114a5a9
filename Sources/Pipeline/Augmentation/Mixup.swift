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
        let n = labels.count, s = x.count / max(n, 1)
        let l = Float(lambda), m = 1 - Float(lambda)
        let original = x
        original.data.withUnsafeBufferPointer { src in
            x.data.withUnsafeMutableBufferPointer { dst in
                for b in 0..<n {
                    let p = partner[b]
                    for j in 0..<s { dst[b * s + j] = l * src[b * s + j] + m * src[p * s + j] }
                }
            }
        }
        var targets = Tensor(shape: [n, classes])
        let before = labels
        for b in 0..<n {
            targets.data[b * classes + Int(before[b])] += l
            targets.data[b * classes + Int(before[partner[b]])] += m
            labels[b] = lambda >= 0.5 ? before[b] : before[partner[b]]
        }
        return targets
    }
}
