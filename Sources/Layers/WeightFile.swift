import Foundation
import Tensor

/// Model files: a `Sequential`'s weights in safetensors with Keras names and shapes
/// (`conv2d_1/kernel` (KH, KW, C, F), `lstm/recurrent_kernel` (U, 4U)), its layers' non-trainable
/// state under the same `layer/name` scheme (`batch_normalization/moving_mean`), a string metadata map
/// (config, classes, normalisation, ...) and, in checkpoints, the optimizer state under `optimizer/`.
/// A model file is data, never code. Files are written atomically.
public enum WeightFile {
    /// Value of the `format` metadata key of every Earmark model file.
    public static let format = "earmark-model"
    /// Version of the layout; a file with another version is refused with a clear message.
    public static let formatVersion = "1"

    /// The contents of a model file.
    public struct Contents {
        /// Weights by Keras name: parameters and non-trainable state.
        public var weights: [String: Tensor]
        /// Caller metadata (the format keys removed).
        public var metadata: [String: String]
        /// Optimizer slots by name (empty for a plain model file).
        public var optimizerState: [String: Tensor]
    }

    /// Writes the model's weights (parameters and state), `metadata` and an optional optimizer state
    /// to `url` atomically.
    public static func save(_ model: Sequential, metadata: [String: String] = [:],
                            optimizerState: [String: Tensor] = [:], to url: URL) throws {
        var file = SafeTensors.File()
        for (name, p) in model.namedParameters { file.tensors[name] = SafeTensors.Entry(p.value) }
        for (name, s) in model.namedState { file.tensors[name] = SafeTensors.Entry(s.value) }
        for (name, t) in optimizerState { file.tensors["optimizer/" + name] = SafeTensors.Entry(t) }
        file.metadata = metadata
        file.metadata["format"] = format
        file.metadata["format_version"] = formatVersion
        try SafeTensors.write(file, to: url)
    }

    /// Reads and validates a model file.
    /// - Throws: `SafeTensors.Error` naming the file for anything truncated, foreign or inconsistent.
    public static func read(_ url: URL) throws -> Contents {
        let file = try SafeTensors.read(contentsOf: url)
        guard file.metadata["format"] == format else {
            throw SafeTensors.Error(url.path, "is not an Earmark model file (no format=\(format) in its metadata)")
        }
        guard file.metadata["format_version"] == formatVersion else {
            let version = file.metadata["format_version"] ?? "none"
            throw SafeTensors.Error(url.path,
                                    "has model format version \(version), this Earmark reads \(formatVersion)")
        }
        var contents = Contents(weights: [:], metadata: file.metadata, optimizerState: [:])
        contents.metadata["format"] = nil
        contents.metadata["format_version"] = nil
        for name in file.tensors.keys {
            let t = try file.tensor(name, file: url.path)
            guard t.data.allSatisfy({ $0.isFinite }) else {
                throw SafeTensors.Error(url.path, "tensor '\(name)' holds NaN or infinite values")
            }
            if name.hasPrefix("optimizer/") {
                contents.optimizerState[String(name.dropFirst("optimizer/".count))] = t
            } else {
                contents.weights[name] = t
            }
        }
        return contents
    }

    /// Copies `weights` into the model's parameters and state, requiring exactly the model's names
    /// and shapes.
    /// - Throws: `SafeTensors.Error` naming `source`, the weight and both shapes on any mismatch.
    public static func assign(_ weights: [String: Tensor], to model: Sequential, source: String) throws {
        let named = model.namedParameters.map { (name: $0.name, kind: "weight", shape: $0.parameter.value.shape) }
            + model.namedState.map { (name: $0.name, kind: "non-trainable weight", shape: $0.state.value.shape) }
        for (name, kind, shape) in named {
            guard let w = weights[name] else {
                throw SafeTensors.Error(source, "has no \(kind) '\(name)' (the model needs \(named.count) weights; "
                                        + "is it for another architecture?)")
            }
            guard w.shape == shape else {
                throw SafeTensors.Error(source, "\(kind) '\(name)' has shape \(w.shape), the model needs \(shape)")
            }
        }
        let expected = Set(named.map(\.name))
        if let extra = weights.keys.sorted().first(where: { !expected.contains($0) }) {
            throw SafeTensors.Error(source,
                                    "has weight '\(extra)' that the model does not have (another architecture?)")
        }
        for (name, p) in model.namedParameters { p.value = weights[name]! }
        for (name, s) in model.namedState { s.value = weights[name]! }
    }
}
