import Tensor

/// Keras `GaussianNoise(stddev)`: in training, zero-mean Gaussian noise of deviation `stddev` added to
/// every value (a regularizer, and an augmentation of the input features when it comes first); at
/// inference the identity.
///
///     x (N, ...) -> y = x + stddev * z,  z ~ N(0, 1) drawn per value;  dx = dy
///
/// The noise comes from the layer's own generator (`RandomGenerator.fillNormals`, Box-Muller pairs),
/// reseeded before every training step (`StochasticLayer`) so a resumed run draws the same noise.
/// Keras draws from its own generator, so only the distribution is Keras's (NoiseLayersTests compares
/// the moments with Keras's).
public final class GaussianNoise: Layer {
    public var name = "gaussian_noise"
    public var kind: String { "GaussianNoise" }
    /// Deviation of the added noise, >= 0.
    public let stddev: Float
    /// The generator that draws the noise.
    public var generator: RandomGenerator
    /// When true, training passes reuse the last noise (same input shape), so that finite-difference
    /// gradient checks are deterministic.
    public var freezeNoise = false

    private var noise = Tensor.empty          // stddev * z
    private var output = Tensor.empty         // y = x + noise

    /// Shape: (N, ...) -> (N, ...).
    public init(stddev: Float, seed: UInt64 = 0) {
        self.stddev = stddev
        generator = RandomGenerator(seed: seed)
    }

    /// Any shape passes through; throws when `stddev` is negative or not finite.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard stddev >= 0, stddev.isFinite else {
            throw ShapeError("\(name) (GaussianNoise): stddev must be a finite value >= 0, got \(stddev)")
        }
        return inputShape
    }

    /// Training: x plus fresh noise (unless `freezeNoise`). Inference, or stddev 0: x itself.
    /// Shape: x (N, ...) -> y (N, ...).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training && stddev > 0 else { return x }
        let fresh = !(freezeNoise && noise.shape == x.shape)
        output.ensureShape(x.shape)
        noise.ensureShape(x.shape)
        x.data.withUnsafeBufferPointer { xp in
            noise.data.withUnsafeMutableBufferPointer { np in
                if fresh {
                    generator.fillNormals(np)
                    for i in 0..<np.count { np[i] *= stddev }
                }
                output.data.withUnsafeMutableBufferPointer { yp in
                    for i in 0..<yp.count { yp[i] = xp[i] + np[i] }
                }
            }
        }
        return output
    }

    /// dy itself: the noise does not depend on x.
    public func backward(_ dy: Tensor) -> Tensor { dy }

    /// Restarts the noise generator from `seed`.
    public func reseed(_ seed: UInt64) {
        generator = RandomGenerator(seed: seed)
    }
}

extension GaussianNoise: StochasticLayer, IdentityAtInference {}
