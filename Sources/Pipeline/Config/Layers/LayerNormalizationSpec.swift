import Layers

/// `layer_normalization`: Keras `LayerNormalization` over the last axis (each example's features by
/// their own mean and variance, the same in training and at inference).
public struct LayerNormalizationSpec: DecodableLayerSpec {
    public static let typeName = "layer_normalization"
    public static let keys = NormalizationOptions.keys

    /// `epsilon`, `center`, `scale`.
    public var options: NormalizationOptions

    public init(_ options: NormalizationOptions = NormalizationOptions()) { self.options = options }

    static func decode(_ body: ConfigNode) throws -> LayerNormalizationSpec {
        LayerNormalizationSpec(try NormalizationOptions(body.mapping(allowed: keys)))
    }

    public var arguments: [(key: String, value: String)] { options.arguments }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        LayerNormalization(epsilon: Float(options.epsilon), center: options.center, scale: options.scale)
    }
}
