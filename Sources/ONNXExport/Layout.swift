import Layers
import ONNXProto
import Tensor

/// Moving images between Keras's channels-last layout and ONNX's channels-first one, and the
/// activations every layer ends with.
extension GraphBuilder {
    /// The value as (N, C, H, W) (a no-op when it already is). Only images (H, W, C) have two layouts.
    func channelsFirst(_ v: GraphValue, name: String) -> GraphValue {
        guard v.shape.count == 3, !v.channelsFirst else { return v }
        let t = op("Transpose", [v.name], name: name, [Attribute.ints("perm", [0, 3, 1, 2])])
        return GraphValue(name: t, shape: v.shape, channelsFirst: true)
    }

    /// The value in Keras's channels-last layout (N, H, W, C) (a no-op when it already is).
    func channelsLast(_ v: GraphValue, name: String) -> GraphValue {
        guard v.channelsFirst else { return v }
        let t = op("Transpose", [v.name], name: name, [Attribute.ints("perm", [0, 2, 3, 1])])
        return GraphValue(name: t, shape: v.shape, channelsFirst: false)
    }

    /// `activation` applied to `v`; softmax acts on the channels (axis 1 of a channels-first image,
    /// otherwise the last axis).
    func activate(_ v: GraphValue, _ activation: Activation, name: String) -> GraphValue {
        var out = v
        switch activation {
        case .linear: return v
        case .relu: out.name = op("Relu", [v.name], name: name)
        case .tanh: out.name = op("Tanh", [v.name], name: name)
        case .sigmoid: out.name = op("Sigmoid", [v.name], name: name)
        case .hardSigmoid:
            out.name = op("HardSigmoid", [v.name], name: name,
                          [Attribute.float("alpha", 0.2), Attribute.float("beta", 0.5)])
        case .elu: out.name = op("Elu", [v.name], name: name)          // alpha 1, ONNX's default
        case .selu: out.name = op("Selu", [v.name], name: name)        // ONNX's default alpha and gamma are SELU's
        case .softplus: out.name = op("Softplus", [v.name], name: name)
        case .softsign: out.name = op("Softsign", [v.name], name: name)
        case .leakyReLU:
            out.name = op("LeakyRelu", [v.name], name: name, [Attribute.float("alpha", Activation.leakyReLUSlope)])
        case .relu6:
            let bounds = [constant("\(name)/relu6_min", shape: [], values: [0]),
                          constant("\(name)/relu6_max", shape: [], values: [6])]
            out.name = op("Clip", [v.name] + bounds, name: name)
        case .softmax:
            out.name = op("Softmax", [v.name], name: name, [Attribute.int("axis", v.channelsFirst ? 1 : -1)])
        }
        return out
    }
}

/// ONNX pads (begin of every axis, then end of every axis) of a window over `input` with TensorFlow's
/// rules: none for `valid`; for `same` the total that makes out = ceil(in / stride), the odd one at the end.
func windowPads(input: [Int], kernel: [Int], strides: [Int], padding: Padding) -> [Int] {
    guard padding == .same else { return [Int](repeating: 0, count: 2 * input.count) }
    var begin: [Int] = [], end: [Int] = []
    for (n, (k, s)) in zip(input, zip(kernel, strides)) {
        let out = (n + s - 1) / s
        let total = max((out - 1) * s + k - n, 0)
        begin.append(total / 2)
        end.append(total - total / 2)
    }
    return begin + end
}

/// `values` of a row-major tensor of `shape` with its axes permuted: output axis i is input axis perm[i].
func permuted(_ values: [Float], shape: [Int], perm: [Int]) -> (values: [Float], shape: [Int]) {
    let outShape = perm.map { shape[$0] }
    var inStrides = [Int](repeating: 1, count: shape.count)
    for i in stride(from: shape.count - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    var out = [Float](repeating: 0, count: values.count)
    var index = [Int](repeating: 0, count: shape.count)   // position in the output
    for o in 0..<values.count {
        var source = 0
        for (axis, i) in index.enumerated() { source += i * inStrides[perm[axis]] }
        out[o] = values[source]
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < outShape[axis] { break }
            index[axis] = 0
            axis -= 1
        }
    }
    return (out, outShape)
}
