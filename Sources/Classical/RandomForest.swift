import Foundation
import Tensor

// Legend: N rows (samples), F features, K classes, T trees.

/// How many features each node of a tree draws as split candidates (scikit-learn's `max_features`).
public enum MaxFeatures: Sendable, Equatable, CustomStringConvertible {
    /// max(1, floor(sqrt(F))), the default.
    case sqrt
    /// max(1, floor(log2(F))).
    case log2
    /// All F features (scikit-learn's `None`).
    case all
    /// A fixed count, at most F.
    case count(Int)
    /// max(1, floor(fraction * F)), fraction in (0, 1].
    case fraction(Double)

    /// The count for `features` features, or nil if the setting does not fit them.
    public func resolve(features: Int) -> Int? {
        let n: Int
        switch self {
        case .sqrt: n = max(1, Int(Double(features).squareRoot()))
        case .log2: n = max(1, Int(Foundation.log2(Double(features))))
        case .all: n = features
        case .count(let c): n = c
        case .fraction(let f):
            guard f > 0, f <= 1 else { return nil }
            n = max(1, Int(f * Double(features)))
        }
        return n >= 1 && n <= features ? n : nil
    }

    /// "sqrt", "log2", "none", an integer ("5") or a fraction ("0.5"), as in configs and files.
    public var description: String {
        switch self {
        case .sqrt: "sqrt"
        case .log2: "log2"
        case .all: "none"
        case .count(let c): String(c)
        case .fraction(let f): String(f)
        }
    }

    /// Parses `description`'s forms; nil for anything else.
    public init?(_ text: String) {
        switch text {
        case "sqrt": self = .sqrt
        case "log2": self = .log2
        case "none", "all": self = .all
        default:
            if let c = Int(text) {
                self = .count(c)
            } else if let f = Double(text), f.isFinite {
                self = .fraction(f)
            } else {
                return nil
            }
        }
    }
}

/// Sample weights by class (scikit-learn's `class_weight`).
public enum ClassWeight: String, Sendable, Equatable, CaseIterable {
    /// Every row weighs 1.
    case none
    /// Class c weighs N / (classes present * rows of class c), from the whole training set.
    case balanced
    /// As `balanced` but computed on each tree's bootstrap sample (same as `balanced` without bootstrap).
    case balancedSubsample = "balanced_subsample"
}

/// Hyper-parameters of a random forest (scikit-learn's `RandomForestClassifier` names in Swift case).
public struct ForestParameters: Sendable, Equatable {
    public var nEstimators: Int
    public var maxDepth: Int?
    public var minSamplesSplit: Int
    public var minSamplesLeaf: Int
    public var maxFeatures: MaxFeatures
    /// Each tree sees N rows drawn with replacement (as weights: how often each row was drawn).
    public var bootstrap: Bool
    public var classWeight: ClassWeight
    /// Tree t draws from `RandomGenerator(seed:)` of a value mixed from (seed, t).
    public var seed: UInt64

    public init(nEstimators: Int = 100, maxDepth: Int? = nil, minSamplesSplit: Int = 2, minSamplesLeaf: Int = 1,
                maxFeatures: MaxFeatures = .sqrt, bootstrap: Bool = true, classWeight: ClassWeight = .none,
                seed: UInt64 = 0) {
        self.nEstimators = nEstimators; self.maxDepth = maxDepth; self.minSamplesSplit = minSamplesSplit
        self.minSamplesLeaf = minSamplesLeaf; self.maxFeatures = maxFeatures; self.bootstrap = bootstrap
        self.classWeight = classWeight; self.seed = seed
    }

    /// The generator of tree `index`: independent streams for every (seed, index).
    public func generator(tree index: Int) -> RandomGenerator {
        var mix = RandomGenerator(seed: seed)
        return RandomGenerator(seed: mix.next() ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
    }
}

/// A problem with forest training data, parameters or files; the message names what is wrong.
public struct ForestError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A random forest of CART classification trees, trained and evaluated as scikit-learn's
/// `RandomForestClassifier` (see Sources/Classical/README.md for the parity contract).
///
/// Shapes: features (N, F) row-major, labels N class indices in 0..<K, probabilities (N, K).
public struct RandomForestClassifier: Sendable {
    public let parameters: ForestParameters
    public let trees: [DecisionTree]
    /// F, the features every row must have.
    public let featureCount: Int
    /// K, the classes.
    public let classCount: Int
    /// K class names (saved with the model; default "0", "1", ...).
    public var classNames: [String]
    /// F feature names (saved with the model; default "f0", "f1", ...).
    public var featureNames: [String]
    /// Per tree, each node's class distribution (M, K) normalised to sum to 1 (all zero if empty).
    let distributions: [[Double]]

    /// A forest from grown or loaded trees.
    init(parameters: ForestParameters, trees: [DecisionTree], featureCount: Int, classCount: Int,
         classNames: [String], featureNames: [String]) {
        self.parameters = parameters; self.trees = trees
        self.featureCount = featureCount; self.classCount = classCount
        self.classNames = classNames; self.featureNames = featureNames
        distributions = trees.map { tree in
            var d = tree.value
            for node in 0..<tree.nodeCount {
                let row = node * classCount
                var sum = 0.0
                for k in 0..<classCount { sum += d[row + k] }
                if sum == 0 { sum = 1 }
                for k in 0..<classCount { d[row + k] /= sum }
            }
            return d
        }
    }

    /// Trains T trees in parallel (one task per tree over every core).
    ///
    /// - Parameters:
    ///   - x: features (N, F); every value must be finite.
    ///   - labels: N class indices in 0..<classCount.
    /// - Throws: `ForestError` for a shape mismatch, a non-finite value, a label out of range or an
    ///   invalid parameter.
    public static func fit(_ x: Tensor, labels: [Int], classCount: Int, parameters: ForestParameters,
                           classNames: [String]? = nil,
                           featureNames: [String]? = nil) throws -> RandomForestClassifier {
        try fit(x, labels: labels, classCount: classCount, parameters: parameters, classNames: classNames,
                featureNames: featureNames, draws: { _, rng in rng })
    }

    /// `fit` with the feature draws of tree t made by `draws(t, generator after the bootstrap draws)`
    /// (the parity tests pass scikit-learn's own draws).
    static func fit<R: FeatureDraw>(_ x: Tensor, labels: [Int], classCount: Int, parameters: ForestParameters,
                                    classNames: [String]?, featureNames: [String]?,
                                    draws: @Sendable (Int, RandomGenerator) -> R) throws -> RandomForestClassifier {
        guard x.rank == 2, x.shape[0] >= 1, x.shape[1] >= 1 else {
            throw ForestError("forest features must be (rows, features) with at least one of each, got \(x.shape)")
        }
        let (N, F, K) = (x.shape[0], x.shape[1], classCount)
        guard labels.count == N else { throw ForestError("\(labels.count) labels for \(N) rows") }
        guard K >= 1 else { throw ForestError("a forest needs at least one class, got \(K)") }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= K }) {
            throw ForestError("label \(labels[bad]) of row \(bad) is outside 0..<\(K)")
        }
        if let bad = x.data.firstIndex(where: { !$0.isFinite }) {
            throw ForestError("feature \(bad % F) of row \(bad / F) is \(x.data[bad]); forests need finite features")
        }
        let p = parameters
        guard p.nEstimators >= 1 else { throw ForestError("n_estimators must be at least 1, got \(p.nEstimators)") }
        guard p.minSamplesLeaf >= 1 else {
            throw ForestError("min_samples_leaf must be at least 1, got \(p.minSamplesLeaf)")
        }
        guard p.minSamplesSplit >= 2 else {
            throw ForestError("min_samples_split must be at least 2, got \(p.minSamplesSplit)")
        }
        if let d = p.maxDepth, d < 1 { throw ForestError("max_depth must be at least 1, got \(d)") }
        guard let maxFeatures = p.maxFeatures.resolve(features: F) else {
            throw ForestError("max_features \(p.maxFeatures) does not fit \(F) features")
        }
        let classNames = classNames ?? (0..<K).map(String.init)
        let featureNames = featureNames ?? (0..<F).map { "f\($0)" }
        guard classNames.count == K else { throw ForestError("\(classNames.count) class names for \(K) classes") }
        guard featureNames.count == F else {
            throw ForestError("\(featureNames.count) feature names for \(F) features")
        }

        // columns (F, N): a node sorts one feature's values of its rows, so they sit together
        var columns = [Float](repeating: 0, count: N * F)
        for i in 0..<N { for f in 0..<F { columns[f * N + i] = x.data[i * F + f] } }
        let y = labels.map { Int32($0) }
        let classWeights = p.classWeight == .none ? nil : balancedWeights(y, rows: Array(0..<N), classCount: K)
        let limits = TreeLimits(maxDepth: p.maxDepth, minSamplesSplit: p.minSamplesSplit,
                                minSamplesLeaf: p.minSamplesLeaf, maxFeatures: maxFeatures)
        var grown = [DecisionTree?](repeating: nil, count: p.nEstimators)
        columns.withUnsafeBufferPointer { cols in
            y.withUnsafeBufferPointer { ys in
                grown.withUnsafeMutableBufferPointer { buffer in
                    // each task writes its own tree's slot only
                    nonisolated(unsafe) let (out, cols, ys) = (buffer, cols, ys)
                    DispatchQueue.concurrentPerform(iterations: p.nEstimators) { t in
                        var rng = p.generator(tree: t)
                        var weights = [Double](repeating: 1, count: N)
                        if p.bootstrap {
                            for i in 0..<N { weights[i] = 0 }
                            let drawn = (0..<N).map { _ in rng.nextInt(below: N) }
                            for i in drawn { weights[i] += 1 }
                            if p.classWeight == .balancedSubsample {
                                let w = balancedWeights(y, rows: drawn, classCount: K)
                                for i in 0..<N { weights[i] *= w[Int(y[i])] }
                            }
                        }
                        if let cw = classWeights, !(p.bootstrap && p.classWeight == .balancedSubsample) {
                            for i in 0..<N { weights[i] *= cw[Int(y[i])] }
                        }
                        var featureDraws = draws(t, rng)
                        out[t] = DecisionTree.grow(columns: cols, labels: ys, weights: weights, rows: N, features: F,
                                                   classCount: K, limits: limits, rng: &featureDraws)
                    }
                }
            }
        }
        return RandomForestClassifier(parameters: p, trees: grown.map { $0! }, featureCount: F, classCount: K,
                                      classNames: classNames, featureNames: featureNames)
    }

    /// scikit-learn's "balanced" weight per class (K) over `rows` (repeats count): n / (present * count_c),
    /// 0 for classes absent from `rows`.
    static func balancedWeights(_ y: [Int32], rows: [Int], classCount: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: classCount)
        for i in rows { counts[Int(y[i])] += 1 }
        let present = Double(counts.filter { $0 > 0 }.count)
        return counts.map { $0 == 0 ? 0 : Double(rows.count) / (present * Double($0)) }
    }

    /// Class probabilities (N, K) in Double: the mean over trees (in tree order) of each tree's leaf
    /// distribution, as scikit-learn's `predict_proba`.
    public func probabilities(_ x: Tensor) -> [Double] {
        precondition(x.rank == 2 && x.shape[1] == featureCount,
                     "forest expects features (rows, \(featureCount)), got \(x.shape)")
        let (N, K) = (x.shape[0], classCount)
        var out = [Double](repeating: 0, count: N * K)
        guard N > 0 else { return out }
        let chunks = min(N, ProcessInfo.processInfo.activeProcessorCount * 4)
        x.data.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { buffer in
                // each task writes its own rows only
                nonisolated(unsafe) let (o, xs) = (buffer, xs)
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let lo = N * c / chunks, hi = N * (c + 1) / chunks
                    for (t, tree) in trees.enumerated() {
                        tree.withNodes { feature, threshold, left, right in
                            distributions[t].withUnsafeBufferPointer { d in
                                for i in lo..<hi {
                                    let row = xs.baseAddress! + i * featureCount
                                    var node = 0
                                    while left[node] >= 0 {
                                        let goLeft = Double(row[Int(feature[node])]) <= threshold[node]
                                        node = Int(goLeft ? left[node] : right[node])
                                    }
                                    for k in 0..<K { o[i * K + k] += d[node * K + k] }
                                }
                            }
                        }
                    }
                    let count = Double(trees.count)
                    for j in (lo * K)..<(hi * K) { o[j] /= count }
                }
            }
        }
        return out
    }

    /// `probabilities` as a Float tensor (N, K).
    public func predictProbabilities(_ x: Tensor) -> Tensor {
        Tensor(shape: [x.shape[0], classCount], data: probabilities(x).map { Float($0) })
    }

    /// The most probable class per row (N); the lowest index wins ties, as numpy's argmax.
    public func predict(_ x: Tensor) -> [Int] {
        let p = probabilities(x), K = classCount
        return (0..<x.shape[0]).map { i in
            var best = 0
            for k in 1..<max(K, 1) where p[i * K + k] > p[i * K + best] { best = k }
            return best
        }
    }

    /// Mean decrease in impurity per feature (F): the mean over trees with a split of each tree's
    /// normalised importances, normalised again (scikit-learn's `feature_importances_`).
    public var featureImportances: [Double] {
        let split = trees.filter { $0.nodeCount > 1 }
        var mean = [Double](repeating: 0, count: featureCount)
        guard !split.isEmpty else { return mean }
        for tree in split {
            for (f, v) in tree.featureImportances(featureCount: featureCount).enumerated() { mean[f] += v }
        }
        for f in 0..<featureCount { mean[f] /= Double(split.count) }
        let total = mean.reduce(0, +)
        return total > 0 ? mean.map { $0 / total } : mean
    }
}
