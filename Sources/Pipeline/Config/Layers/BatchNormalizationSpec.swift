import Layers

/// `batch_normalization`: Keras `BatchNormalization` over the last axis (channels); batch statistics
/// in training, the moving statistics (saved with the weights) at inference.
public struct BatchNormalizationSpec: DecodableLayerSpec {
    public static let typeName = "batch_normalization"
    public static let keys = ["momentum", "epsilon", "center", "scale"]

    /// Weight of the old moving statistic in each update, in [0, 1].
    public var momentum: Double
    /// Added to the variance before the square root, in (0, 1].
    public var epsilon: Double
    /// Whether the layer learns an offset `beta`.
    public var center: Bool
    /// Whether the layer learns a scale `gamma`.
    public var scale: Bool

    public init(momentum: Double = 0.99, epsilon: Double = 0.001, center: Bool = true, scale: Bool = true) {
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
    }

    static func decode(_ body: ConfigNode) throws -> BatchNormalizationSpec {
        let m = try body.mapping(allowed: keys)
        var spec = BatchNormalizationSpec()
        if let v = m["momentum"] { spec.momentum = try v.double(min: 0, max: 1) }
        if let v = m["epsilon"] { spec.epsilon = try v.double(min: 0, max: 1, minExclusive: true) }
        if let v = m["center"] { spec.center = try v.bool() }
        if let v = m["scale"] { spec.scale = try v.bool() }
        return spec
    }

    public var arguments: [(key: String, value: String)] {
        [("momentum", "\(momentum)"), ("epsilon", "\(epsilon)"), ("center", "\(center)"), ("scale", "\(scale)")]
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        BatchNormalization(momentum: Float(momentum), epsilon: Float(epsilon), center: center, scale: scale)
    }
}
