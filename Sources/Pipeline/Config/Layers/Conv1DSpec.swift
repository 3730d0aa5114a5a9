import Layers
import Tensor

/// `conv1d`: Keras `Conv1D` on (frames, features) sequences (`model.input: sequence`), the features
/// being its channels; `padding` `valid`, `same` or `causal`; `dilation_rate` for dilated (causal) stacks.
public struct Conv1DSpec: DecodableLayerSpec {
    public static let typeName = "conv1d"
    public static let keys = ["filters", "kernel_size", "strides", "padding", "activation", "use_bias", "dilation_rate"]

    /// Output channels (required).
    public var filters: Int
    /// Frames under the kernel.
    public var kernelSize: Int
    public var strides: Int
    public var padding: SequencePadding
    public var activation: Activation
    /// Keras `use_bias` (true); printed only when false, so configs without it keep their hash.
    public var useBias = true
    /// Keras `dilation_rate` (1); printed only when not 1.
    public var dilationRate = 1

    public init(filters: Int, kernelSize: Int = 3, strides: Int = 1, padding: SequencePadding = .valid,
                activation: Activation = .linear) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
    }

    static func decode(_ body: ConfigNode) throws -> Conv1DSpec {
        let m = try body.mapping(allowed: keys)
        guard let filters = m["filters"] else { throw body.error("needs `filters`") }
        var spec = Conv1DSpec(filters: try filters.int(min: 1, max: 65536))
        if let v = m["kernel_size"] { spec.kernelSize = try v.int(min: 1, max: 65536) }
        if let v = m["strides"] { spec.strides = try v.int(min: 1, max: 65536) }
        if let v = m["padding"] { spec.padding = try v.choice(SequencePadding.self, among: SequencePadding.allCases) }
        if let v = m["activation"] { spec.activation = try v.activation() }
        if let v = m["use_bias"] { spec.useBias = try v.bool() }
        if let v = m["dilation_rate"] { spec.dilationRate = try v.int(min: 1, max: 65536) }
        return spec
    }

    public var arguments: [(key: String, value: String)] {
        [("filters", "\(filters)"), ("kernel_size", "\(kernelSize)"), ("strides", "\(strides)"),
         ("padding", padding.rawValue), ("activation", activation.rawValue)] + LayerYAML.useBias(useBias)
            + (dilationRate == 1 ? [] : [("dilation_rate", "\(dilationRate)")])
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        Conv1D(filters: filters, kernelSize: kernelSize, strides: strides, padding: padding, activation: activation,
               useBias: useBias, dilationRate: dilationRate)
    }
}
