import Durable
import Foundation
import Layers
import ONNXProto
import Pipeline
import SwiftProtobuf
import Tensor

/// A trained network as an ONNX model (opset 17) that takes raw feature windows and returns the
/// class probabilities:
///
///     features (N, inputShape...) raw, as Earmark's feature step computes them
///       -> feature scaling (FeatureScaling as Sub/Mul or Sub/Div) -> every layer (LayerExport)
///       -> probabilities (N, classes)
///
/// metadata_props carry the class names (`classes`, JSON, output k is classes[k]), the config
/// (`config`, YAML: feature kind, rate, window), `input_shape` and the scaling (`feature_min` /
/// `feature_max`, or `feature_scaling: standard` with `feature_mean` / `feature_std`), as in the model file.
public enum ONNXModelExport {
    /// The ONNX operator set the graph uses.
    public static let opset: Int64 = 17

    /// The ONNX model of `model`.
    /// - Throws: `ExportError` for a layer without an ONNX form.
    public static func model(_ model: TrainedModel) throws -> Onnx_ModelProto {
        let network = model.network
        let graph = GraphBuilder()
        var x = GraphValue(name: "features", shape: network.inputShape)
        x = try graph.scaling(model.scaling, x)
        for (layer, shape) in zip(network.layers, network.layerOutputShapes) {
            x = try graph.emit(layer, x, outputShape: shape)
        }
        x = graph.channelsLast(x, name: "output")
        var proto = Onnx_GraphProto()
        proto.name = model.config.name
        proto.node = graph.nodes
        proto.initializer = graph.initializers
        proto.input = [valueInfo("features", shape: network.inputShape)]
        // The last node's output is renamed `probabilities` (nothing else reads it).
        proto.node[proto.node.count - 1].output[0] = "probabilities"
        proto.output = [valueInfo("probabilities", shape: network.outputShape)]
        precondition(proto.node.last?.output.count == 1 && graph.nodes.last?.output[0] == x.name,
                     "ONNX export: the graph must end in the softmax")

        return modelProto(graph: proto, opsets: [("", Self.opset)], metadata: metadata(model),
                          doc: "Earmark model '\(model.config.name)': raw feature windows in, "
                              + "class probabilities out.")
    }

    /// A model of `graph` as Earmark writes every ONNX file: IR version 8 (that of opset 17, ONNX 1.12),
    /// producer earmark and its version, the given operator sets (domain, version) and metadata_props
    /// sorted by key.
    static func modelProto(graph: Onnx_GraphProto, opsets: [(domain: String, version: Int64)],
                           metadata: [String: String], doc: String) -> Onnx_ModelProto {
        var m = Onnx_ModelProto()
        m.irVersion = 8
        m.producerName = "earmark"
        m.producerVersion = EarmarkVersion.number
        m.graph = graph
        m.opsetImport = opsets.map { domain, version in
            var set = Onnx_OperatorSetIdProto()
            set.domain = domain
            set.version = version
            return set
        }
        m.docString = doc
        m.metadataProps = metadata.sorted { $0.key < $1.key }.map { key, value in
            var p = Onnx_StringStringEntryProto()
            p.key = key; p.value = value
            return p
        }
        return m
    }

    /// The metadata_props entries.
    static func metadata(_ model: TrainedModel) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ v: T) -> String {
            String(decoding: (try? encoder.encode(v)) ?? Data(), as: UTF8.self)
        }
        return ["classes": json(model.classes),
                "config": model.config.yaml(),
                "input_shape": json(model.network.inputShape),
                "feature_kind": model.config.features.kind.rawValue,
                "feature_rate": String(model.config.features.rate),
                "input": model.config.model.input.rawValue,
                "producer": "earmark \(EarmarkVersion.number)"].merging(model.scaling.metadata) { a, _ in a }
    }

    /// A float tensor input or output with a symbolic batch dimension `N`.
    static func valueInfo(_ name: String, shape: [Int]) -> Onnx_ValueInfoProto {
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "N"
        let dims = [batch] + shape.map { size -> Onnx_TensorShapeProto.Dimension in
            var d = Onnx_TensorShapeProto.Dimension()
            d.dimValue = Int64(size)
            return d
        }
        var tensorShape = Onnx_TensorShapeProto()
        tensorShape.dim = dims
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.shape = tensorShape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }

    /// Writes the ONNX model of `model` to `url` atomically (temporary file, fsync, rename).
    public static func write(_ model: TrainedModel, to url: URL) throws {
        let data = try ONNXEncoding.encoded(try self.model(model), for: url)
        try AtomicFile.write(data, to: url)
    }
}
