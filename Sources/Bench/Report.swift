import Durable
import Foundation

/// One measured figure: the median of its samples, with the fraction of the sgemm limit it reaches
/// when it is a model throughput.
struct Figure: Codable {
    /// Stable identifier shared with the peers' JSON (`cnn_train_windows_per_s`, ...).
    var key: String
    var label: String
    var unit: String
    /// Median of `samples`.
    var value: Double
    var samples: [Double]
    /// Whether a larger value is better (throughputs) or worse (memory, latency): `bench-check` uses it.
    var higherIsBetter: Bool
    /// Achieved FLOP rate over the sgemm limit of the same products, when it applies.
    var sgemmFraction: Double?

    init(key: String, label: String, unit: String, samples: [Double], higherIsBetter: Bool = true,
         sgemmFraction: Double? = nil) {
        self.key = key; self.label = label; self.unit = unit; self.samples = samples
        self.value = Timing.median(samples)
        self.higherIsBetter = higherIsBetter; self.sgemmFraction = sgemmFraction
    }
}

/// A product timed alone by `SgemmLimit`, for the JSON.
struct ProductRow: Codable {
    var model: String, label: String
    var m: Int, n: Int, k: Int, transA: Bool, transB: Bool, count: Int
    var gflops: Double
}

/// Everything one `bench` run measured, as written to the JSON file.
struct Report: Codable {
    var schema = 1
    var framework = "earmark"
    var machine: [String: String] = [:]
    var settings: [String: String] = [:]
    var figures: [Figure] = []
    /// FLOPs per window of the counted products: `cnn_train`, `cnn_infer`, `rnn_train`, `rnn_infer`.
    var flopsPerWindow: [String: Double] = [:]
    /// sgemm limits in GFLOP/s: `cnn_train`, `cnn_infer`, ... (the peers' fractions use them too).
    var sgemmLimitGflops: [String: Double] = [:]
    var products: [ProductRow] = []

    /// The figures as an aligned text table.
    func table() -> String {
        var lines: [String] = []
        let header = ["figure", "median", "unit", "of sgemm limit", "samples"]
        var rows = [header]
        for f in figures {
            rows.append([f.label, Report.format(f.value), f.unit,
                         f.sgemmFraction.map { String(format: "%.0f%%", 100 * $0) } ?? "",
                         f.samples.map(Report.format).joined(separator: " ")])
        }
        let widths = (0..<header.count).map { c in rows.map { $0[c].count }.max()! }
        for (i, row) in rows.enumerated() {
            lines.append(zip(row, widths).enumerated().map { c, cell in
                c == 0 || c == 2 || c == 4 ? cell.0.padding(toLength: cell.1, withPad: " ", startingAt: 0)
                                           : String(repeating: " ", count: cell.1 - cell.0.count) + cell.0
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
            if i == 0 { lines.append(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))) }
        }
        return lines.joined(separator: "\n")
    }

    /// Three significant digits for small values, whole numbers for large ones.
    static func format(_ v: Double) -> String {
        abs(v) >= 100 ? String(format: "%.0f", v) : String(format: "%.3g", v)
    }

    /// Writes the report as JSON to `path` (durably and atomically, through `AtomicFile`).
    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do { try AtomicFile.write(encoder.encode(self), to: URL(fileURLWithPath: path)) } catch {
            throw BenchError("cannot write \(path): \((error as? AtomicFile.Error)?.reason ?? "\(error)")")
        }
    }
}
