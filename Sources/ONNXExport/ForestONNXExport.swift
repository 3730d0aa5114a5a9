import Durable
import Foundation
import ONNXProto
import Pipeline
import SwiftProtobuf

/// A random-forest model file (`Pipeline.ForestModel`) as an ONNX-ML model: one TreeEnsembleClassifier
/// (domain ai.onnx.ml, version 3) over the raw per-clip descriptor rows; forests use no feature scaling.
///
///     descriptors (N, F) float, the columns of DescriptorTable.columns(for: config.features)
///       -> TreeEnsembleClassifier (TreeEnsembleExport) -> label (N) string, probabilities (N, K) float
///
/// metadata_props: `classes` (JSON, output k is classes[k]), `columns` (JSON, the F column names),
/// `config` (YAML), `input` (`descriptors`), `feature_rate`, `producer`.
public enum ForestONNXExport {
    /// The ai.onnx.ml operator set version of TreeEnsembleClassifier used.
    public static let mlOpset: Int64 = 3

    /// The ONNX model of `model`.
    public static func model(_ model: ForestModel) -> Onnx_ModelProto {
        let columns = DescriptorTable.columns(for: model.config.features)
        precondition(columns.count == model.forest.featureCount, "forest columns checked by ForestModel.decode")
        var node = Onnx_NodeProto()
        node.opType = "TreeEnsembleClassifier"
        node.domain = "ai.onnx.ml"
        node.name = "forest/TreeEnsembleClassifier"
        node.input = ["descriptors"]
        node.output = ["label", "probabilities"]
        node.attribute = TreeEnsembleExport.attributes(model.forest, classes: model.classes)

        var graph = Onnx_GraphProto()
        graph.name = model.config.name
        graph.node = [node]
        graph.input = [ONNXModelExport.valueInfo("descriptors", shape: [columns.count])]
        graph.output = [labelInfo(), ONNXModelExport.valueInfo("probabilities", shape: [model.classes.count])]

        return ONNXModelExport.modelProto(
            graph: graph, opsets: [("", ONNXModelExport.opset), ("ai.onnx.ml", mlOpset)],
            metadata: metadata(model, columns: columns),
            doc: "Earmark random forest '\(model.config.name)': raw per-clip descriptor rows in, "
                + "label and class probabilities out.")
    }

    /// The metadata_props entries.
    static func metadata(_ model: ForestModel, columns: [String]) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ v: T) -> String {
            String(decoding: (try? encoder.encode(v)) ?? Data(), as: UTF8.self)
        }
        return ["classes": json(model.classes), "columns": json(columns), "config": model.config.yaml(),
                "input": "descriptors", "feature_rate": String(model.config.features.rate),
                "producer": "earmark \(EarmarkVersion.number)"]
    }

    /// The `label` output: a string tensor (N).
    static func labelInfo() -> Onnx_ValueInfoProto {
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "N"
        var shape = Onnx_TensorShapeProto()
        shape.dim = [batch]
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.string.rawValue)
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = "label"
        info.type = type
        return info
    }

    /// Writes the ONNX model of `model` to `url` atomically (temporary file, fsync, rename).
    public static func write(_ model: ForestModel, to url: URL) throws {
        let data = try ONNXEncoding.encoded(self.model(model), for: url)
        try AtomicFile.write(data, to: url)
    }
}
