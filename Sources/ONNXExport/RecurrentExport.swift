import Layers
import ONNXProto
import Tensor

// Legend: N batch, T steps, D inputs, U units, G gates (4 for LSTM, 3 for GRU), K directions (1 or 2).
// Keras kernel (D, G*U), recurrent_kernel (U, G*U), gate blocks in Keras order along the columns.
// ONNX W (K, G*U, D), R (K, G*U, U), B (K, 2*G*U) = [input bias | recurrent bias], blocks in ONNX order:
//   LSTM: Keras i, f, c, o -> ONNX i, o, f, c (Keras has one bias: ONNX's recurrent bias is zero)
//   GRU (reset_after): z, r, h in both; Keras bias (2, 3U) = [input bias ; recurrent bias];
//        linear_before_reset = 1 is Keras's reset_after (r multiplies h_{t-1} R_h + Rb_h).
// ONNX runs sequences time-major here: X (T, N, D), Y (T, K, N, U), Y_h (K, N, U).

/// LSTM, GRU and Bidirectional as ONNX's LSTM and GRU operators.
extension GraphBuilder {
    /// One direction's W, R and B rows, gate blocks reordered to ONNX's order.
    private func directionWeights(_ layer: any RecurrentLayer) -> (w: [Float], r: [Float], b: [Float]) {
        let (kernel, recurrent, bias) = (layer.parameters[0].value, layer.parameters[1].value,
                                         layer.parameters[2].value)
        let u = recurrent.shape[0]
        let order = layer is LSTM ? [0, 3, 1, 2] : [0, 1, 2]   // ONNX block j = Keras block order[j]
        /// (rows, G*U) -> (G*U, rows) with the gate blocks reordered.
        func gateMajor(_ t: Tensor) -> [Float] {
            let rows = t.shape[0], columns = t.shape[1]
            var out: [Float] = []
            out.reserveCapacity(t.count)
            for block in order {
                for j in 0..<u { for r in 0..<rows { out.append(t.data[r * columns + block * u + j]) } }
            }
            return out
        }
        func reorder(_ values: ArraySlice<Float>) -> [Float] {
            let base = values.startIndex
            return order.flatMap { block in values[(base + block * u)..<(base + (block + 1) * u)] }
        }
        let g = order.count * u
        let b: [Float] = layer is LSTM
            ? reorder(bias.data[...]) + [Float](repeating: 0, count: g)
            : reorder(bias.data[0..<g]) + reorder(bias.data[g..<(2 * g)])
        return (gateMajor(kernel), gateMajor(recurrent), b)
    }

    /// ONNX's name of an activation inside LSTM / GRU, with its alpha and beta when it takes them.
    /// `activation_alpha` / `activation_beta` list those of the activations that take them, in order
    /// (onnxruntime consumes the lists that way); they are written, since onnxruntime takes a missing
    /// Affine alpha as 0: `linear` exported without them made every recurrent output 0.
    /// HardSigmoid 0.2 x + 0.5, clipped, is Earmark's (and Keras's) `hard_sigmoid`; Affine 1 x + 0 is `linear`.
    private static func onnxActivation(_ a: Activation) -> (name: String, alphaBeta: (Float, Float)?) {
        switch a {
        case .sigmoid: ("Sigmoid", nil)
        case .tanh: ("Tanh", nil)
        case .relu: ("Relu", nil)
        case .hardSigmoid: ("HardSigmoid", (0.2, 0.5))
        case .linear: ("Affine", (1, 0))
        case .softmax, .elu, .selu, .softplus, .softsign, .leakyReLU, .relu6:
            preconditionFailure("recurrent layers accept only Activation.recurrentLayerCases, not \(a)")
        }
    }

    /// The ONNX LSTM or GRU node over x (N, T, D) for one layer (K = 1) or both layers of a
    /// Bidirectional (K = 2); returns Y (T, K, N, U) and Y_h (K, N, U).
    private func recurrent(_ layers: [any RecurrentLayer], name: String, _ x: GraphValue) -> (y: String, last: String) {
        let first = layers[0]
        let lstm = first is LSTM
        let (activation, recurrentActivation): (Activation, Activation) = lstm
            ? ((first as! LSTM).activation, (first as! LSTM).recurrentActivation)
            : ((first as! GRU).activation, (first as! GRU).recurrentActivation)
        let u = first.parameters[1].value.shape[0], d = x.shape[1], gates = lstm ? 4 : 3
        let parts = layers.map(directionWeights)
        let k = layers.count
        let w = constant("\(name)/W", shape: [k, gates * u, d], values: parts.flatMap(\.w))
        let r = constant("\(name)/R", shape: [k, gates * u, u], values: parts.flatMap(\.r))
        let b = constant("\(name)/B", shape: [k, 2 * gates * u], values: parts.flatMap(\.b))
        let timeMajor = op("Transpose", [x.name], name: name, [Attribute.ints("perm", [1, 0, 2])])
        // Activations per direction: f (gates), g (candidate), and for the LSTM h (cell output).
        let perDirection = lstm ? [recurrentActivation, activation, activation] : [recurrentActivation, activation]
        let functions = (0..<k).flatMap { _ in perDirection.map(Self.onnxActivation) }
        var attributes = [Attribute.int("hidden_size", u),
                          Attribute.string("direction", k == 2 ? "bidirectional" : "forward"),
                          Attribute.strings("activations", functions.map(\.name))]
        let parameters = functions.compactMap(\.alphaBeta)
        if !parameters.isEmpty {
            attributes += [Attribute.floats("activation_alpha", parameters.map(\.0)),
                           Attribute.floats("activation_beta", parameters.map(\.1))]
        }
        if !lstm { attributes.append(Attribute.int("linear_before_reset", 1)) }
        let outputs = node(lstm ? "LSTM" : "GRU", [timeMajor, w, r, b], name: name, attributes: attributes,
                           outputs: 2)
        return (outputs[0], outputs[1])
    }

    /// A single LSTM or GRU: (N, T, U) from Y, or (N, U) from Y_h.
    func recurrentLayer(_ layer: any RecurrentLayer, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let (y, last) = recurrent([layer], name: layer.name, x)
        if outputShape.count == 2 {
            let squeezed = op("Squeeze", [y, int64s("\(layer.name)/axes", [1])], name: layer.name)
            let batchMajor = op("Transpose", [squeezed], name: layer.name, [Attribute.ints("perm", [1, 0, 2])])
            return GraphValue(name: batchMajor, shape: outputShape)
        }
        return GraphValue(name: op("Squeeze", [last, int64s("\(layer.name)/axes", [0])], name: layer.name),
                          shape: outputShape)
    }

    /// Both directions in one node; the halves are merged on a (N, [T,] 2, U) view: concat is a reshape
    /// (forward first), sum / ave / mul reduce the direction axis.
    func bidirectional(_ layer: Bidirectional, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let name = layer.name
        let (y, last) = recurrent([layer.forwardLayer, layer.backwardLayer], name: name, x)
        let sequences = outputShape.count == 2
        let halves = sequences
            ? op("Transpose", [y], name: name, [Attribute.ints("perm", [2, 0, 1, 3])])   // (N, T, 2, U)
            : op("Transpose", [last], name: name, [Attribute.ints("perm", [1, 0, 2])])   // (N, 2, U)
        let merged: String
        switch layer.mergeMode {
        case .concat:
            merged = op("Reshape", [halves, int64s("\(name)/shape", sequences ? [0, 0, -1] : [0, -1])], name: name)
        case .sum, .ave, .mul:
            let reduce = ["sum": "ReduceSum", "ave": "ReduceMean", "mul": "ReduceProd"][layer.mergeMode.rawValue]!
            let axes = [sequences ? 2 : 1]
            merged = reduce == "ReduceSum"
                ? op(reduce, [halves, int64s("\(name)/axes", axes)], name: name, [Attribute.int("keepdims", 0)])
                : op(reduce, [halves], name: name, [Attribute.ints("axes", axes), Attribute.int("keepdims", 0)])
        }
        return GraphValue(name: merged, shape: outputShape)
    }
}
