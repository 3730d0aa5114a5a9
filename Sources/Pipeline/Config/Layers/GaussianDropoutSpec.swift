import Layers

/// `gaussian_dropout`: Keras `GaussianDropout`, values multiplied by 1-centred noise of deviation
/// sqrt(rate / (1 - rate)) in training only; its noise comes from the layer's seed, like `dropout`'s masks.
public struct GaussianDropoutSpec: DecodableLayerSpec {
    public static let typeName = "gaussian_dropout"
    public static let keys = DropoutSpec.keys

    /// Keras `rate`, in [0, 1) (required).
    public var rate: Double

    public init(rate: Double) { self.rate = rate }

    static func decode(_ body: ConfigNode) throws -> GaussianDropoutSpec {
        GaussianDropoutSpec(rate: try DropoutSpec.decode(body).rate)
    }

    public var arguments: [(key: String, value: String)] { [("rate", "\(rate)")] }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        GaussianDropout(rate: Float(rate), seed: context.seed)
    }
}
