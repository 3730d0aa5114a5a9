import Audio
import Foundation
import Layers
import Tensor

/// Classifies whole clips with a trained model, as the reference's predict step (docs/WORKFLOW.md §9):
/// windows of the cleaned clip every `hop_seconds` (default: consecutive, non-overlapping), the
/// stored `FeatureScaling`, softmax per window, file probability = mean over windows, label =
/// argmax. Input `clip`: the whole clip's features (zero-padded to one crop when shorter) and
/// every sliding crop of them instead of windows. Windows go through the network in batches
/// (`TrainingEngine.predict` on one replica).
public final class Predictor {
    public let model: TrainedModel
    public let batchSize: Int
    let engine: TrainingEngine

    /// `batchSize` is lowered to what this machine's memory holds for the network (`ActivationBudget`).
    public init(model: TrainedModel, batchSize: Int = 256) {
        self.model = model
        self.batchSize = ActivationBudget.inferenceBatch(model.network, limit: batchSize)
        engine = TrainingEngine(replicas: [model.network])
    }

    /// The outcome for one clip.
    public struct ClipPrediction: Sendable {
        /// Mean class probabilities over the windows (classes in `model.classes` order); nil when
        /// the cleaned clip is shorter than one window.
        public var probabilities: [Float]?
        /// Number of windows averaged.
        public var windows: Int
        /// Per-window argmax, for window-level accuracy.
        public var windowPredictions: [Int]
        /// Index of the most probable class.
        public var label: Int? { probabilities.map { p in p.indices.max { p[$0] < p[$1] }! } }
    }

    /// Window starts used for a cleaned clip of `length` samples.
    public var windowLength: Int { model.config.features.windowSamples }

    /// The network inputs of `clips` (raw features) and the clip of each: windows every hop
    /// (window input), or sliding crops of the whole clip's features (clip input; an empty clip has none).
    func inputs(_ clips: [[Float]]) -> (x: Tensor, owner: [Int]) {
        let config = model.config, f = config.features
        if f.input == .clip {
            let present = clips.indices.filter { !clips[$0].isEmpty }
            let whole = ClipFeatures.compute(present.map { clips[$0] }, labels: present.map { _ in 0 },
                                             files: present.map(Int32.init), features: f)
            let crops = whole.slidingCrops(hop: f.hopFrames, shape: config.inputShape)
            return (crops.set.x, crops.owners.map { present[$0] })
        }
        var refs: [WindowRef] = []
        var owner: [Int] = []
        for (c, clip) in clips.enumerated() {
            for start in WindowSampler.consecutiveWindows(length: clip.count, window: windowLength, hop: f.hopSamples) {
                refs.append(WindowRef(clip: c, start: start)); owner.append(c)
            }
        }
        return (FeatureStep.features(clips: clips, windows: refs, config: config), owner)
    }

    /// Predicts cleaned clips (already at the model's rate), all windows of all clips in shared batches.
    public func predict(cleaned clips: [[Float]]) -> [ClipPrediction] {
        var (x, owner) = inputs(clips)
        let k = model.classes.count
        var sums = [[Double]](repeating: [Double](repeating: 0, count: k), count: clips.count)
        var counts = [Int](repeating: 0, count: clips.count)
        var windowLabels = [[Int]](repeating: [], count: clips.count)
        if !owner.isEmpty {
            model.scaling.apply(to: &x)
            let p = engine.predict(x, batchSize: batchSize)
            p.data.withUnsafeBufferPointer { pp in
                for (i, c) in owner.enumerated() {
                    var best = 0
                    for j in 0..<k {
                        sums[c][j] += Double(pp[i * k + j])
                        if pp[i * k + j] > pp[i * k + best] { best = j }
                    }
                    counts[c] += 1
                    windowLabels[c].append(best)
                }
            }
        }
        return clips.indices.map { c in
            ClipPrediction(probabilities: counts[c] == 0 ? nil : sums[c].map { Float($0 / Double(counts[c])) },
                           windows: counts[c], windowPredictions: windowLabels[c])
        }
    }
}
