import CSupport
import Tensor

/// Inverted dropout, Keras `Dropout`: in training each value is kept with probability 1 - rate and
/// scaled by 1 / (1 - rate), otherwise zeroed; at inference the layer is the identity.
///
///     x (N, ...) -> y (N, ...)        mask (N, ...) holding 0 or 1 / (1 - rate)
///
/// Each mask is keyed by one draw of the layer's own generator (seeded with `seed` at init): element
/// i is kept when the i-th SplitMix64 number from that key, as a uniform in [0, 1), is below
/// 1 - rate (CSupport's vectorised `earmark_dropout_mask`). Training reseeds the generator before
/// every step with `reseed(_:)` (`StochasticLayer`) so that a resumed run draws the same masks as an
/// uninterrupted one.
public final class Dropout: Layer {
    public var name = "dropout"
    public var kind: String { "Dropout" }
    /// Fraction of values dropped in training, in [0, 1).
    public let rate: Float
    /// Seed of the mask generator (Keras `seed`).
    public let seed: UInt64
    /// The generator that draws the masks.
    public var generator: RandomGenerator
    /// When true, training passes reuse the last mask instead of drawing a new one (as long as the
    /// input shape is unchanged), so that finite-difference gradient checks are deterministic.
    public var freezeMask = false

    private var mask = ElementwiseFactors()   // (N, ...) 0 or 1 / (1 - rate), y and dx

    /// Shape: (N, ...) -> (N, ...).
    public init(rate: Float, seed: UInt64 = 0) {
        self.rate = rate
        self.seed = seed
        self.generator = RandomGenerator(seed: seed)
    }

    /// Any shape passes through; throws when `rate` is not in [0, 1).
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try checkDropout(self, rate: rate, inputShape: inputShape)
        return inputShape
    }

    /// Restarts the mask generator from `seed`.
    public func reseed(_ seed: UInt64) {
        generator = RandomGenerator(seed: seed)
    }

    /// Training: y = x * mask with a fresh mask (unless `freezeMask`). Inference, or rate 0: returns
    /// `x` itself, no copy. Shape: x (N, ...) -> y (N, ...).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (multiply, fresh) = mask.begin(x, training: training, rate: rate, frozen: freezeMask)
        guard multiply else { return x }
        precondition(rate < 1, "\(name): rate \(rate) must be in [0, 1)")
        guard fresh else { return mask.multiply(x) }
        let keep = 1 - rate, scale = 1 / (1 - rate)
        // one draw of the layer's generator keys the mask's counter-based stream (CSupport)
        let key = generator.next()
        return x.data.withUnsafeBufferPointer { xp in
            mask.withFactorsAndOutput { mp, yp in
                earmark_dropout_mask(mp.baseAddress!, yp.baseAddress!, xp.baseAddress!, mp.count, key, keep, scale)
            }
            return mask.output
        }
    }

    /// dx = dy * mask after a training pass; `dy` itself after an inference pass.
    /// Shape: dy (N, ...) -> dx (N, ...).
    public func backward(_ dy: Tensor) -> Tensor { mask.backward(dy, layer: name) }
}

extension Dropout: StochasticLayer, IdentityAtInference {}
