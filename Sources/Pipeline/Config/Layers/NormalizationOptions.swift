import Layers

/// `epsilon`, `center` and `scale`: the keys `batch_normalization` and `layer_normalization` share,
/// with Keras's defaults, their ranges, decoding and printed form in one place.
public struct NormalizationOptions: Equatable, Sendable {
    /// Added to the variance before the square root, in (0, 1].
    public var epsilon: Double
    /// Whether the layer learns an offset `beta`.
    public var center: Bool
    /// Whether the layer learns a scale `gamma`.
    public var scale: Bool

    public init(epsilon: Double = 0.001, center: Bool = true, scale: Bool = true) {
        (self.epsilon, self.center, self.scale) = (epsilon, center, scale)
    }

    /// The three keys, in printing order.
    static let keys = ["epsilon", "center", "scale"]

    /// The options in a layer's argument mapping `m` (already checked for unknown keys), defaults for
    /// those left out; errors name the key through `ConfigNode`.
    init(_ m: [String: ConfigNode]) throws {
        self.init()
        if let v = m["epsilon"] { epsilon = try v.double(min: 0, max: 1, minExclusive: true) }
        if let v = m["center"] { center = try v.bool() }
        if let v = m["scale"] { scale = try v.bool() }
    }

    /// Every key with its value, in `keys` order.
    var arguments: [(key: String, value: String)] {
        [("epsilon", "\(epsilon)"), ("center", "\(center)"), ("scale", "\(scale)")]
    }
}
