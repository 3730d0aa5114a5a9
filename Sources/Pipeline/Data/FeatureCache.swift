import Foundation
import Tensor

/// The feature cache pickles/<config>-<featureHash>.safetensors: raw (unscaled) features of the
/// training and validation windows with their labels and source rows, the scaling fitted to the
/// training windows (`min` and `max`, written for inspection: a reader refits it to `train/x`), and
/// metadata recording what they were made from. A cache whose key differs is rebuilt, never reused.
public enum FeatureCache {
    public static let format = "earmark-features"
    public static let formatVersion = "2"   // 2: the data checksum (`SafeTensors.File.seal`)

    /// Writes the cache atomically. Metadata: the key, the config and its hashes, and the size and
    /// modification time of every source file the windows came from (`sources`, JSON by fname).
    /// `scaling` is the one fitted to `train.x`.
    public static func write(train: WindowSet, validation: WindowSet, scaling: FeatureScaling, key: String,
                             config: ExperimentConfig, sources: [String: SourceStamp], to url: URL) throws {
        var file = SafeTensors.File()
        for (prefix, set) in [("train", train), ("validation", validation)] {
            file.tensors["\(prefix)/x"] = .init(set.x)
            file.tensors["\(prefix)/labels"] = .init(int32: set.labels)
            file.tensors["\(prefix)/files"] = .init(int32: set.files)
        }
        for (name, tensor) in scaling.tensors { file.tensors[name] = .init(tensor) }
        let encoder = JSONEncoder(); encoder.outputFormatting = [.sortedKeys]
        file.metadata = ["format": format, "format_version": formatVersion, "key": key,
                         "config": config.yaml(), "config_hash": config.configHash, "feature_hash": config.featureHash,
                         "sources": String(decoding: (try? encoder.encode(sources)) ?? Data("{}".utf8), as: UTF8.self)]
        file.seal()
        try createFolder(url.deletingLastPathComponent())
        try SafeTensors.write(file, to: url)
    }

    /// Reads the cache if it exists, was made with `key`, and is consistent with what the caller
    /// expects: windows of shape (inputShape), labels in 0..<classes, each window from one of the
    /// given table rows. - Throws: when missing, foreign, stale, damaged or inconsistent (the caller
    /// rebuilds it).
    public static func read(_ url: URL, key: String, inputShape: [Int], classes: Int,
                            trainRows: Set<Int>,
                            validationRows: Set<Int>) throws -> (train: WindowSet, validation: WindowSet) {
        let file = try SafeTensors.read(contentsOf: url)
        guard file.metadata["format"] == format, file.metadata["format_version"] == formatVersion,
              file.metadata["key"] == key else { throw SafeTensors.Error(url.path, "is stale or foreign") }
        try file.verifySeal(file: url.path)
        func set(_ prefix: String, rows: Set<Int>) throws -> WindowSet {
            let x = try file.tensor("\(prefix)/x", file: url.path)
            let labels = try file.integers("\(prefix)/labels", file: url.path).values
            let files = try file.integers("\(prefix)/files", file: url.path).values
            guard x.shape == [labels.count] + inputShape, labels.count == files.count else {
                throw SafeTensors.Error(url.path,
                                        "\(prefix) tensors have shapes \(x.shape), \(labels.count), \(files.count)")
            }
            guard labels.allSatisfy({ (0..<classes).contains($0) }), files.allSatisfy(rows.contains) else {
                throw SafeTensors.Error(url.path, "\(prefix) labels or files are out of range")
            }
            return WindowSet(x: x, labels: labels.map(Int32.init), files: files.map(Int32.init))
        }
        return (try set("train", rows: trainRows), try set("validation", rows: validationRows))
    }
}
