import Tensor

// Legend: N rows (samples), F features, K classes, M nodes of one tree.

/// Growth limits of one CART tree (scikit-learn's names in Swift case).
public struct TreeLimits: Sendable, Equatable {
    /// Deepest level a node may split at (`nil`: grow until pure or another limit stops it).
    public var maxDepth: Int?
    /// A node with fewer (distinct) samples than this is a leaf.
    public var minSamplesSplit: Int
    /// Every leaf keeps at least this many (distinct) samples.
    public var minSamplesLeaf: Int
    /// Features drawn at random at each node; the best split over them is taken (`F`: all).
    public var maxFeatures: Int

    public init(maxDepth: Int? = nil, minSamplesSplit: Int = 2, minSamplesLeaf: Int = 1, maxFeatures: Int) {
        self.maxDepth = maxDepth; self.minSamplesSplit = minSamplesSplit
        self.minSamplesLeaf = minSamplesLeaf; self.maxFeatures = maxFeatures
    }
}

/// A classification tree (CART, Gini impurity) stored as flat node arrays, as scikit-learn's `tree_`.
///
/// Nodes are numbered in depth-first pre-order (a node, its left subtree, its right subtree), so a
/// child's index is always larger than its parent's. Leaves have `left == right == -1` and
/// `feature == -1`. A row goes left at an internal node when `Double(x[feature]) <= threshold`.
public struct DecisionTree: Sendable, Equatable {
    /// Split feature per node (M), -1 at leaves.
    public internal(set) var feature: [Int32]
    /// Split threshold per node (M): the midpoint between two neighbouring training values; 0 at leaves.
    public internal(set) var threshold: [Double]
    /// Left and right child per node (M), -1 at leaves.
    public internal(set) var left: [Int32]
    public internal(set) var right: [Int32]
    /// Weighted class counts per node (M, K) row-major: the class distribution a leaf predicts.
    public internal(set) var value: [Double]
    /// Gini impurity per node (M).
    public internal(set) var impurity: [Double]
    /// Sum of the sample weights reaching each node (M).
    public internal(set) var weightedSamples: [Double]
    /// Distinct training samples reaching each node (M).
    public internal(set) var nodeSamples: [Int32]
    /// Number of classes K.
    public let classCount: Int

    /// Number of nodes M.
    public var nodeCount: Int { feature.count }

    /// The leaf index that the row at `x` (F values) reaches.
    @inlinable
    public func leaf(for x: UnsafePointer<Float>) -> Int {
        var node = 0
        while left[node] >= 0 {
            node = Int(Double(x[Int(feature[node])]) <= threshold[node] ? left[node] : right[node])
        }
        return node
    }

    /// Calls `body` with the node arrays (feature, threshold, left, right), for tight traversal loops.
    @inlinable
    public func withNodes<T>(
        _ body: (UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Double>,
                 UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>) throws -> T
    ) rethrows -> T {
        try feature.withUnsafeBufferPointer { f in
            try threshold.withUnsafeBufferPointer { t in
                try left.withUnsafeBufferPointer { l in
                    try right.withUnsafeBufferPointer { r in try body(f, t, l, r) }
                }
            }
        }
    }

    /// Mean decrease in impurity per feature (F), normalised to sum to 1 (all zero for a single leaf):
    /// scikit-learn's `feature_importances_` of one tree.
    public func featureImportances(featureCount: Int) -> [Double] {
        var importances = [Double](repeating: 0, count: featureCount)
        for node in 0..<nodeCount where left[node] >= 0 {
            let l = Int(left[node]), r = Int(right[node])
            importances[Int(feature[node])] += weightedSamples[node] * impurity[node]
                - weightedSamples[l] * impurity[l] - weightedSamples[r] * impurity[r]
        }
        for f in 0..<featureCount { importances[f] /= weightedSamples[0] }
        let total = importances.reduce(0, +)
        if total > 0 { for f in 0..<featureCount { importances[f] /= total } }
        return importances
    }

    init(classCount: Int) {
        self.classCount = classCount
        feature = []; threshold = []; left = []; right = []; value = []; impurity = []
        weightedSamples = []; nodeSamples = []
    }

    /// A tree from stored node arrays (checked by the caller, see `ForestFile`).
    init(feature: [Int32], threshold: [Double], left: [Int32], right: [Int32], value: [Double],
         impurity: [Double], weightedSamples: [Double], nodeSamples: [Int32], classCount: Int) {
        self.feature = feature; self.threshold = threshold; self.left = left; self.right = right
        self.value = value; self.impurity = impurity; self.weightedSamples = weightedSamples
        self.nodeSamples = nodeSamples; self.classCount = classCount
    }

    /// Grows a tree with scikit-learn's depth-first builder and best splitter.
    ///
    /// - Parameters:
    ///   - columns: the features column-major, (F, N): `columns[f * N + i]` is feature f of row i.
    ///   - labels: class index per row (N), in 0..<K.
    ///   - weights: weight per row (N); rows of weight 0 are left out (bootstrap counts times class weights).
    ///   - rng: draws the candidate features at each node.
    static func grow<R: FeatureDraw>(columns: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>,
                                     weights: [Double], rows: Int, features: Int, classCount: Int,
                                     limits: TreeLimits, rng: inout R) -> DecisionTree {
        let grower = TreeGrower(columns: columns, labels: labels, weights: weights, rows: rows,
                                features: features, classCount: classCount, limits: limits)
        return grower.grow(rng: &rng)
    }
}

/// The source of the random feature draws at each node.
public protocol FeatureDraw: Sendable {
    /// A uniform integer in low..<high.
    mutating func draw(_ low: Int, _ high: Int) -> Int
}

extension RandomGenerator: FeatureDraw {
    public mutating func draw(_ low: Int, _ high: Int) -> Int { low + nextInt(below: high - low) }
}

/// scikit-learn's own feature draws (`rand_int` over the xorshift `our_rand_r`), seeded with a tree's
/// `rand_r_state`: with it, ties between equally good splits are broken in scikit-learn's order,
/// so the parity tests can compare whole trees.
public struct ScikitLearnDraw: FeatureDraw {
    var state: UInt32
    public init(state: UInt32) { self.state = state == 0 ? 1 : state }
    public mutating func draw(_ low: Int, _ high: Int) -> Int {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return low + Int(state % 0x8000_0000) % (high - low)
    }
}

/// Smallest difference between two feature values that a split may separate (scikit-learn's
/// FEATURE_THRESHOLD).
let featureThreshold: Float = 1e-7
/// Impurity at or below this is pure (scikit-learn's EPSILON, the double epsilon).
let impurityEpsilon = Double.ulpOfOne

/// The state of one tree's growth: a port of scikit-learn's `DepthFirstTreeBuilder`,
/// `node_split_best` (BestSplitter) and the Gini `ClassificationCriterion`.
final class TreeGrower {
    let columns: UnsafeBufferPointer<Float>
    let labels: UnsafeBufferPointer<Int32>
    let weights: [Double]
    let rows: Int, featureCount: Int, classCount: Int
    let limits: TreeLimits
    /// Total weight of all rows (scikit-learn's `weighted_n_samples`).
    let rootWeight: Double
    /// Rows of non-zero weight; each node owns the range samples[start..<end].
    var samples: [Int32]
    /// A permutation of 0..<F: features[..<knownConstants] are constant in the current node.
    var features: [Int32]
    var constantFeatures: [Int32]
    /// Sort keys (order-preserving float bits << 32 | sample) and the sorted values of one feature.
    var keys: [UInt64]
    var sortedValues: [Float]
    var tree: DecisionTree

    init(columns: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>, weights: [Double],
         rows: Int, features: Int, classCount: Int, limits: TreeLimits) {
        self.columns = columns; self.labels = labels; self.weights = weights
        self.rows = rows; self.featureCount = features; self.classCount = classCount; self.limits = limits
        samples = (0..<rows).filter { weights[$0] != 0 }.map { Int32($0) }
        rootWeight = weights.reduce(0, +)
        self.features = (0..<features).map { Int32($0) }
        constantFeatures = self.features
        keys = [UInt64](repeating: 0, count: samples.count)
        sortedValues = [Float](repeating: 0, count: samples.count)
        tree = DecisionTree(classCount: classCount)
    }

    struct Split {
        var feature = -1, position = 0
        var threshold = 0.0
        var impurityLeft = 0.0, impurityRight = 0.0, improvement = -Double.infinity
    }

    struct Pending {
        var start: Int, end: Int, depth: Int, parent: Int, isLeft: Bool, impurity: Double, constants: Int
    }

    func grow<R: FeatureDraw>(rng: inout R) -> DecisionTree {
        var stack = [Pending(start: 0, end: samples.count, depth: 0, parent: -1, isLeft: false,
                             impurity: .infinity, constants: 0)]
        var totals = [Double](repeating: 0, count: classCount)
        let maxDepth = limits.maxDepth ?? Int.max
        var first = true
        while var record = stack.popLast() {
            let count = record.end - record.start
            let weighted = classTotals(record.start, record.end, into: &totals)
            var isLeaf = record.depth >= maxDepth || count < limits.minSamplesSplit
                || count < 2 * limits.minSamplesLeaf || count == 0
            if first { record.impurity = gini(totals, weighted); first = false }
            isLeaf = isLeaf || record.impurity <= impurityEpsilon
            var split = Split()
            if !isLeaf {
                split = bestSplit(record.start, record.end, impurity: record.impurity, totals: totals,
                                  weighted: weighted, constants: &record.constants, rng: &rng)
                isLeaf = split.feature < 0 || split.improvement + impurityEpsilon < 0
            }
            let node = tree.nodeCount
            if record.parent >= 0 {
                if record.isLeft {
                    tree.left[record.parent] = Int32(node)
                } else {
                    tree.right[record.parent] = Int32(node)
                }
            }
            tree.feature.append(isLeaf ? -1 : Int32(split.feature))
            tree.threshold.append(isLeaf ? 0 : split.threshold)
            tree.left.append(-1); tree.right.append(-1)
            tree.value.append(contentsOf: totals)
            tree.impurity.append(record.impurity)
            tree.weightedSamples.append(weighted)
            tree.nodeSamples.append(Int32(count))
            if !isLeaf {
                // right pushed first so that the left subtree is numbered next (pre-order)
                stack.append(Pending(start: split.position, end: record.end, depth: record.depth + 1, parent: node,
                                     isLeft: false, impurity: split.impurityRight, constants: record.constants))
                stack.append(Pending(start: record.start, end: split.position, depth: record.depth + 1, parent: node,
                                     isLeft: true, impurity: split.impurityLeft, constants: record.constants))
            }
        }
        return tree
    }

    /// Weighted class counts (K) of samples[start..<end]; returns their total weight.
    func classTotals(_ start: Int, _ end: Int, into totals: inout [Double]) -> Double {
        for k in 0..<classCount { totals[k] = 0 }
        var sum = 0.0
        for p in start..<end {
            let i = Int(samples[p]), w = weights[i]
            totals[Int(labels[i])] += w
            sum += w
        }
        return sum
    }

    /// Gini impurity 1 - sum_k (count_k / total)^2, computed as scikit-learn does.
    func gini(_ counts: [Double], _ total: Double) -> Double {
        var squares = 0.0
        for c in counts { squares += c * c }
        return 1 - squares / (total * total)
    }

    /// scikit-learn's `ClassificationCriterion.update`: moves samples[start + counted ..< start + position]
    /// to the left counts, or recomputes them from the node totals minus the samples after `position`
    /// when that is the shorter walk.
    func moveLeft(_ start: Int, _ end: Int, from counted: inout Int, to position: Int, leftCounts: inout [Double],
                  weightLeft: inout Double, totals: [Double], weighted: Double) {
        let n = end - start
        if position - counted <= n - position {
            for p in counted..<position {
                let i = Int(samples[start + p]), w = weights[i]
                leftCounts[Int(labels[i])] += w
                weightLeft += w
            }
        } else {
            for k in 0..<classCount { leftCounts[k] = totals[k] }
            weightLeft = weighted
            for p in stride(from: n - 1, through: position, by: -1) {
                let i = Int(samples[start + p]), w = weights[i]
                leftCounts[Int(labels[i])] -= w
                weightLeft -= w
            }
        }
        counted = position
    }

    /// Order-preserving map of a float's bits to an unsigned integer (negative values below positive).
    @inline(__always) static func sortKey(_ v: Float) -> UInt32 {
        let b = v.bitPattern
        return b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
    }

    @inline(__always) static func value(ofKey k: UInt32) -> Float {
        Float(bitPattern: k & 0x8000_0000 != 0 ? k & 0x7FFF_FFFF : ~k)
    }

    /// scikit-learn's `node_split_best`: draws features without replacement (skipping the ones known
    /// to be constant) until `maxFeatures` non-constant ones were seen, and keeps the split of the
    /// largest proxy improvement -(wL giniL + wR giniR); the first one wins ties. Reorders
    /// samples[start..<end] into left and right and updates `constants` for the children.
    func bestSplit<R: FeatureDraw>(_ start: Int, _ end: Int, impurity: Double, totals: [Double],
                                            weighted: Double, constants: inout Int, rng: inout R) -> Split {
        let n = end - start, minLeaf = limits.minSamplesLeaf, K = classCount
        var best = Split(), bestProxy = -Double.infinity
        var fi = featureCount, visited = 0
        var foundConstants = 0, drawnConstants = 0
        let knownConstants = constants
        var totalConstants = knownConstants
        var leftCounts = [Double](repeating: 0, count: K)
        while fi > totalConstants
                && (visited < limits.maxFeatures || visited <= foundConstants + drawnConstants) {
            visited += 1
            var fj = rng.draw(drawnConstants, fi - foundConstants)
            if fj < knownConstants {
                features.swapAt(drawnConstants, fj)
                drawnConstants += 1
                continue
            }
            fj += foundConstants
            let f = Int(features[fj])
            sortSamples(start, end, feature: f)
            if sortedValues[n - 1] <= sortedValues[0] + featureThreshold {
                features.swapAt(fj, totalConstants)
                foundConstants += 1; totalConstants += 1
                continue
            }
            fi -= 1
            features.swapAt(fi, fj)
            // scan the split positions in sorted order; left-side class counts are updated as
            // scikit-learn's criterion does (forwards, or backwards from the end when shorter), so
            // that fractional weights round the same way
            for k in 0..<K { leftCounts[k] = 0 }
            var weightLeft = 0.0, p = 0, counted = 0
            while p < n {
                p += 1
                while p < n && sortedValues[p] <= sortedValues[p - 1] + featureThreshold { p += 1 }
                if p == n { continue }
                if p < minLeaf || n - p < minLeaf { continue }
                moveLeft(start, end, from: &counted, to: p, leftCounts: &leftCounts, weightLeft: &weightLeft,
                         totals: totals, weighted: weighted)
                let weightRight = weighted - weightLeft
                var squaresLeft = 0.0, squaresRight = 0.0
                for k in 0..<K {
                    let l = leftCounts[k], r = totals[k] - l
                    squaresLeft += l * l; squaresRight += r * r
                }
                let giniLeft = 1 - squaresLeft / (weightLeft * weightLeft)
                let giniRight = 1 - squaresRight / (weightRight * weightRight)
                let proxy = -weightRight * giniRight - weightLeft * giniLeft
                if proxy > bestProxy {
                    bestProxy = proxy
                    best.feature = f
                    best.position = start + p
                    best.threshold = Double(sortedValues[p - 1]) / 2 + Double(sortedValues[p]) / 2
                }
            }
        }
        if best.feature >= 0 {
            partition(start, end, feature: best.feature, threshold: best.threshold)
            var weightLeft = 0.0, counted = 0
            for k in 0..<K { leftCounts[k] = 0 }
            moveLeft(start, end, from: &counted, to: best.position - start, leftCounts: &leftCounts,
                     weightLeft: &weightLeft, totals: totals, weighted: weighted)
            let weightRight = weighted - weightLeft
            let rightCounts = (0..<K).map { totals[$0] - leftCounts[$0] }
            best.impurityLeft = gini(leftCounts, weightLeft)
            best.impurityRight = gini(rightCounts, weightRight)
            best.improvement = weighted / rootWeight * (impurity - weightRight / weighted * best.impurityRight
                                                          - weightLeft / weighted * best.impurityLeft)
        }
        // the known constants keep their order for the siblings and children
        for j in 0..<knownConstants { features[j] = constantFeatures[j] }
        for j in knownConstants..<(knownConstants + foundConstants) { constantFeatures[j] = features[j] }
        constants = totalConstants
        return best
    }

    /// Sorts samples[start..<end] by feature `f` and fills sortedValues[0..<n].
    func sortSamples(_ start: Int, _ end: Int, feature f: Int) {
        let n = end - start, base = f * rows
        let col = columns
        do {
            keys.withUnsafeMutableBufferPointer { k in
                samples.withUnsafeMutableBufferPointer { s in
                    for j in 0..<n {
                        let i = s[start + j]
                        k[j] = UInt64(TreeGrower.sortKey(col[base + Int(i)])) << 32 | UInt64(UInt32(i))
                    }
                    var head = UnsafeMutableBufferPointer(rebasing: k[0..<n])
                    head.sort()
                    sortedValues.withUnsafeMutableBufferPointer { v in
                        for j in 0..<n {
                            v[j] = TreeGrower.value(ofKey: UInt32(truncatingIfNeeded: k[j] >> 32))
                            s[start + j] = Int32(truncatingIfNeeded: k[j] & 0xFFFF_FFFF)
                        }
                    }
                }
            }
        }
    }

    /// Moves the samples of samples[start..<end] with `x[feature] <= threshold` to the front.
    func partition(_ start: Int, _ end: Int, feature f: Int, threshold: Double) {
        var p = start, stop = end
        while p < stop {
            if Double(columns[f * rows + Int(samples[p])]) <= threshold {
                p += 1
            } else {
                stop -= 1
                samples.swapAt(p, stop)
            }
        }
    }
}
