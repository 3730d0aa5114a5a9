import Foundation
import Tensor

/// The training inputs of an `input: descriptors` network: one descriptor row per training or
/// validation clip (from the descriptor cache) as a `WindowSet` of shape (clips, F), with the
/// per-column standard scaling fitted to the training rows (applied by `Preparation.scale`).
enum DescriptorWindows {
    /// - Parameters: `usable`, the rows with a cleaned clip (all of them get a cached descriptor row);
    ///   `rows`, the split.
    static func make(config: ExperimentConfig, data: DataFolder, table: AudioTable, clips: [[Float]],
                     labels: [Int32], usable: [Int], rows: Preparation.RowSplit,
                     progress: Preparation.Progress) throws -> FeatureWindows {
        let (descriptors, hit) = try PreparedDescriptors.cachedDescriptors(config: config, data: data, table: table,
                                                                           clips: clips, rows: usable,
                                                                           progress: progress)
        func set(_ r: [Int]) -> WindowSet {
            WindowSet(x: descriptors.select(r), labels: r.map { labels[$0] }, files: r.map(Int32.init))
        }
        let train = set(rows.train)
        let scaling = FeatureScaling.standard(fittedTo: train.x, coefficients: train.x.shape.last ?? 1)
        return FeatureWindows(train: train, validation: set(rows.validation), scaling: scaling, cacheHit: hit)
    }
}
