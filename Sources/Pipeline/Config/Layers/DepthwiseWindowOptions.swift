import Layers

/// `kernel_size`, `strides`, `padding` and `depth_multiplier`: the keys `depthwise_conv2d` and
/// `separable_conv2d` share, with Keras's defaults, their ranges, decoding and printed form in one place.
extension DepthwiseWindow {
    /// The four keys, in printing order.
    static let keys = ["kernel_size", "strides", "padding", "depth_multiplier"]

    /// The window in a layer's argument mapping `m` (already checked for unknown keys), defaults for
    /// those left out; errors name the key through `ConfigNode`.
    init(_ m: [String: ConfigNode]) throws {
        self.init()
        if let v = m["kernel_size"] { kernelSize = try v.pair() }
        if let v = m["strides"] { strides = try v.pair() }
        if let v = m["padding"] { padding = try v.padding() }
        if let v = m["depth_multiplier"] { depthMultiplier = try v.int(min: 1, max: 1024) }
    }

    /// Every key with its value, in `keys` order.
    var arguments: [(key: String, value: String)] {
        [("kernel_size", LayerYAML.pair(kernelSize)), ("strides", LayerYAML.pair(strides)),
         ("padding", padding.rawValue), ("depth_multiplier", "\(depthMultiplier)")]
    }
}
