import Layers

/// `depthwise_conv2d`: Keras `DepthwiseConv2D` on (frames, coefficients, channels) images: each input
/// channel convolved with its own `depth_multiplier` filters.
public struct DepthwiseConv2DSpec: DecodableLayerSpec {
    public static let typeName = "depthwise_conv2d"
    public static let keys = DepthwiseWindow.keys + ["activation", "use_bias"]

    /// `kernel_size`, `strides`, `padding`, `depth_multiplier`.
    public var window: DepthwiseWindow
    public var activation: Activation
    /// Keras `use_bias` (true); printed only when false, so configs without it keep their hash.
    public var useBias = true

    public init(_ window: DepthwiseWindow = DepthwiseWindow(), activation: Activation = .linear) {
        self.window = window
        self.activation = activation
    }

    static func decode(_ body: ConfigNode) throws -> DepthwiseConv2DSpec {
        let m = try body.mapping(allowed: keys)
        var spec = DepthwiseConv2DSpec(try DepthwiseWindow(m), activation: try m["activation"]?.activation() ?? .linear)
        if let v = m["use_bias"] { spec.useBias = try v.bool() }
        return spec
    }

    public var arguments: [(key: String, value: String)] {
        window.arguments + [("activation", activation.rawValue)] + LayerYAML.useBias(useBias)
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        DepthwiseConv2D(window, activation: activation, useBias: useBias)
    }
}
