import Layers

/// `batch_normalization`: Keras `BatchNormalization` over the last axis (channels); batch statistics
/// in training, the moving statistics (saved with the weights) at inference.
public struct BatchNormalizationSpec: DecodableLayerSpec {
    public static let typeName = "batch_normalization"
    public static let keys = ["momentum"] + NormalizationOptions.keys

    /// Weight of the old moving statistic in each update, in [0, 1].
    public var momentum: Double
    /// `epsilon`, `center`, `scale`.
    public var options: NormalizationOptions

    public init(momentum: Double = 0.99, _ options: NormalizationOptions = NormalizationOptions()) {
        self.momentum = momentum
        self.options = options
    }

    static func decode(_ body: ConfigNode) throws -> BatchNormalizationSpec {
        let m = try body.mapping(allowed: keys)
        return BatchNormalizationSpec(momentum: try m["momentum"]?.double(min: 0, max: 1) ?? 0.99,
                                      try NormalizationOptions(m))
    }

    public var arguments: [(key: String, value: String)] { [("momentum", "\(momentum)")] + options.arguments }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        BatchNormalization(momentum: Float(momentum), epsilon: Float(options.epsilon), center: options.center,
                           scale: options.scale)
    }
}
