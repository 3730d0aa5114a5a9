import Tensor

/// Keras `GaussianDropout(rate)`: in training every value multiplied by 1-centred Gaussian noise of
/// deviation sqrt(rate / (1 - rate)) (the multiplicative counterpart of dropout at that rate); at
/// inference the identity.
///
///     x (N, ...) -> y = x * m,  m = 1 + sqrt(rate / (1 - rate)) * z,  z ~ N(0, 1) per value;  dx = dy * m
///
/// The noise comes from the layer's own generator (`RandomGenerator.fillNormals`), reseeded before
/// every training step (`StochasticLayer`). Keras draws from its own generator, so only the
/// distribution is Keras's (NoiseLayersTests compares the moments with Keras's).
public final class GaussianDropout: Layer {
    public var name = "gaussian_dropout"
    public var kind: String { "GaussianDropout" }
    /// Keras `rate`, in [0, 1): the noise's deviation is sqrt(rate / (1 - rate)).
    public let rate: Float
    /// The generator that draws the noise.
    public var generator: RandomGenerator
    /// When true, training passes reuse the last multipliers (same input shape), for deterministic
    /// finite-difference checks.
    public var freezeNoise = false

    private var multipliers = ElementwiseFactors()   // m, y and dx

    /// Shape: (N, ...) -> (N, ...).
    public init(rate: Float, seed: UInt64 = 0) {
        self.rate = rate
        generator = RandomGenerator(seed: seed)
    }

    /// Any shape passes through; throws when `rate` is not in [0, 1).
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try checkDropout(self, rate: rate, inputShape: inputShape)
        return inputShape
    }

    /// Training: x times fresh multipliers (unless `freezeNoise`). Inference, or rate 0: x itself.
    /// Shape: x (N, ...) -> y (N, ...).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (multiply, fresh) = multipliers.begin(x, training: training, rate: rate, frozen: freezeNoise)
        guard multiply else { return x }
        if fresh {
            let deviation = (rate / (1 - rate)).squareRoot()
            multipliers.withFactors { mp in
                generator.fillNormals(mp)
                for i in 0..<mp.count { mp[i] = 1 + deviation * mp[i] }
            }
        }
        return multipliers.multiply(x)
    }

    /// dx = dy * m after a training pass; dy itself after an inference pass.
    public func backward(_ dy: Tensor) -> Tensor { multipliers.backward(dy, layer: name) }

    /// Restarts the noise generator from `seed`.
    public func reseed(_ seed: UInt64) {
        generator = RandomGenerator(seed: seed)
    }
}

extension GaussianDropout: StochasticLayer, IdentityAtInference {}
