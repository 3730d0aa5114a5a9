import Audio
import Foundation
import Tensor

/// Classifies whole clips with an `input: descriptors` network: the descriptor row of each cleaned
/// clip, the model's stored standard scaling, then the network (one replica, batches of 256). A clip
/// counts as one "window"; a clip that cleans to one window or less, which
/// training skips, gets no prediction, as with the networks.
public final class DescriptorNetworkPredictor: ClipClassifier {
    public let model: TrainedModel
    private let engine: TrainingEngine

    public init(model: TrainedModel) {
        self.model = model
        engine = TrainingEngine(replicas: [model.network])
    }

    public var classes: [String] { model.classes }
    public var splits: [String: String] { model.splits }
    public var splitFingerprints: [String: String] { model.splitFingerprints }
    public var features: FeatureConfig { model.config.features }

    ///     clips (C) -> rows x (U, F) of the U non-empty clips -> probabilities (U, K)
    public func predict(cleaned clips: [[Float]]) -> [Predictor.ClipPrediction] {
        // what training skips (one window or less after cleaning, `minimumCleanSamples`) is not classified
        let usable = clips.indices.filter { clips[$0].count >= features.minimumCleanSamples }
        var out = clips.map { _ in Predictor.ClipPrediction(probabilities: nil, windows: 0, windowPredictions: []) }
        guard !usable.isEmpty else { return out }
        var x = DescriptorTable.compute(clips: clips, rows: usable, features: features).x
        model.scaling.apply(to: &x)
        let p = engine.predict(x, batchSize: 256)
        let k = classes.count
        for (i, c) in usable.enumerated() {
            out[c] = Predictor.ClipPrediction(probabilities: Array(p.data[(i * k)..<((i + 1) * k)]), windows: 1,
                                              windowPredictions: [])
            out[c].windowPredictions = [out[c].label!]
        }
        return out
    }
}
