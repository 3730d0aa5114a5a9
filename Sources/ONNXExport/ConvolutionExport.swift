import Layers
import ONNXProto
import Tensor

/// Convolutions and pools: ONNX runs them channels first, so images are moved to (N, C, H, W)
/// before them (and stay so until a layer needs channels last again).
///
///     Conv2D kernel (KH, KW, C, F) -> ONNX W (F, C, KH, KW);   Conv1D kernel (K, C, F) -> W (F, C, K)
///     DepthwiseConv2D kernel (KH, KW, C, M) -> W (C*M, 1, KH, KW), `group` C (output channel c*M + m in group c)
///     SeparableConv2D: that grouped Conv without bias, then a 1 x 1 Conv, pointwise (1, 1, C*M, F) -> W (F, C*M, 1, 1)
extension GraphBuilder {
    func conv2D(_ layer: Conv2D, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let v = channelsFirst(x, name: layer.name)
        let k = layer.kernelSize, s = layer.strides
        let w = permuted(layer.kernel.value.data, shape: layer.kernel.value.shape, perm: [3, 2, 0, 1])
        let weights = constant("\(layer.name)/kernel", shape: w.shape, values: w.values)
        let bias = constant("\(layer.name)/bias", layer.bias.value)
        let d = layer.dilationRate
        let pads = windowPads(input: [x.shape[0], x.shape[1]], kernel: [(k.0 - 1) * d.0 + 1, (k.1 - 1) * d.1 + 1],
                              strides: [s.0, s.1], padding: layer.padding)
        let y = op("Conv", [v.name, weights, bias], name: layer.name,
                   [Attribute.ints("kernel_shape", [k.0, k.1]), Attribute.ints("strides", [s.0, s.1]),
                    Attribute.ints("pads", pads), Attribute.ints("dilations", [d.0, d.1])])
        return activate(GraphValue(name: y, shape: outputShape, channelsFirst: true), layer.activation,
                        name: layer.name)
    }

    func depthwiseConv2D(_ layer: DepthwiseConv2D, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let y = depthwiseConv(layer, name: layer.name, x)
        return activate(GraphValue(name: y, shape: outputShape, channelsFirst: true), layer.activation, name: layer.name)
    }

    func separableConv2D(_ layer: SeparableConv2D, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let d = depthwiseConv(layer.depthwise, name: layer.name, x)
        let w = permuted(layer.pointwiseKernel.value.data, shape: layer.pointwiseKernel.value.shape, perm: [3, 2, 0, 1])
        let weights = constant("\(layer.name)/pointwise_kernel", shape: w.shape, values: w.values)
        let bias = constant("\(layer.name)/bias", layer.bias.value)
        let y = op("Conv", [d, weights, bias], name: layer.name, [Attribute.ints("kernel_shape", [1, 1])])
        return activate(GraphValue(name: y, shape: outputShape, channelsFirst: true), layer.activation, name: layer.name)
    }

    /// A depthwise convolution (without its activation) as ONNX's grouped Conv, one group per input
    /// channel; channels first.
    private func depthwiseConv(_ layer: DepthwiseConv2D, name: String, _ x: GraphValue) -> String {
        let v = channelsFirst(x, name: name)
        let kernel = layer.kernel.value, k = layer.window.kernelSize, s = layer.window.strides
        let (c, m) = (kernel.shape[2], kernel.shape[3])
        let w = permuted(kernel.data, shape: [k.0, k.1, c * m], perm: [2, 0, 1])
        var inputs = [v.name, constant("\(name)/\(layer.kernel.name)", shape: [c * m, 1, k.0, k.1], values: w.values)]
        if layer.useBias { inputs.append(constant("\(name)/bias", layer.bias.value)) }
        let pads = windowPads(input: [x.shape[0], x.shape[1]], kernel: [k.0, k.1], strides: [s.0, s.1],
                              padding: layer.window.padding)
        return op("Conv", inputs, name: name,
                  [Attribute.ints("kernel_shape", [k.0, k.1]), Attribute.ints("strides", [s.0, s.1]),
                   Attribute.ints("pads", pads), Attribute.int("group", c)])
    }

    /// (N, T, C) -> (N, C, T) -> Conv -> (N, F, OT) -> (N, OT, F).
    func conv1D(_ layer: Conv1D, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let t = op("Transpose", [x.name], name: layer.name, [Attribute.ints("perm", [0, 2, 1])])
        let w = permuted(layer.kernel.value.data, shape: layer.kernel.value.shape, perm: [2, 1, 0])
        let weights = constant("\(layer.name)/kernel", shape: w.shape, values: w.values)
        let bias = constant("\(layer.name)/bias", layer.bias.value)
        let extent = (layer.kernelSize - 1) * layer.dilationRate + 1
        let pads = layer.padding == .causal ? [extent - 1, 0]
            : windowPads(input: [x.shape[0]], kernel: [extent], strides: [layer.strides],
                         padding: layer.padding == .same ? .same : .valid)
        let y = op("Conv", [t, weights, bias], name: layer.name,
                   [Attribute.ints("kernel_shape", [layer.kernelSize]), Attribute.ints("strides", [layer.strides]),
                    Attribute.ints("pads", pads), Attribute.ints("dilations", [layer.dilationRate])])
        let back = op("Transpose", [y], name: layer.name, [Attribute.ints("perm", [0, 2, 1])])
        return activate(GraphValue(name: back, shape: outputShape), layer.activation, name: layer.name)
    }

    /// MaxPool (padding never wins) or AveragePool (padding not counted: TensorFlow's clipped windows).
    func pool(_ kind: String, name: String, size: (Int, Int), strides: (Int, Int), padding: Padding,
              _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let v = channelsFirst(x, name: name)
        let pads = windowPads(input: [x.shape[0], x.shape[1]], kernel: [size.0, size.1],
                              strides: [strides.0, strides.1], padding: padding)
        var attributes = [Attribute.ints("kernel_shape", [size.0, size.1]),
                          Attribute.ints("strides", [strides.0, strides.1]), Attribute.ints("pads", pads)]
        if kind == "AveragePool" { attributes.append(Attribute.int("count_include_pad", 0)) }
        let y = op(kind, [v.name], name: name, attributes)
        return GraphValue(name: y, shape: outputShape, channelsFirst: true)
    }

    /// A 1-D pool: (N, T, C) -> (N, C, T) -> MaxPool / AveragePool -> (N, C, OT) -> (N, OT, C); the global
    /// ones GlobalMaxPool / GlobalAveragePool -> (N, C, 1), then Flatten -> (N, C).
    func pool1D(_ layer: Pooling1D, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let t = op("Transpose", [x.name], name: layer.name, [Attribute.ints("perm", [0, 2, 1])])
        let kind: String
        switch layer.mode {
        case .max: kind = "MaxPool"
        case .average: kind = "AveragePool"
        case .globalMax: kind = "GlobalMaxPool"
        case .globalAverage: kind = "GlobalAveragePool"
        }
        guard let w = layer.window else {
            let y = op(kind, [t], name: layer.name)
            let flat = op("Flatten", [y], name: layer.name, [Attribute.int("axis", 1)])
            return GraphValue(name: flat, shape: outputShape)
        }
        let pads = windowPads(input: [x.shape[0]], kernel: [w.poolSize], strides: [w.strides], padding: w.padding)
        var attributes = [Attribute.ints("kernel_shape", [w.poolSize]), Attribute.ints("strides", [w.strides]),
                          Attribute.ints("pads", pads)]
        if kind == "AveragePool" { attributes.append(Attribute.int("count_include_pad", 0)) }
        let y = op(kind, [t], name: layer.name, attributes)
        let back = op("Transpose", [y], name: layer.name, [Attribute.ints("perm", [0, 2, 1])])
        return GraphValue(name: back, shape: outputShape)
    }

    /// GlobalAveragePool / GlobalMaxPool (N, C, H, W) -> (N, C, 1, 1), then Flatten -> (N, C).
    func globalPool(_ kind: String, name: String, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let v = channelsFirst(x, name: name)
        let y = op(kind, [v.name], name: name)
        let flat = op("Flatten", [y], name: name, [Attribute.int("axis", 1)])
        return GraphValue(name: flat, shape: outputShape)
    }
}
