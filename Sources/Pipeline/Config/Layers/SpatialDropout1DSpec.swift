import Layers

/// `spatial_dropout1d`: Keras `SpatialDropout1D`, drops whole channels of each sequence (at every step)
/// in training; its masks come from the layer's seed, like `dropout`.
public struct SpatialDropout1DSpec: DecodableLayerSpec {
    public static let typeName = "spatial_dropout1d"
    public static let keys = SpatialDropout2DSpec.keys

    /// Fraction of channels zeroed, in [0, 1) (required).
    public var rate: Double

    public init(rate: Double) { self.rate = rate }

    static func decode(_ body: ConfigNode) throws -> SpatialDropout1DSpec {
        SpatialDropout1DSpec(rate: try SpatialDropout2DSpec.decode(body).rate)
    }

    public var arguments: [(key: String, value: String)] { [("rate", "\(rate)")] }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        SpatialDropout1D(rate: Float(rate), seed: context.seed)
    }
}
