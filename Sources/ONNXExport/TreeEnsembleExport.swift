import Classical
import ONNXProto

// Legend: T trees, M nodes of one tree, K classes, F descriptor columns.
//
// One ai.onnx.ml TreeEnsembleClassifier node holds every tree as parallel node lists (nodes_*: one entry
// per node of every tree, ids as Classical's pre-order numbering) and leaf votes (class_*: K entries per
// leaf). The operator sums the votes of the leaves a row reaches, so each vote is the leaf's class
// fraction divided by T: the sum is the mean over trees of the leaf distributions, as Earmark's
// (scikit-learn's) `predict_proba`.
//
// Two classes: each leaf casts one vote, class 1's fraction / T, under class id 0 (onnxruntime's binary
// form, as scikit-learn's converter writes it): onnxruntime then outputs (1 - p1, p1) and labels class 1
// when p1 > 0.5 (Earmark's argmax, ties to class 0). Votes for both classes would be read as margins
// (label class 1 whenever p1 > 0); votes under class id 1 only would give (0, p1).

/// A random forest as the attributes of a TreeEnsembleClassifier node.
enum TreeEnsembleExport {
    /// The largest float at or below `threshold`. For a float x, `Double(x) <= threshold` (Earmark's
    /// rule) holds exactly when `x <= floatThreshold(threshold)` (BRANCH_LEQ on float thresholds), so the
    /// exported trees route every row as Earmark's do; rounding to nearest could move a training value
    /// that lies within half a float step above the threshold to the left.
    static func floatThreshold(_ threshold: Double) -> Float {
        var f = Float(threshold)
        if Double(f) > threshold { f = f.nextDown }
        return f
    }

    /// The node's attributes: BRANCH_LEQ splits (x <= threshold goes to the true (left) child), LEAF
    /// nodes voting their normalised class fractions / T (two classes: class 1's, in the binary form),
    /// post_transform NONE, labels `classes`.
    static func attributes(_ forest: RandomForestClassifier, classes: [String]) -> [Onnx_AttributeProto] {
        let k = forest.classCount, treeCount = Double(forest.trees.count)
        var treeIDs: [Int] = [], nodeIDs: [Int] = [], featureIDs: [Int] = [], modes: [String] = []
        var values: [Float] = [], trueIDs: [Int] = [], falseIDs: [Int] = []
        var voteTrees: [Int] = [], voteNodes: [Int] = [], voteClasses: [Int] = [], voteWeights: [Float] = []
        for (t, tree) in forest.trees.enumerated() {
            for node in 0..<tree.nodeCount {
                treeIDs.append(t)
                nodeIDs.append(node)
                let leaf = tree.left[node] < 0
                featureIDs.append(leaf ? 0 : Int(tree.feature[node]))
                modes.append(leaf ? "LEAF" : "BRANCH_LEQ")
                values.append(leaf ? 0 : floatThreshold(tree.threshold[node]))
                trueIDs.append(leaf ? 0 : Int(tree.left[node]))
                falseIDs.append(leaf ? 0 : Int(tree.right[node]))
                guard leaf else { continue }
                // Classical's leaf distribution: the weighted class counts over their sum (1 if empty).
                let counts = tree.value[(node * k)..<((node + 1) * k)]
                let sum = counts.reduce(0, +)
                for (c, count) in counts.enumerated() where k != 2 || c == 1 {
                    voteTrees.append(t)
                    voteNodes.append(node)
                    voteClasses.append(k == 2 ? 0 : c)
                    voteWeights.append(Float(count / (sum == 0 ? 1 : sum) / treeCount))
                }
            }
        }
        return [
            Attribute.ints("nodes_treeids", treeIDs), Attribute.ints("nodes_nodeids", nodeIDs),
            Attribute.ints("nodes_featureids", featureIDs), Attribute.strings("nodes_modes", modes),
            Attribute.floats("nodes_values", values),
            Attribute.ints("nodes_truenodeids", trueIDs), Attribute.ints("nodes_falsenodeids", falseIDs),
            Attribute.ints("class_treeids", voteTrees), Attribute.ints("class_nodeids", voteNodes),
            Attribute.ints("class_ids", voteClasses), Attribute.floats("class_weights", voteWeights),
            Attribute.strings("classlabels_strings", classes), Attribute.string("post_transform", "NONE"),
        ]
    }
}
