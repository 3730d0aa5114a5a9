import Tensor

/// Keras `SpatialDropout1D`: in training, whole channels of each sequence are dropped (zero at every
/// step) with probability `rate` and the kept ones scaled by 1 / (1 - rate); the identity at inference.
/// The channel-wise dropout for `conv1d` networks, whose neighbouring steps are strongly correlated.
///
///     x (N, T, C) -> y (N, T, C) = x * mask, mask (N, C) broadcast over T: 0 or 1 / (1 - rate)
///
/// A sequence is a (T, 1) image with C channels, so this is `SpatialDropout2D` on the (N, T, 1, C)
/// view of x (no copy), with its seeded masks, reseeding and gradient.
public final class SpatialDropout1D: Layer {
    public var name: String { didSet { image.name = name } }
    public var kind: String { "SpatialDropout1D" }
    /// Fraction of channels dropped in training, in [0, 1).
    public var rate: Float { image.rate }
    /// When true, training passes reuse the last mask (for finite-difference gradient checks).
    public var freezeMask: Bool {
        get { image.freezeMask }
        set { image.freezeMask = newValue }
    }
    /// The mask of the last training pass, (N, C): 0 or 1 / (1 - rate).
    public var mask: Tensor { image.mask }

    private let image: SpatialDropout2D        // the same dropout on the (N, T, 1, C) view
    private var inputShape: [Int] = []         // the last forward's x.shape (N, T, C)

    /// Shape: (N, T, C) -> (N, T, C); the masks come from `seed`, like `Dropout`'s.
    public init(rate: Float, seed: UInt64 = 0) {
        image = SpatialDropout2D(rate: rate, seed: seed)
        name = "spatial_dropout1d"
        image.name = name
    }

    /// (T, C) passes through; throws for another rank or a `rate` outside [0, 1).
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try checkDropout(self, rate: rate, inputShape: inputShape, axes: (2, "(time steps, channels)"))
        return inputShape
    }

    /// Training: x * mask with a fresh (N, C) mask (unless `freezeMask`); inference or rate 0: x itself.
    /// Shape: x (N, T, C) -> (N, T, C).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank == 3 && x.count > 0, "\(name) (SpatialDropout1D): input \(x.shape), expected (N, T, C)")
        inputShape = x.shape
        let (n, t, c) = (x.shape[0], x.shape[1], x.shape[2])
        return image.forward(x.reshaped([n, t, 1, c]), training: training).reshaped(x.shape)
    }

    /// dy * mask after a training pass, dy itself otherwise. Shape: dy (N, T, C) -> dx (N, T, C).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == inputShape, "\(name) (SpatialDropout1D): gradient \(dy.shape), expected \(inputShape)")
        let (n, t, c) = (dy.shape[0], dy.shape[1], dy.shape[2])
        return image.backward(dy.reshaped([n, t, 1, c])).reshaped(dy.shape)
    }

    public func releaseCache() { image.releaseCache() }
}

extension SpatialDropout1D: StochasticLayer, IdentityAtInference {
    /// Restarts the mask generator from `seed`.
    public func reseed(_ seed: UInt64) { image.reseed(seed) }
}
