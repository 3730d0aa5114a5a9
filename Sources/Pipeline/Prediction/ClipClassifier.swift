import Audio
import Classical
import Foundation
import Tensor

/// What `predict`, the test evaluation and `train compare` need of a trained model of any kind: its
/// classes, the split each file had in training, the feature settings its clips are cleaned with,
/// and whole-clip predictions. `Predictor` (networks) and `ForestPredictor` conform.
public protocol ClipClassifier: AnyObject {
    /// Class names, sorted; probability k is classes[k].
    var classes: [String] { get }
    /// fname -> train | validation | test at training time.
    var splits: [String: String] { get }
    /// fname -> `CleanFingerprint` of the audio it had at training time (empty for an older model file).
    var splitFingerprints: [String: String] { get }
    /// The features section of the model's config (rate and threshold for cleaning).
    var features: FeatureConfig { get }
    /// Predicts cleaned clips (at `features.rate`).
    func predict(cleaned clips: [[Float]]) -> [Predictor.ClipPrediction]
}

extension ClipClassifier {
    /// Decodes and cleans a file as training did, in memory, with what is to be said of it: a WAV cut
    /// short is used with `AudioClip.cutShortNote` (train and `preprocess` said so; `predict` did not).
    public func cleanNoting(contentsOf url: URL) throws -> (samples: [Float], note: String?) {
        let clip = try AudioDecoder.decode(contentsOf: url)
        let samples = try Cleaning.clean(clip, targetRate: features.rate, threshold: features.threshold, name: url.path)
        return (samples, clip.cutShortNote)
    }

    /// Decodes and cleans a file as training did (`cleanNoting` without the note).
    public func clean(contentsOf url: URL) throws -> [Float] { try cleanNoting(contentsOf: url).samples }
}

extension Predictor: ClipClassifier {
    public var classes: [String] { model.classes }
    public var splits: [String: String] { model.splits }
    public var splitFingerprints: [String: String] { model.splitFingerprints }
    public var features: FeatureConfig { model.config.features }
}

/// Model files of either kind.
public enum ModelFile {
    /// The classifier stored at `url`: a random forest (`ForestModel`) or a network (`TrainedModel`).
    /// - Throws: an error naming the file for a missing, foreign or inconsistent file.
    public static func classifier(contentsOf url: URL) throws -> any ClipClassifier {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SafeTensors.Error(url.path, "does not exist (train a model first: `train --mode conv`)")
        }
        let file = try SafeTensors.read(contentsOf: url)
        if file.metadata["format"] == ForestFile.formatName {
            return ForestPredictor(model: try ForestModel.decode(file, name: url.path))
        }
        return classifier(for: try TrainedModel.load(from: url).model)
    }

    /// The classifier of a network: `DescriptorNetworkPredictor` for `input: descriptors`, else `Predictor`.
    public static func classifier(for model: TrainedModel) -> any ClipClassifier {
        model.config.model.input == .descriptors ? DescriptorNetworkPredictor(model: model) : Predictor(model: model)
    }
}
