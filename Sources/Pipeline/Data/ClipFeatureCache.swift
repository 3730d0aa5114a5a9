import Foundation
import Tensor

/// The feature cache of `input: clip` configs, pickles/<config>-<featureHash>.safetensors like
/// `FeatureCache`: the raw whole-clip features of the training and validation clips
/// (`<split>/x` (T, C), `<split>/offsets`, `<split>/labels`, `<split>/files`) and the cache key.
/// A cache whose key differs, or whose contents do not fit, is rebuilt, never reused.
public enum ClipFeatureCache {
    public static let format = "earmark-clip-features"
    public static let formatVersion = "2"   // 2: the data checksum (`SafeTensors.File.seal`)

    /// Writes the cache atomically (metadata: format, key, the config and its hashes).
    public static func write(train: ClipFeatures, validation: ClipFeatures, key: String,
                             config: ExperimentConfig, to url: URL) throws {
        var file = SafeTensors.File()
        for (prefix, set) in [("train", train), ("validation", validation)] {
            file.tensors["\(prefix)/x"] = .init(set.x)
            file.tensors["\(prefix)/offsets"] = .init(int32: set.offsets.map(Int32.init))
            file.tensors["\(prefix)/labels"] = .init(int32: set.labels)
            file.tensors["\(prefix)/files"] = .init(int32: set.files)
        }
        file.metadata = ["format": format, "format_version": formatVersion, "key": key, "config": config.yaml(),
                         "config_hash": config.configHash, "feature_hash": config.featureHash]
        file.seal()
        try createFolder(url.deletingLastPathComponent())
        try SafeTensors.write(file, to: url)
    }

    /// Reads the cache when it was made with `key` and fits: C coefficients, every clip at least
    /// `cropFrames` frames, labels in 0..<classes, files among the given rows.
    /// - Throws: when missing, foreign, stale, damaged or inconsistent (the caller rebuilds it).
    public static func read(_ url: URL, key: String, coefficients: Int, cropFrames: Int, classes: Int,
                            trainRows: Set<Int>, validationRows: Set<Int>) throws
        -> (train: ClipFeatures, validation: ClipFeatures) {
        let file = try SafeTensors.read(contentsOf: url)
        guard file.metadata["format"] == format, file.metadata["format_version"] == formatVersion,
              file.metadata["key"] == key else { throw SafeTensors.Error(url.path, "is stale or foreign") }
        try file.verifySeal(file: url.path)
        func set(_ prefix: String, rows: Set<Int>) throws -> ClipFeatures {
            let x = try file.tensor("\(prefix)/x", file: url.path)
            let offsets = try file.integers("\(prefix)/offsets", file: url.path).values
            let labels = try file.integers("\(prefix)/labels", file: url.path).values
            let files = try file.integers("\(prefix)/files", file: url.path).values
            let frames = zip(offsets.dropFirst(), offsets).map { $0 - $1 }
            guard x.shape.count == 2, x.shape[1] == coefficients, offsets.first == 0, offsets.last == x.shape[0],
                  offsets.count == labels.count + 1, labels.count == files.count,
                  frames.allSatisfy({ $0 >= cropFrames }) else {
                throw SafeTensors.Error(url.path,
                                        "\(prefix) tensors do not fit (x \(x.shape), \(offsets.count) offsets)")
            }
            guard labels.allSatisfy({ (0..<classes).contains($0) }), files.allSatisfy(rows.contains) else {
                throw SafeTensors.Error(url.path, "\(prefix) labels or files are out of range")
            }
            return ClipFeatures(x: x, offsets: offsets, labels: labels.map(Int32.init), files: files.map(Int32.init))
        }
        return (try set("train", rows: trainRows), try set("validation", rows: validationRows))
    }
}
