import Layers

/// `dense`: Keras `Dense`. `units: classes` gives one unit per class of the data (the output layer).
public struct DenseSpec: DecodableLayerSpec {
    public static let typeName = "dense"
    public static let keys = ["units", "activation", "use_bias"]

    /// Output units (required); `nil` is `units: classes`.
    public var units: Int?
    public var activation: Activation
    /// Keras `use_bias` (true); printed only when false, so configs without it keep their hash.
    public var useBias = true

    public init(units: Int?, activation: Activation = .linear) {
        self.units = units
        self.activation = activation
    }

    static func decode(_ body: ConfigNode) throws -> DenseSpec {
        let m = try body.mapping(allowed: keys)
        guard let u = m["units"] else {
            throw body.error("needs `units` (a number, or `classes` for the output layer)")
        }
        let units: Int? = (try? u.string()) == "classes" ? nil : try u.int(min: 1, max: 1 << 20)
        var spec = DenseSpec(units: units, activation: try m["activation"]?.activation() ?? .linear)
        if let v = m["use_bias"] { spec.useBias = try v.bool() }
        return spec
    }

    public var arguments: [(key: String, value: String)] {
        [("units", units.map(String.init) ?? "classes"), ("activation", activation.rawValue)] + LayerYAML.useBias(useBias)
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        Dense(units: units ?? context.classes, activation: activation, useBias: useBias)
    }
}
