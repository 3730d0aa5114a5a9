import Foundation
import Tensor

// Legend: T trees, M nodes over all trees, K classes, F features.

/// Saving and loading a `RandomForestClassifier` as a safetensors file.
///
/// Tensors (every tree's nodes concatenated, child indices local to their tree):
/// `tree_offsets` I32 (T + 1) first node of each tree and the total M; `feature`, `left`, `right`,
/// `node_samples` I32 (M); `threshold`, `impurity`, `weighted_samples` F64 (M); `value` F64 (M, K).
/// Metadata: `format` = "earmark-random-forest", `format_version` = "1", the hyper-parameters under
/// scikit-learn's names, `n_features`, `n_classes`, and `class_names` / `feature_names` as JSON arrays.
/// Loading checks every offset, index and value, so a hostile file is an error naming the file.
public enum ForestFile {
    public static let formatName = "earmark-random-forest"
    public static let formatVersion = 1

    /// The safetensors content of `forest`.
    public static func encode(_ forest: RandomForestClassifier) -> SafeTensors.File {
        var offsets: [Int32] = [0]
        var feature: [Int32] = [], left: [Int32] = [], right: [Int32] = [], samples: [Int32] = []
        var threshold: [Double] = [], impurity: [Double] = [], weighted: [Double] = [], value: [Double] = []
        for tree in forest.trees {
            feature += tree.feature; left += tree.left; right += tree.right; samples += tree.nodeSamples
            threshold += tree.threshold; impurity += tree.impurity; weighted += tree.weightedSamples
            value += tree.value
            offsets.append(Int32(feature.count))
        }
        func doubles(_ v: [Double], _ shape: [Int]) -> SafeTensors.Entry {
            SafeTensors.Entry(dtype: .f64, shape: shape, bytes: v.withUnsafeBytes { Data($0) })
        }
        let m = feature.count, p = forest.parameters
        let tensors: [String: SafeTensors.Entry] = [
            "tree_offsets": .init(int32: offsets), "feature": .init(int32: feature),
            "left": .init(int32: left), "right": .init(int32: right), "node_samples": .init(int32: samples),
            "threshold": doubles(threshold, [m]), "impurity": doubles(impurity, [m]),
            "weighted_samples": doubles(weighted, [m]), "value": doubles(value, [m, forest.classCount]),
        ]
        let metadata: [String: String] = [
            "format": formatName, "format_version": String(formatVersion),
            "n_estimators": String(p.nEstimators), "max_depth": p.maxDepth.map(String.init) ?? "none",
            "min_samples_split": String(p.minSamplesSplit), "min_samples_leaf": String(p.minSamplesLeaf),
            "max_features": p.maxFeatures.description, "bootstrap": String(p.bootstrap),
            "class_weight": p.classWeight.rawValue, "seed": String(p.seed),
            "n_features": String(forest.featureCount), "n_classes": String(forest.classCount),
            "class_names": jsonArray(forest.classNames), "feature_names": jsonArray(forest.featureNames),
        ]
        return SafeTensors.File(tensors: tensors, metadata: metadata)
    }

    /// Writes `forest` to `url` (atomically).
    public static func save(_ forest: RandomForestClassifier, to url: URL) throws {
        try SafeTensors.write(encode(forest), to: url)
    }

    /// Reads and checks the forest at `url`.
    /// - Throws: `SafeTensors.Error` or `ForestError`, naming the file, for anything unreadable or inconsistent.
    public static func load(contentsOf url: URL) throws -> RandomForestClassifier {
        try decode(SafeTensors.read(contentsOf: url), name: url.path)
    }

    /// Checks and decodes a forest held in `file`; `name` is used in error messages.
    public static func decode(_ file: SafeTensors.File, name: String) throws -> RandomForestClassifier {
        func fail(_ reason: String) -> ForestError { ForestError("\(name): \(reason)") }
        let meta = file.metadata
        guard meta["format"] == formatName else {
            throw fail("is not an Earmark random forest (format '\(meta["format"] ?? "missing")')")
        }
        guard meta["format_version"] == String(formatVersion) else {
            let version = meta["format_version"] ?? "missing"
            throw fail("has forest format version \(version), this build reads \(formatVersion)")
        }
        func int(_ key: String, atLeast low: Int) throws -> Int {
            guard let s = meta[key], let v = Int(s), v >= low else {
                throw fail("metadata '\(key)' is not an integer >= \(low)")
            }
            return v
        }
        let F = try int("n_features", atLeast: 1), K = try int("n_classes", atLeast: 1)
        guard F <= Int(Int32.max), K <= 1_000_000 else { throw fail("n_features \(F) or n_classes \(K) is too large") }
        let maxDepth: Int? = meta["max_depth"] == "none" ? nil : try int("max_depth", atLeast: 1)
        guard let maxFeatures = meta["max_features"].flatMap(MaxFeatures.init) else {
            throw fail("metadata 'max_features' is missing or invalid")
        }
        guard let classWeight = meta["class_weight"].flatMap(ClassWeight.init(rawValue:)) else {
            throw fail("metadata 'class_weight' is missing or invalid")
        }
        guard let bootstrap = meta["bootstrap"].flatMap(Bool.init), let seed = meta["seed"].flatMap(UInt64.init) else {
            throw fail("metadata 'bootstrap' or 'seed' is missing or invalid")
        }
        let parameters = ForestParameters(
            nEstimators: try int("n_estimators", atLeast: 1), maxDepth: maxDepth,
            minSamplesSplit: try int("min_samples_split", atLeast: 2),
            minSamplesLeaf: try int("min_samples_leaf", atLeast: 1),
            maxFeatures: maxFeatures, bootstrap: bootstrap, classWeight: classWeight, seed: seed)
        let classNames = try strings(meta["class_names"], count: K, "class_names", fail)
        let featureNames = try strings(meta["feature_names"], count: F, "feature_names", fail)

        func ints(_ key: String, count: Int?) throws -> [Int32] {
            guard let e = file.tensors[key], e.dtype == .i32, e.shape.count == 1 else {
                throw fail("tensor '\(key)' is missing or not a 1-D I32 tensor")
            }
            if let c = count, e.shape[0] != c { throw fail("tensor '\(key)' has \(e.shape[0]) values, expected \(c)") }
            return e.bytes.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        }
        func doubles(_ key: String, shape: [Int]) throws -> [Double] {
            guard let e = file.tensors[key], e.dtype == .f64, e.shape == shape else {
                throw fail("tensor '\(key)' is missing or not an F64 tensor of shape \(shape)")
            }
            let v = e.bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
            if let bad = v.firstIndex(where: { !$0.isFinite }) {
                throw fail("tensor '\(key)' holds \(v[bad]) at \(bad)")
            }
            return v
        }
        let offsets = try ints("tree_offsets", count: parameters.nEstimators + 1)
        let feature = try ints("feature", count: nil)
        let M = feature.count
        let left = try ints("left", count: M), right = try ints("right", count: M)
        let samples = try ints("node_samples", count: M)
        let threshold = try doubles("threshold", shape: [M]), impurity = try doubles("impurity", shape: [M])
        let weighted = try doubles("weighted_samples", shape: [M]), value = try doubles("value", shape: [M, K])
        if let bad = value.firstIndex(where: { $0 < 0 }) {
            throw fail("tensor 'value' holds a negative count at \(bad)")
        }
        guard offsets.first == 0, Int(offsets.last!) == M else {
            throw fail("tree_offsets must run from 0 to the \(M) nodes, got \(offsets.first!) ... \(offsets.last!)")
        }
        var trees: [DecisionTree] = []
        for t in 0..<parameters.nEstimators {
            let lo = Int(offsets[t]), hi = Int(offsets[t + 1]), count = hi - lo
            guard count >= 1, hi <= M else {
                throw fail("tree \(t) has nodes \(lo)..<\(hi), not a range inside 0..<\(M)")
            }
            for node in 0..<count {
                let g = lo + node, l = Int(left[g]), r = Int(right[g]), f = Int(feature[g])
                if l == -1 && r == -1 && f == -1 { continue }
                // children after their parent: traversal always ends, and every node is reached once at most
                guard l > node, l < count, r > node, r < count, l != r else {
                    throw fail("tree \(t) node \(node) has children \(l), \(r) outside \(node + 1)..<\(count)")
                }
                guard f >= 0, f < F else { throw fail("tree \(t) node \(node) splits on feature \(f) of \(F)") }
            }
            let range = lo..<hi
            trees.append(DecisionTree(
                feature: Array(feature[range]), threshold: Array(threshold[range]), left: Array(left[range]),
                right: Array(right[range]), value: Array(value[(lo * K)..<(hi * K)]), impurity: Array(impurity[range]),
                weightedSamples: Array(weighted[range]), nodeSamples: Array(samples[range]), classCount: K))
        }
        return RandomForestClassifier(parameters: parameters, trees: trees, featureCount: F, classCount: K,
                                      classNames: classNames, featureNames: featureNames)
    }

    static func jsonArray(_ names: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: names)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func strings(_ text: String?, count: Int, _ key: String,
                        _ fail: (String) -> ForestError) throws -> [String] {
        guard let text, let any = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
              let names = any as? [String], names.count == count else {
            throw fail("metadata '\(key)' is not a JSON array of \(count) strings")
        }
        return names
    }
}
