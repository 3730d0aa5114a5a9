import Layers

/// `layer_normalization`: Keras `LayerNormalization` over the last axis (each example's features by
/// their own mean and variance, the same in training and at inference).
public struct LayerNormalizationSpec: DecodableLayerSpec {
    public static let typeName = "layer_normalization"
    public static let keys = ["epsilon", "center", "scale"]

    /// Added to the variance before the square root, in (0, 1].
    public var epsilon: Double
    /// Whether the layer learns an offset `beta`.
    public var center: Bool
    /// Whether the layer learns a scale `gamma`.
    public var scale: Bool

    public init(epsilon: Double = 0.001, center: Bool = true, scale: Bool = true) {
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
    }

    static func decode(_ body: ConfigNode) throws -> LayerNormalizationSpec {
        let m = try body.mapping(allowed: keys)
        var spec = LayerNormalizationSpec()
        if let v = m["epsilon"] { spec.epsilon = try v.double(min: 0, max: 1, minExclusive: true) }
        if let v = m["center"] { spec.center = try v.bool() }
        if let v = m["scale"] { spec.scale = try v.bool() }
        return spec
    }

    public var arguments: [(key: String, value: String)] {
        [("epsilon", "\(epsilon)"), ("center", "\(center)"), ("scale", "\(scale)")]
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        LayerNormalization(epsilon: Float(epsilon), center: center, scale: scale)
    }
}
