import Foundation
import ONNXProto
import SwiftProtobuf

/// The bytes of an ONNX file: one protobuf message, which cannot exceed 2 GiB. ONNX's own way past
/// that (weights in external files) is not written, so a larger model is an error naming the file and
/// the size, where the protobuf library's error named neither (`missingRequiredFields`).
enum ONNXEncoding {
    /// The most a protobuf message may hold (2 GiB - 1).
    static let protobufLimit = Int(Int32.max)

    /// `proto` serialized for `url`.
    /// - Parameter limit: the most the weights may take (`protobufLimit`; tests pass less).
    /// - Throws: `ExportError` naming `url` when the weights alone exceed `limit` or the encoding fails.
    static func encoded(_ proto: Onnx_ModelProto, for url: URL, limit: Int = protobufLimit) throws -> Data {
        var weights = 0
        for t in proto.graph.initializer {
            weights += t.rawData.count + 4 * t.floatData.count + 8 * t.int64Data.count
        }
        guard weights <= limit else {
            let gib = String(format: "%.2f", Double(weights) / Double(1 << 30))
            throw ExportError("\(url.path): the model's weights take \(weights) bytes (\(gib) GiB), more than the "
                              + "2 GiB one ONNX file can hold (a protobuf limit); Earmark does not write ONNX's "
                              + "external-data form")
        }
        do { return try proto.serializedData() } catch {
            throw ExportError("\(url.path): the model cannot be encoded as ONNX (\(error))")
        }
    }
}
