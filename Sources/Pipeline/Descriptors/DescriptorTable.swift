import Audio
import Foundation
import Tensor

/// The per-clip descriptor table (`descriptors` features): one row per cleaned clip, the named
/// columns of each of the config's descriptor sets in turn: `spectral` is Audio's
/// `ClipDescriptors.columnNames` (MFCC means and standard deviations with the config's MFCC settings,
/// then librosa's six spectral descriptors' means and standard deviations), `condition` is Audio's
/// `ConditionDescriptors.columnNames` (impulsiveness and modulation per band, shaft orders, spectral kurtosis),
/// `envelope_lines` is Audio's `EnvelopeLines.columnNames` (a 50 x 200 map of envelope-line prominences).
///
/// Legend: N clips (rows), F columns: 2 numcep + 12 for `spectral` (38 for numcep 13), 24 for `condition`,
/// 10,000 for `envelope_lines`.
public struct DescriptorTable: Sendable, Equatable {
    /// Column names, F.
    public var columns: [String]
    /// Table row (audio.csv row index) of each descriptor row, N, ascending.
    public var rows: [Int]
    /// Raw descriptor values (N, F).
    public var x: Tensor

    public init(columns: [String], rows: [Int], x: Tensor) {
        precondition(x.shape == [rows.count, columns.count], "descriptor table \(x.shape) for \(rows.count) rows")
        self.columns = columns; self.rows = rows; self.x = x
    }

    /// The column names for `features` (F).
    public static func columns(for features: FeatureConfig) -> [String] {
        features.descriptorSets.flatMap { set -> [String] in
            switch set {
            case .spectral: ClipDescriptors.columnNames(numcep: features.numcep)
            case .condition: ConditionDescriptors.columnNames()
            case .envelopeLines: EnvelopeLines.columnNames()
            }
        }
    }

    /// The descriptor row of one cleaned clip (n >= 1 samples at `features.rate`), F values.
    public static func row(_ clip: [Float], features: FeatureConfig) -> [Float] {
        features.descriptorSets.flatMap { set -> [Float] in
            switch set {
            case .spectral: ClipDescriptors(clip, sampleRate: features.rate, mfccParameters: features.audioParameters).row
            // a one-sample clip has no spread: its band statistics are those of a constant pair
            case .condition: ConditionDescriptors.row(clip.count > 1 ? clip : clip + clip, sampleRate: features.rate)
            case .envelopeLines: EnvelopeLines.row(clip, sampleRate: features.rate)
            }
        }
    }

    /// Rows for `clips[r]` of every r in `rows` (each non-empty), all cores.
    public static func compute(clips: [[Float]], rows: [Int], features: FeatureConfig) -> DescriptorTable {
        let columns = columns(for: features), width = columns.count
        var x = Tensor(shape: [rows.count, width])
        x.data.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            // each iteration writes its own row: disjoint ranges of one buffer
            nonisolated(unsafe) let target = base
            DispatchQueue.concurrentPerform(iterations: rows.count) { i in
                let values = row(clips[rows[i]], features: features)
                for j in 0..<width { target[i * width + j] = values[j] }
            }
        }
        return DescriptorTable(columns: columns, rows: rows, x: x)
    }

    /// The rows of the given table rows, in that order: (wanted.count, F).
    /// Precondition: every wanted row is in `rows`.
    public func select(_ wanted: [Int]) -> Tensor {
        let index = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let width = columns.count
        var out = Tensor(shape: [wanted.count, width])
        for (i, r) in wanted.enumerated() {
            guard let k = index[r] else { preconditionFailure("table row \(r) has no descriptor row") }
            for j in 0..<width { out.data[i * width + j] = x.data[k * width + j] }
        }
        return out
    }
}
