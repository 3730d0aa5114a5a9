import Foundation

/// `preprocess descriptors --out F.csv|F.npy`: the descriptor table of every usable clip of a data set.
/// CSV: a header `fname,label,<columns>` and one row per clip (values as Swift prints Float, which
/// reads back exactly); .npy: the raw values (N, F) as float32, rows in table order.
public enum DescriptorExport {
    /// The CSV text of `table` with each row's fname and label.
    public static func csv(_ table: DescriptorTable, audio: AudioTable) -> String {
        var lines = [AudioTable.csvRecord(["fname", "label"] + table.columns)]
        let width = table.columns.count
        for (i, r) in table.rows.enumerated() {
            let values = (0..<width).map { String(table.x.data[i * width + $0]) }
            lines.append(AudioTable.csvRecord([audio.rows[r].fname, audio.rows[r].label] + values))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `table` as CSV (`.csv`) or NPY (any other extension, normally `.npy`).
    public static func write(_ table: DescriptorTable, audio: AudioTable, to url: URL) throws {
        if url.pathExtension.lowercased() == "csv" {
            try writeAtomically(csv(table, audio: audio), to: url)
        } else {
            try NPY.write(table.x.data, shape: table.x.shape, to: url)
        }
    }

    /// Prepares (cleans, caches) the descriptors of `data` for `config` and writes them to `url`.
    /// - Returns: rows and columns written.
    public static func run(config: ExperimentConfig, data: DataFolder,
                           to url: URL) throws -> (rows: Int, columns: Int) {
        let prepared = try PreparedDescriptors.run(config: config, data: data)
        Diagnostics.report(prepared.warnings)
        try write(prepared.descriptors, audio: prepared.table, to: url)
        return (prepared.descriptors.rows.count, prepared.descriptors.columns.count)
    }
}
