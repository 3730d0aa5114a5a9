import Foundation
import Tensor

/// How raw features become network inputs. Fitted once to the raw training features, applied to
/// the training and validation windows, stored in the feature cache and with the model, and
/// applied by `predict` to every window it classifies.
///
/// A new method (e.g. per-coefficient mean/std) is a new case here: fitting, the usability check,
/// `apply(to:)` and the stored forms are switches over the cases, so the compiler lists every place.
public enum FeatureScaling: Equatable, Sendable {
    /// x' = (x - min) / (max - min), one global scalar min and max over every value of the raw
    /// training features (the reference workflow's scaling, docs/WORKFLOW.md §5).
    case minMax(min: Float, max: Float)
    /// x' = (x - mean_j) / std_j per column j of the last axis (population std; a constant column
    /// divides by 1, as scikit-learn's StandardScaler), fitted to the raw training rows. Used for
    /// descriptor rows, whose columns have unrelated units.
    case standard(mean: [Float], std: [Float])

    /// The min/max scaling of `x`: its smallest and largest value (+inf and -inf for an empty x).
    ///
    ///     x (any shape) -> .minMax(min x, max x)
    public static func minMax(fittedTo x: Tensor) -> FeatureScaling {
        x.data.withUnsafeBufferPointer { p in
            var lo = Float.infinity, hi = -Float.infinity
            for v in p { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
            return .minMax(min: lo, max: hi)
        }
    }

    /// The per-column standard scaling of x (N, F): each column's mean and population standard
    /// deviation, in Double (1 for a constant column).
    ///
    ///     x (N, F) -> .standard(mean (F), std (F))
    public static func standard(fittedTo x: Tensor) -> FeatureScaling {
        let f = x.shape.last ?? 0, n = f == 0 ? 0 : x.count / f
        var mean = [Double](repeating: 0, count: f), square = [Double](repeating: 0, count: f)
        for i in 0..<n { for j in 0..<f { mean[j] += Double(x.data[i * f + j]) } }
        mean = mean.map { $0 / Double(max(n, 1)) }
        for i in 0..<n { for j in 0..<f { let d = Double(x.data[i * f + j]) - mean[j]; square[j] += d * d } }
        let std = square.map { s -> Float in
            let v = (s / Double(max(n, 1))).squareRoot()
            return v > 0 ? Float(v) : 1
        }
        return .standard(mean: mean.map(Float.init), std: n == 0 ? [] : std)
    }

    /// Why the scaling cannot be applied (`constant or not finite (min 0.0, max 0.0)`), nil when it can.
    public var problem: String? {
        switch self {
        case let .minMax(lo, hi):
            lo.isFinite && hi.isFinite && hi > lo ? nil : "constant or not finite (min \(lo), max \(hi))"
        case let .standard(mean, std):
            !mean.isEmpty && mean.count == std.count && (mean + std).allSatisfy(\.isFinite) && std.allSatisfy { $0 > 0 }
                ? nil : "without rows or not finite"
        }
    }

    /// Scales `x` in place (any shape, every value alike).
    public func apply(to x: inout Tensor) {
        switch self {
        case let .minMax(lo, hi):
            let inv = 1 / (hi - lo)
            x.data.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = (p[i] - lo) * inv } }
        case let .standard(mean, std):
            let f = mean.count
            precondition(x.shape.last == f, "standard scaling of \(f) columns applied to \(x.shape)")
            x.data.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] = (p[i] - mean[i % f]) / std[i % f] }
            }
        }
    }

    // MARK: - Stored forms

    /// Model-file metadata entries: `feature_min` and `feature_max`, Swift's shortest round-trip
    /// text of each Float.
    public var metadata: [String: String] {
        switch self {
        case let .minMax(lo, hi): ["feature_min": String(lo), "feature_max": String(hi)]
        case let .standard(mean, std):
            ["feature_mean": "[" + mean.map { String($0) }.joined(separator: ",") + "]",
             "feature_std": "[" + std.map { String($0) }.joined(separator: ",") + "]"]
        }
    }

    /// Feature-cache tensors: `min` and `max`, shape [1] each.
    public var tensors: [String: Tensor] {
        switch self {
        case let .minMax(lo, hi): ["min": Tensor(shape: [1], data: [lo]), "max": Tensor(shape: [1], data: [hi])]
        case let .standard(mean, std):
            ["mean": Tensor(shape: [mean.count], data: mean), "std": Tensor(shape: [std.count], data: std)]
        }
    }

    /// Stored scaling values that are unusable.
    public struct InvalidMetadata: Error, CustomStringConvertible, Equatable, Sendable {
        public let description: String
    }

    /// Reads back what `metadata` wrote; `value` returns a key's text and throws when the key is missing.
    /// - Throws: what `value` throws, or `InvalidMetadata` when the values are not numbers or
    ///   `problem` is not nil.
    public init(metadata value: (String) throws -> String) throws {
        let minText: String
        do { minText = try value("feature_min") } catch {
            // no min/max: a standard scaling, or else the reader's error for feature_min
            guard let meanText = try? value("feature_mean") else { throw error }
            func floats(_ text: String) -> [Float]? {
                guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
                let items = text.dropFirst().dropLast().split(separator: ",").map { Float($0) }
                return items.contains(nil) ? nil : items.map { $0! }
            }
            guard let mean = floats(meanText), let std = floats(try value("feature_std")) else {
                throw InvalidMetadata(description: Self.invalidStandard)
            }
            self = .standard(mean: mean, std: std)
            guard problem == nil else { throw InvalidMetadata(description: Self.invalidStandard) }
            return
        }
        guard let lo = Float(minText), let hi = Float(try value("feature_max")) else {
            throw InvalidMetadata(description: Self.invalidMinMax)
        }
        self = .minMax(min: lo, max: hi)
        guard problem == nil else { throw InvalidMetadata(description: Self.invalidMinMax) }
    }

    static let invalidStandard = "metadata feature_mean/feature_std are not two equally long lists of finite "
        + "numbers with positive deviations"
    static let invalidMinMax = "metadata feature_min/feature_max are not two finite numbers with min < max"
}
