import Classical
import Foundation
import Tensor

/// A random forest with everything `predict` needs: its config (the features section says how clips
/// are cleaned and described), the class names and which files it was trained, validated and tested
/// on. Stored as Classical's forest file (`ForestFile`) with Earmark's metadata added: `config`,
/// `config_hash`, `classes`, `splits` and `split_fingerprints` (JSON). Nothing of the run's timing
/// is stored (a `fit_seconds` was): one seed and one data set give the same file, byte for byte.
public struct ForestModel {
    public var config: ExperimentConfig
    /// Class names, sorted; class k of the forest is classes[k].
    public var classes: [String]
    /// fname -> train | validation | test at training time.
    public var splits: [String: String]
    /// fname -> `CleanFingerprint` of the audio fitted on, for every file of `splits` (empty for an
    /// older model file: `predict` then matches by fname alone).
    public var splitFingerprints: [String: String] = [:]
    public var forest: RandomForestClassifier

    public init(config: ExperimentConfig, classes: [String], splits: [String: String],
                forest: RandomForestClassifier) {
        self.config = config; self.classes = classes; self.splits = splits
        self.forest = forest
    }

    /// Nodes over all trees (the `parameters` column of `train compare`).
    public var nodeCount: Int { forest.trees.reduce(0) { $0 + $1.feature.count } }

    /// Writes the model atomically.
    public func save(to url: URL) throws {
        var file = ForestFile.encode(forest)
        file.metadata.merge(["config": config.yaml(), "config_hash": config.configHash,
                             "classes": TrainedModel.json(classes), "splits": TrainedModel.json(splits)]) { a, _ in a }
        if !splitFingerprints.isEmpty { file.metadata["split_fingerprints"] = TrainedModel.json(splitFingerprints) }
        try createFolder(url.deletingLastPathComponent())
        try SafeTensors.write(file, to: url)
    }

    /// Reads a forest model file.
    public static func load(from url: URL) throws -> ForestModel {
        try decode(SafeTensors.read(contentsOf: url), name: url.path)
    }

    /// Checks and decodes the contents of a forest model file; `name` is used in messages.
    /// - Throws: for a foreign or damaged forest, missing metadata, or a forest that does not fit its
    ///   config (column count) or classes.
    public static func decode(_ file: SafeTensors.File, name: String) throws -> ForestModel {
        let forest = try ForestFile.decode(file, name: name)
        func need(_ key: String) throws -> String {
            guard let v = file.metadata[key] else {
                throw SafeTensors.Error(name, "lacks metadata '\(key)' (not written by Earmark's train?)")
            }
            return v
        }
        let config = try ExperimentConfig.parse(try need("config"), file: "\(name) (stored config)",
                                                defaultName: "model")
        guard let classes = try? JSONDecoder().decode([String].self, from: Data(try need("classes").utf8)),
              classes.count == forest.classCount else {
            throw SafeTensors.Error(name, "metadata 'classes' must list the forest's \(forest.classCount) classes")
        }
        if let problem = TrainedModel.classListProblem(classes) {
            throw SafeTensors.Error(name, "metadata 'classes' \(problem)")
        }
        guard let splits = try? JSONDecoder().decode([String: String].self, from: Data(try need("splits").utf8)) else {
            throw SafeTensors.Error(name, "metadata 'splits' is not valid")
        }
        let columns = DescriptorTable.columns(for: config.features).count
        guard config.model.kind == .randomForest, forest.featureCount == columns else {
            throw SafeTensors.Error(name, "the forest reads \(forest.featureCount) columns but its config describes "
                                    + "clips with \(columns) (or is not a random_forest config)")
        }
        var model = ForestModel(config: config, classes: classes, splits: splits, forest: forest)
        if let text = file.metadata["split_fingerprints"] {
            guard let fingerprints = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
                throw SafeTensors.Error(name, "metadata 'split_fingerprints' is not valid")
            }
            if let problem = CleanFingerprint.problem(fingerprints, splits: splits) {
                throw SafeTensors.Error(name, "metadata 'split_fingerprints' \(problem)")
            }
            model.splitFingerprints = fingerprints
        }
        return model
    }
}
