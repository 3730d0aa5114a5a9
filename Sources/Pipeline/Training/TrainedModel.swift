import Foundation
import Layers
import Tensor

/// A network with everything needed to use it on new audio: its config (features, layers), the
/// class names, the feature scaling and which files it was trained, validated and tested on.
/// Stored as one safetensors file (Layers.WeightFile) whose metadata holds all but the weights.
public struct TrainedModel {
    public var config: ExperimentConfig
    /// Class names, sorted; output k of the network is classes[k].
    public var classes: [String]
    /// The scaling fitted to the training features, applied to every window before the network.
    public var scaling: FeatureScaling
    /// Split of every audio.csv file at training time: fname -> train | validation | test.
    public var splits: [String: String]
    /// fname -> `CleanFingerprint` of the audio trained on, for every file of `splits`; empty for a
    /// model written before fingerprints were stored (`predict` then matches by fname alone).
    public var splitFingerprints: [String: String] = [:]
    public var network: Sequential
    /// The epoch (1-based) whose weights these are, when saved during training.
    public var epoch: Int?
    /// Whether the file is a cross-validation's final model (`train --folds K` after its folds), which
    /// `--folds K --resume` continues and a plain `--resume` does not; nil for a file written before
    /// it was recorded (metadata `cross_validation`: `final` or `none`).
    public var crossValidationFinal: Bool?
    /// `NoiseBank.fingerprint` of the augmentation's noise folder, when training mixed one in
    /// (metadata `noise_fingerprint`).
    public var noiseFingerprint: String?

    public init(config: ExperimentConfig, classes: [String], scaling: FeatureScaling,
                splits: [String: String], network: Sequential) {
        self.config = config; self.classes = classes; self.scaling = scaling
        self.splits = splits; self.network = network
    }

    /// Metadata written beside the weights.
    func metadata(trainingState: TrainingState?) -> [String: String] {
        var m = ["config": config.yaml(),
                 "config_hash": config.configHash,
                 "classes": Self.json(classes),
                 "splits": Self.json(splits),
                 "input_shape": Self.json(network.inputShape)].merging(scaling.metadata) { a, _ in a }
        if !splitFingerprints.isEmpty { m["split_fingerprints"] = Self.json(splitFingerprints) }
        if let s = trainingState { m["training_state"] = Self.json(s) }
        if let e = epoch { m["epoch"] = String(e) }
        if let final = crossValidationFinal { m["cross_validation"] = final ? "final" : "none" }
        if let noise = noiseFingerprint { m["noise_fingerprint"] = noise }
        return m
    }

    /// What is wrong with a model file's class list, or nil: at least two distinct, non-empty names without
    /// control characters, sorted as audio.csv's classes are (an empty name made an empty column and an
    /// empty y_pred, which reads as "no prediction"; a line break broke the printed table).
    static func classListProblem(_ classes: [String]) -> String? {
        guard classes.count >= 2, Set(classes).count == classes.count else {
            return "must list at least two distinct classes"
        }
        let unusable = { (name: String) in
            name.isEmpty || name.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
        if classes.contains(where: unusable) {
            return "holds an empty class name or one with a control character"
        }
        return classes == classes.sorted() ? nil : "is not sorted (training writes the classes sorted)"
    }

    /// JSON of a metadata value; NaN and infinities (the validation loss of an epoch without
    /// validation windows) are written as the strings "nan", "inf" and "-inf".
    static func json<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                 nan: "nan")
        return String(decoding: (try? e.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// Writes the model (and, for a checkpoint, the optimizer and training state) atomically.
    public func save(to url: URL, optimizer: Optimizer? = nil, trainingState: TrainingState? = nil) throws {
        try createFolder(url.deletingLastPathComponent())
        try WeightFile.save(network, metadata: metadata(trainingState: trainingState),
                            optimizerState: optimizer?.state() ?? [:], to: url)
    }

    /// A model file read back, with its optimizer slots and training state when it is a checkpoint.
    public struct Loaded {
        public var model: TrainedModel
        public var optimizerState: [String: Tensor]
        public var trainingState: TrainingState?
    }

    /// Reads a model file, rebuilds the network from its stored config and loads the weights.
    /// - Throws: an error naming the file for a missing, truncated, foreign or inconsistent file.
    public static func load(from url: URL) throws -> Loaded {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SafeTensors.Error(url.path, "does not exist (train a model first: `train --mode conv`)")
        }
        let contents = try WeightFile.read(url)
        let meta = contents.metadata
        func need(_ key: String) throws -> String {
            guard let v = meta[key] else {
                throw SafeTensors.Error(url.path, "lacks metadata '\(key)' (not written by Earmark's train?)")
            }
            return v
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf",
                                                                            negativeInfinity: "-inf", nan: "nan")
            guard let v = try? decoder.decode(T.self, from: Data(try need(key).utf8)) else {
                throw SafeTensors.Error(url.path, "metadata '\(key)' is not valid")
            }
            return v
        }
        let config = try ExperimentConfig.parse(try need("config"), file: "\(url.path) (stored config)",
                                                defaultName: "model")
        let classes = try decode([String].self, "classes")
        if let problem = Self.classListProblem(classes) {
            throw SafeTensors.Error(url.path, "metadata 'classes' \(problem)")
        }
        let scaling: FeatureScaling
        do { scaling = try FeatureScaling(metadata: need, method: meta["feature_scaling"]) }
        catch let invalid as FeatureScaling.InvalidMetadata {
            throw SafeTensors.Error(url.path, invalid.description)
        }
        if let c = scaling.coefficients, c != config.scaledWidth {
            throw SafeTensors.Error(url.path, "metadata feature_mean has \(c) values; the stored config gives "
                                    + "\(config.scaledWidth) values to scale (coefficients per frame or "
                                    + "descriptor columns)")
        }
        let splits = try decode([String: String].self, "splits")
        let network: Sequential
        do { network = try config.makeModel(classes: classes.count, seed: 0) } catch {
            throw SafeTensors.Error(url.path, "stored config does not build a network: \(error)")
        }
        // the shape the file says its network takes, where it says one, must be the rebuilt network's: an
        // exporter or a reader of the metadata alone would take the file's word (it was never read)
        if meta["input_shape"] != nil {
            let shape = try decode([Int].self, "input_shape")
            guard shape == config.inputShape else {
                throw SafeTensors.Error(url.path, "metadata 'input_shape' is \(shape); the stored config gives "
                                        + "\(config.inputShape)")
            }
        }
        try WeightFile.assign(contents.weights, to: network, source: url.path)
        let state = meta["training_state"] == nil ? nil : try decode(TrainingState.self, "training_state")
        var model = TrainedModel(config: config, classes: classes, scaling: scaling, splits: splits, network: network)
        if let text = meta["epoch"] {
            guard let epoch = Int(text), (0...TrainingConfig.epochRange.upperBound).contains(epoch) else {
                throw SafeTensors.Error(url.path, "metadata 'epoch' is '\(text)', not a whole number of epochs in "
                                        + "0...\(TrainingConfig.epochRange.upperBound)")
            }
            model.epoch = epoch
        }
        model.noiseFingerprint = meta["noise_fingerprint"]
        switch meta["cross_validation"] {
        case nil: model.crossValidationFinal = nil
        case "final": model.crossValidationFinal = true
        case "none": model.crossValidationFinal = false
        case let other?: throw SafeTensors.Error(url.path, "metadata 'cross_validation' is '\(other)', not final or none")
        }
        if meta["split_fingerprints"] != nil {
            model.splitFingerprints = try decode([String: String].self, "split_fingerprints")
            if let problem = CleanFingerprint.problem(model.splitFingerprints, splits: splits) {
                throw SafeTensors.Error(url.path, "metadata 'split_fingerprints' \(problem)")
            }
        }
        return Loaded(model: model,
                      optimizerState: contents.optimizerState, trainingState: state)
    }
}
