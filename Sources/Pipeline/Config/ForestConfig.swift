import Classical

/// The `model` section of a random-forest config (`kind: random_forest`): scikit-learn's
/// `RandomForestClassifier` keys, defaults as Earmark ships them (docs/FORMATS.md §3). The forest's
/// seed is `training.seed`; its inputs are the per-clip descriptor rows (`DescriptorTable`).
public struct ForestConfig: Equatable, Sendable {
    public var nEstimators = 200
    /// nil: grow until leaves are pure (written `none`).
    public var maxDepth: Int?
    public var maxFeatures = MaxFeatures.sqrt
    public var minSamplesSplit = 2
    public var minSamplesLeaf = 1
    public var bootstrap = true
    public var classWeight = Classical.ClassWeight.balanced

    public init() {}

    /// Classical's hyper-parameters with `seed`.
    public func parameters(seed: Int) -> ForestParameters {
        ForestParameters(nEstimators: nEstimators, maxDepth: maxDepth, minSamplesSplit: minSamplesSplit,
                         minSamplesLeaf: minSamplesLeaf, maxFeatures: maxFeatures, bootstrap: bootstrap,
                         classWeight: classWeight, seed: UInt64(seed))
    }

    /// The keys after `kind` in a forest's `model` section.
    static let keys = ["n_estimators", "max_depth", "max_features", "min_samples_split", "min_samples_leaf",
                       "bootstrap", "class_weight"]

    /// Reads the forest keys of mapping `m` (the `model` section, `kind` already read).
    static func decode(_ m: [String: ConfigNode]) throws -> ForestConfig {
        var f = ForestConfig()
        if let v = m["n_estimators"] { f.nEstimators = try v.int(min: 1, max: 100_000) }
        if let v = m["max_depth"] {
            f.maxDepth = (try? v.string()) == "none" ? nil : try v.int(min: 1, max: 10_000)
        }
        if let v = m["max_features"] {
            let text = try v.string()
            // a count above the descriptor columns is caught when the forest is fitted
            guard let mf = MaxFeatures(text), mf.resolve(features: 1_000_000) != nil else {
                throw v.error("'\(text)' is not sqrt, log2, none, a count >= 1 or a fraction in (0, 1]")
            }
            f.maxFeatures = mf
        }
        if let v = m["min_samples_split"] { f.minSamplesSplit = try v.int(min: 2, max: 1_000_000) }
        if let v = m["min_samples_leaf"] { f.minSamplesLeaf = try v.int(min: 1, max: 1_000_000) }
        if let v = m["bootstrap"] { f.bootstrap = try v.bool() }
        if let v = m["class_weight"] {
            f.classWeight = try v.choice(Classical.ClassWeight.self, among: Classical.ClassWeight.allCases)
        }
        return f
    }

    /// The lines of the `model` section, `kind` first (canonical printing).
    func yamlLines() -> [String] {
        ["model:",
         "  kind: \(ModelConfig.Kind.randomForest.rawValue)",
         "  n_estimators: \(nEstimators)",
         "  max_depth: \(maxDepth.map(String.init) ?? "none")",
         "  max_features: \(maxFeatures.description)",
         "  min_samples_split: \(minSamplesSplit)",
         "  min_samples_leaf: \(minSamplesLeaf)",
         "  bootstrap: \(bootstrap)",
         "  class_weight: \(classWeight.rawValue)"]
    }
}
