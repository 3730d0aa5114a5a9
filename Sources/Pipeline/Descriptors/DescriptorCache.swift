import Foundation
import Tensor

/// The descriptor cache pickles/<config>-<descriptorHash>.safetensors: the raw descriptor rows of
/// every usable clip, their table rows and column names, and metadata recording what they were made
/// from. As with `FeatureCache`, a cache whose key differs (feature settings, a file's row, name,
/// size or time) is rebuilt, never reused; a damaged one is rebuilt too.
public enum DescriptorCache {
    public static let format = "earmark-descriptors"
    public static let formatVersion = "2"   // 2: the data checksum (`SafeTensors.File.seal`)

    /// Writes the cache atomically: `x` F32 (N, F), `rows` I32 (N); metadata format, key, config,
    /// feature hash and the column names (JSON array).
    public static func write(_ table: DescriptorTable, key: String, config: ExperimentConfig, to url: URL) throws {
        var file = SafeTensors.File()
        file.tensors["x"] = .init(table.x)
        file.tensors["rows"] = .init(int32: table.rows.map(Int32.init))
        file.metadata = ["format": format, "format_version": formatVersion, "key": key, "config": config.yaml(),
                         "feature_hash": config.featureHash, "columns": TrainedModel.json(table.columns)]
        file.seal()
        try createFolder(url.deletingLastPathComponent())
        try SafeTensors.write(file, to: url)
    }

    /// Reads the cache when it was made with `key` and holds exactly `rows` with `columns`.
    /// - Throws: when missing, foreign, stale, damaged or inconsistent (the caller rebuilds it).
    public static func read(_ url: URL, key: String, rows: [Int], columns: [String]) throws -> DescriptorTable {
        let file = try SafeTensors.read(contentsOf: url)
        guard file.metadata["format"] == format, file.metadata["format_version"] == formatVersion,
              file.metadata["key"] == key, file.metadata["columns"] == TrainedModel.json(columns) else {
            throw SafeTensors.Error(url.path, "is stale or foreign")
        }
        try file.verifySeal(file: url.path)
        let x = try file.tensor("x", file: url.path)
        let stored = try file.integers("rows", file: url.path).values
        guard x.shape == [rows.count, columns.count], stored == rows, x.data.allSatisfy(\.isFinite) else {
            throw SafeTensors.Error(url.path,
                                    "holds \(x.shape) values for \(stored.count) rows, expected \(rows.count)")
        }
        return DescriptorTable(columns: columns, rows: rows, x: x)
    }

    /// The cache file of `config` in `data`: the hash covers the feature settings and the columns, so
    /// it never collides with the window cache of the same config name.
    public static func url(config: ExperimentConfig, data: DataFolder) -> URL {
        let hash = fnv1a64("descriptors \(formatVersion)|" + config.featureHash + "|"
                           + DescriptorTable.columns(for: config.features).joined(separator: ","))
        return data.pickles.appendingPathComponent("\(config.name)-\(hash).safetensors")
    }

    /// What the rows depend on: the feature settings (cleaning included) and every row's index,
    /// fname and cleaned audio (`CleanFingerprint` of `clips[r]`, the cleaned samples of every table row).
    static func key(config: ExperimentConfig, table: AudioTable, clips: [[Float]], rows: [Int]) -> String {
        var text = "descriptors|" + config.featureHash
        for r in rows {
            text += "|\(r)\u{1}\(table.rows[r].fname)\u{1}" + CleanFingerprint.of(clips[r])
        }
        return fnv1a64(text)
    }
}
