import Layers

/// `spatial_dropout2d`: Keras `SpatialDropout2D`, drops whole channels of each example in training;
/// its masks come from the layer's seed, like `dropout`.
public struct SpatialDropout2DSpec: DecodableLayerSpec {
    public static let typeName = "spatial_dropout2d"
    public static let keys = ["rate"]

    /// Fraction of channels zeroed, in [0, 1) (required).
    public var rate: Double

    public init(rate: Double) { self.rate = rate }

    static func decode(_ body: ConfigNode) throws -> SpatialDropout2DSpec {
        let m = try body.mapping(allowed: keys)
        guard let rate = m["rate"] else { throw body.error("needs `rate`") }
        let r = try rate.double(min: 0, max: 1)
        guard r < 1 else { throw rate.error("must be below 1 (1 drops everything)") }
        return SpatialDropout2DSpec(rate: r)
    }

    public var arguments: [(key: String, value: String)] { [("rate", "\(rate)")] }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        SpatialDropout2D(rate: Float(rate), seed: context.seed)
    }
}
