import Layers

/// `separable_conv2d`: Keras `SeparableConv2D` on (frames, coefficients, channels) images: a depthwise
/// convolution (`depth_multiplier` filters per input channel), then a 1 x 1 convolution into `filters`.
public struct SeparableConv2DSpec: DecodableLayerSpec {
    public static let typeName = "separable_conv2d"
    public static let keys = ["filters"] + DepthwiseWindow.keys + ["activation", "use_bias"]

    /// Output channels (required).
    public var filters: Int
    /// `kernel_size`, `strides`, `padding`, `depth_multiplier` of the depthwise half.
    public var window: DepthwiseWindow
    public var activation: Activation
    /// Keras `use_bias` (true); printed only when false, so configs without it keep their hash.
    public var useBias = true

    public init(filters: Int, _ window: DepthwiseWindow = DepthwiseWindow(), activation: Activation = .linear) {
        self.filters = filters
        self.window = window
        self.activation = activation
    }

    static func decode(_ body: ConfigNode) throws -> SeparableConv2DSpec {
        let m = try body.mapping(allowed: keys)
        guard let filters = m["filters"] else { throw body.error("needs `filters`") }
        var spec = SeparableConv2DSpec(filters: try filters.int(min: 1, max: 65536), try DepthwiseWindow(m),
                                       activation: try m["activation"]?.activation() ?? .linear)
        if let v = m["use_bias"] { spec.useBias = try v.bool() }
        return spec
    }

    public var arguments: [(key: String, value: String)] {
        [("filters", "\(filters)")] + window.arguments + [("activation", activation.rawValue)] + LayerYAML.useBias(useBias)
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        SeparableConv2D(filters: filters, window, activation: activation, useBias: useBias)
    }
}
