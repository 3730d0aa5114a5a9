import Layers

/// `dropout`: Keras `Dropout`, active in training only; its masks come from the layer's seed.
public struct DropoutSpec: DecodableLayerSpec {
    public static let typeName = "dropout"
    public static let keys = ["rate"]

    /// Fraction of inputs zeroed, in [0, 1) (required).
    public var rate: Double

    public init(rate: Double) { self.rate = rate }

    static func decode(_ body: ConfigNode) throws -> DropoutSpec {
        let m = try body.mapping(allowed: keys)
        guard let rate = m["rate"] else { throw body.error("needs `rate`") }
        let r = try rate.double(min: 0, max: 1)
        guard r < 1 else { throw rate.error("must be below 1 (1 drops everything)") }
        return DropoutSpec(rate: r)
    }

    public var arguments: [(key: String, value: String)] { [("rate", "\(rate)")] }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        Dropout(rate: Float(rate), seed: context.seed)
    }
}
