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

    /// Why the scaling cannot be applied (`constant or not finite (min 0.0, max 0.0)`), nil when it can.
    public var problem: String? {
        switch self {
        case let .minMax(lo, hi):
            lo.isFinite && hi.isFinite && hi > lo ? nil : "constant or not finite (min \(lo), max \(hi))"
        }
    }

    /// Scales `x` in place (any shape, every value alike).
    public func apply(to x: inout Tensor) {
        switch self {
        case let .minMax(lo, hi):
            let inv = 1 / (hi - lo)
            x.data.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = (p[i] - lo) * inv } }
        }
    }

    // MARK: - Stored forms

    /// Model-file metadata entries: `feature_min` and `feature_max`, Swift's shortest round-trip
    /// text of each Float.
    public var metadata: [String: String] {
        switch self {
        case let .minMax(lo, hi): ["feature_min": String(lo), "feature_max": String(hi)]
        }
    }

    /// Feature-cache tensors: `min` and `max`, shape [1] each.
    public var tensors: [String: Tensor] {
        switch self {
        case let .minMax(lo, hi): ["min": Tensor(shape: [1], data: [lo]), "max": Tensor(shape: [1], data: [hi])]
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
        guard let lo = Float(try value("feature_min")), let hi = Float(try value("feature_max")) else {
            throw InvalidMetadata(description: Self.invalidMinMax)
        }
        self = .minMax(min: lo, max: hi)
        guard problem == nil else { throw InvalidMetadata(description: Self.invalidMinMax) }
    }

    static let invalidMinMax = "metadata feature_min/feature_max are not two finite numbers with min < max"
}
