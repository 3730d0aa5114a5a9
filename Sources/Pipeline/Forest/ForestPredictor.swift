import Audio
import Foundation
import Tensor

/// Classifies whole clips with a random forest: the descriptor row of each cleaned clip
/// (`DescriptorTable.row`, all cores), then the forest's class probabilities. A clip counts as one
/// "window" in `ClipPrediction`; a clip that cleans to one window or less, which
/// training skips, gets no prediction, as with the networks.
public final class ForestPredictor: ClipClassifier {
    public let model: ForestModel

    public init(model: ForestModel) { self.model = model }

    public var classes: [String] { model.classes }
    public var splits: [String: String] { model.splits }
    public var splitFingerprints: [String: String] { model.splitFingerprints }
    public var features: FeatureConfig { model.config.features }

    /// Predicts cleaned clips (at the model's rate).
    public func predict(cleaned clips: [[Float]]) -> [Predictor.ClipPrediction] {
        // what training skips (one window or less after cleaning, `minimumCleanSamples`) is not classified
        let usable = clips.indices.filter { clips[$0].count >= features.minimumCleanSamples }
        var out = clips.map { _ in Predictor.ClipPrediction(probabilities: nil, windows: 0, windowPredictions: []) }
        guard !usable.isEmpty else { return out }
        let table = DescriptorTable.compute(clips: clips, rows: usable, features: features)
        let p = model.forest.predictProbabilities(table.x)      // (usable.count, K)
        let k = classes.count
        for (i, c) in usable.enumerated() {
            let probabilities = Array(p.data[(i * k)..<((i + 1) * k)])
            out[c] = Predictor.ClipPrediction(probabilities: probabilities, windows: 1, windowPredictions: [])
            out[c].windowPredictions = [out[c].label!]
        }
        return out
    }
}
