import Tensor

/// Channel dropout, Keras `SpatialDropout2D` (channels last): in training each channel of each
/// example is kept whole with probability 1 - rate and scaled by 1 / (1 - rate), otherwise zeroed
/// over all of H and W; at inference the layer is the identity.
///
/// Legend: N batch, H W C input.
///
///     x (N, H, W, C) -> y (N, H, W, C),   y[n, h, w, c] = x[n, h, w, c] * mask[n, c]
///     mask (N, C) holding 0 or 1 / (1 - rate), drawn in (n, c) order
///
/// Seeding is Dropout's: the generator starts from `seed`, and training reseeds it before every
/// step with `reseed(_:)` (`StochasticLayer`) from (run seed, epoch, step).
public final class SpatialDropout2D: Layer {
    public var name = "spatial_dropout2d"
    public var kind: String { "SpatialDropout2D" }
    /// Fraction of channels dropped in training, in [0, 1).
    public let rate: Float
    /// Seed of the mask generator (Keras `seed`).
    public let seed: UInt64
    /// The generator that draws the masks.
    public var generator: RandomGenerator
    /// When true, training passes reuse the last mask instead of drawing a new one (as long as the
    /// input shape is unchanged), so that finite-difference gradient checks are deterministic.
    public var freezeMask = false

    /// The mask of the last training pass, (N, C): 0 or 1 / (1 - rate).
    public private(set) var mask = Tensor.empty
    private var output = Tensor.empty         // y = x * mask, broadcast over H, W
    private var inputGradient = Tensor.empty  // dx = dy * mask, broadcast over H, W
    private var maskApplied = false           // whether the last forward used the mask

    /// Shape: (N, H, W, C) -> (N, H, W, C).
    public init(rate: Float, seed: UInt64 = 0) {
        self.rate = rate
        self.seed = seed
        self.generator = RandomGenerator(seed: seed)
    }

    /// (H, W, C) passes through; throws for another rank or a `rate` outside [0, 1).
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try checkDropout(self, rate: rate, inputShape: inputShape, axes: (3, "(height, width, channels)"))
        return inputShape
    }

    /// Restarts the mask generator from `seed`.
    public func reseed(_ seed: UInt64) {
        generator = RandomGenerator(seed: seed)
    }

    /// Training: y = x * mask with a fresh (N, C) mask (unless `freezeMask`). Inference, or rate 0:
    /// returns `x` itself, no copy. Shape: x (N, H, W, C) -> y (N, H, W, C).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        maskApplied = training && rate > 0
        guard maskApplied else { return x }
        precondition(rate < 1 && x.shape.count == 4, "\(name): rate \(rate) in [0, 1), input \(x.shape) (N, H, W, C)")
        let (n, p, c) = (x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
        let fresh = !(freezeMask && mask.shape == [n, c] && output.shape == x.shape)
        if x.shape != output.shape {
            output.ensureShape(x.shape)
            inputGradient.ensureShape(x.shape)
        }
        mask.ensureShape([n, c])
        let keep = 1 - rate, scale = 1 / (1 - rate)
        var rng = generator                   // a local copy: no exclusivity check per draw
        defer { generator = rng }
        mask.data.withUnsafeMutableBufferPointer { mp in
            if fresh {
                for i in 0..<mp.count { mp[i] = rng.nextUniform() < keep ? scale : 0 }
            }
        }
        SpatialDropout2D.apply(mask, to: x, into: &output, positions: p)
        return output
    }

    /// dx = dy * mask after a training pass; `dy` itself after an inference pass.
    /// Shape: dy (N, H, W, C) -> dx (N, H, W, C).
    public func backward(_ dy: Tensor) -> Tensor {
        guard maskApplied else { return dy }
        precondition(dy.shape == output.shape,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        SpatialDropout2D.apply(mask, to: dy, into: &inputGradient, positions: dy.shape[1] * dy.shape[2])
        return inputGradient
    }

    /// out[n, p, c] = t[n, p, c] * mask[n, c]. Shape: t (N, H, W, C), mask (N, C) -> out (N, H, W, C).
    private static func apply(_ mask: Tensor, to t: Tensor, into out: inout Tensor, positions p: Int) {
        let (n, c) = (mask.shape[0], mask.shape[1])
        t.data.withUnsafeBufferPointer { tp in
            mask.data.withUnsafeBufferPointer { mp in
                out.data.withUnsafeMutableBufferPointer { op in
                    for b in 0..<n {
                        for q in 0..<p {
                            let at = (b * p + q) * c
                            for j in 0..<c { op[at + j] = tp[at + j] * mp[b * c + j] }
                        }
                    }
                }
            }
        }
    }
}

extension SpatialDropout2D: StochasticLayer, IdentityAtInference {}
