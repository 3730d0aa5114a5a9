import Foundation

/// How a class is read from class probabilities (a clip's mean over its windows, or one window's).
///
/// - `argmax`: the most probable class, the first of equal maxima (the reference predict step,
///   Keras's `argmax`).
/// - `threshold`: for a two-class check (OK / Not OK), the positive class whenever its probability
///   is at least `at`, the other class otherwise. This is the operating point of a ROC curve
///   (`ROC.thresholds`: "predict positive when score >= threshold"), so a threshold read off the
///   training report gives `predict` exactly the false- and true-positive rates the report states.
///   A lower threshold flags more clips: fewer faults missed, more good parts rejected.
public enum DecisionRule: Sendable, Equatable {
    case argmax
    case threshold(positive: Int, at: Float)

    /// The class index for `probabilities` (one per class, in the model's class order).
    public func decide(_ probabilities: [Float]) -> Int {
        switch self {
        case .argmax:
            return probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
        case .threshold(let positive, let t):
            precondition(probabilities.count == 2 && (0...1).contains(positive),
                         "DecisionRule: a threshold needs two classes, got \(probabilities.count)")
            return probabilities[positive] >= t ? positive : 1 - positive
        }
    }

    /// What is wrong with a `--threshold` value (one line naming the option), or nil. The value is
    /// read as a Float, so that the threshold the report prints (the shortest decimal of a Float
    /// probability) is that probability exactly.
    public static func problem(threshold: String) -> String? {
        guard let t = Float(threshold), t.isFinite, (0...1).contains(t) else {
            return "--threshold must be a probability in [0, 1], not '\(threshold)'"
        }
        return nil
    }

    /// The rule that `predict --threshold T [--positive-class NAME]` asks for with a model of
    /// `classes`: `argmax` without T; with T, the positive class is NAME, else the second class
    /// (sorted), the training report's positive class.
    /// - Throws: `FileError` naming `model` when the model does not have two classes or has no
    ///   class NAME.
    public static func make(threshold: String?, positiveClass: String?, classes: [String],
                            model: String) throws -> DecisionRule {
        guard let threshold else { return .argmax }
        if let problem = problem(threshold: threshold) { throw FileError(model, problem) }
        guard classes.count == 2 else {
            throw FileError(model, "has \(classes.count) classes (\(classes.joined(separator: ", "))): "
                            + "--threshold applies to a two-class model")
        }
        var positive = 1
        if let positiveClass {
            guard let k = classes.firstIndex(of: positiveClass) else {
                throw FileError(model, "has no class '\(positiveClass)' for --positive-class "
                                + "(its classes: \(classes.joined(separator: ", ")))")
            }
            positive = k
        }
        return .threshold(positive: positive, at: Float(threshold)!)
    }

    /// One line saying the rule in words, e.g. "decision: `reject` when p(reject) >= 0.35, else `ok`";
    /// nil for `argmax`.
    public func summary(classes: [String]) -> String? {
        guard case .threshold(let positive, let t) = self else { return nil }
        return "decision: `\(classes[positive])` when p(\(classes[positive])) >= \(t), else `\(classes[1 - positive])`"
    }

    /// The rule as JSON (`predict --json`'s result object): nil for `argmax`.
    public func json(classes: [String]) -> [String: Any]? {
        guard case .threshold(let positive, let t) = self else { return nil }
        return ["positive_class": classes[positive], "threshold": Double("\(t)")!]   // 0.35, not 0.3499999940
    }
}
