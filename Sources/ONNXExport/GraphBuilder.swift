import Foundation
import ONNXProto
import Tensor

/// A tensor of the graph being built: its ONNX name and its Keras (channels-last) shape without the
/// batch. `channelsFirst` says that an image (H, W, C) is held as ONNX's (N, C, H, W) instead of
/// (N, H, W, C): convolutions and pools want it so, Flatten and Dense want it back.
struct GraphValue {
    var name: String
    var shape: [Int]
    var channelsFirst = false
}

/// Collects the nodes and initializers (weights) of one ONNX graph, with unique names.
///
/// Every helper appends one node and returns the name of its (first) output.
final class GraphBuilder {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var used: [String: Int] = [:]

    /// A name not used before, built from `base` (`conv2d/Conv`, `conv2d/Conv_1`, ...).
    func fresh(_ base: String) -> String {
        let n = used[base, default: 0]
        used[base] = n + 1
        return n == 0 ? base : "\(base)_\(n)"
    }

    /// Adds a float initializer of `shape` holding `values` (row-major) and returns its name.
    @discardableResult
    func constant(_ name: String, shape: [Int], values: [Float]) -> String {
        precondition(shape.reduce(1, *) == values.count, "constant \(name): \(values.count) values for \(shape)")
        var t = Onnx_TensorProto()
        t.name = fresh(name)
        t.dims = shape.map(Int64.init)
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        t.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }   // little-endian, as ONNX wants
        initializers.append(t)
        return t.name
    }

    /// Adds an int64 initializer (shapes, axes) and returns its name.
    @discardableResult
    func int64s(_ name: String, _ values: [Int]) -> String {
        var t = Onnx_TensorProto()
        t.name = fresh(name)
        t.dims = [Int64(values.count)]
        t.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        t.int64Data = values.map(Int64.init)
        initializers.append(t)
        return t.name
    }

    /// Adds a float initializer holding a Tensor's values in its own shape.
    func constant(_ name: String, _ tensor: Tensor) -> String {
        constant(name, shape: tensor.shape, values: tensor.data)
    }

    /// Appends a node `op` reading `inputs` ("" for an omitted optional input) and returns its first
    /// output; `outputs` names how many outputs it has ("" leaves an optional output unused).
    @discardableResult
    func node(_ op: String, _ inputs: [String], name: String, attributes: [Onnx_AttributeProto] = [],
              outputs: Int = 1) -> [String] {
        let nodeName = fresh("\(name)/\(op)")
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = nodeName
        n.input = inputs
        n.output = (0..<outputs).map { i in outputs == 1 ? nodeName : "\(nodeName):\(i)" }
        n.attribute = attributes
        nodes.append(n)
        return n.output
    }

    /// One-output form of `node`.
    func op(_ op: String, _ inputs: [String], name: String, _ attributes: [Onnx_AttributeProto] = []) -> String {
        node(op, inputs, name: name, attributes: attributes)[0]
    }
}

/// Builders of node attributes.
enum Attribute {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .int; a.i = Int64(value)
        return a
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .ints; a.ints = values.map(Int64.init)
        return a
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .float; a.f = value
        return a
    }

    static func floats(_ name: String, _ values: [Float]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .floats; a.floats = values
        return a
    }

    static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .string; a.s = Data(value.utf8)
        return a
    }

    static func strings(_ name: String, _ values: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name; a.type = .strings; a.strings = values.map { Data($0.utf8) }
        return a
    }
}
