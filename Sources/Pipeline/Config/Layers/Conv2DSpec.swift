import Layers
import Tensor

/// `conv2d`: Keras `Conv2D` on (frames, coefficients, channels) images.
public struct Conv2DSpec: DecodableLayerSpec {
    public static let typeName = "conv2d"
    public static let keys = ["filters", "kernel_size", "strides", "padding", "activation", "use_bias", "dilation_rate"]

    /// Output channels (required).
    public var filters: Int
    public var kernelSize: (Int, Int)
    public var strides: (Int, Int)
    public var padding: Padding
    public var activation: Activation
    /// Keras `use_bias` (true); printed only when false, so configs without it keep their hash.
    public var useBias = true
    /// Keras `dilation_rate` ([1, 1]); printed only when not [1, 1].
    public var dilationRate = (1, 1)

    public init(filters: Int, kernelSize: (Int, Int) = (3, 3), strides: (Int, Int) = (1, 1),
                padding: Padding = .valid, activation: Activation = .linear) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
    }

    static func decode(_ body: ConfigNode) throws -> Conv2DSpec {
        let m = try body.mapping(allowed: keys)
        guard let filters = m["filters"] else { throw body.error("needs `filters`") }
        var spec = Conv2DSpec(filters: try filters.int(min: 1, max: 65536))
        if let v = m["kernel_size"] { spec.kernelSize = try v.pair() }
        if let v = m["strides"] { spec.strides = try v.pair() }
        if let v = m["padding"] { spec.padding = try v.padding() }
        if let v = m["activation"] { spec.activation = try v.activation() }
        if let v = m["use_bias"] { spec.useBias = try v.bool() }
        if let v = m["dilation_rate"] { spec.dilationRate = try v.pair() }
        return spec
    }

    public var arguments: [(key: String, value: String)] {
        [("filters", "\(filters)"), ("kernel_size", LayerYAML.pair(kernelSize)), ("strides", LayerYAML.pair(strides)),
         ("padding", padding.rawValue), ("activation", activation.rawValue)] + LayerYAML.useBias(useBias)
            + (dilationRate == (1, 1) ? [] : [("dilation_rate", LayerYAML.pair(dilationRate))])
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        Conv2D(filters: filters, kernelSize: kernelSize, strides: strides, padding: padding, activation: activation,
               useBias: useBias, dilationRate: dilationRate)
    }

    public static func == (a: Conv2DSpec, b: Conv2DSpec) -> Bool {
        a.filters == b.filters && a.kernelSize == b.kernelSize && a.strides == b.strides
            && a.padding == b.padding && a.activation == b.activation && a.useBias == b.useBias
            && a.dilationRate == b.dilationRate
    }
}
