import Foundation
import Tensor

/// How raw features become network inputs. Fitted once to the raw training features, applied to
/// the training and validation windows, stored in the feature cache and with the model, and
/// applied by `predict` to every window it classifies.
///
/// A new method is a new case here: fitting, the usability check,
/// `apply(to:)` and the stored forms are switches over the cases, so the compiler lists every place.
public enum FeatureScaling: Equatable, Sendable {
    /// x' = (x - min) / (max - min), one global scalar min and max over every value of the raw
    /// training features (the reference workflow's scaling, docs/WORKFLOW.md §5).
    case minMax(min: Float, max: Float)
    /// x' = (x - mean[c]) / std[c] for coefficient c (the last feature axis: the values of one
    /// frame, or the columns of a descriptor row), mean and population std over every frame of the
    /// raw training features (`scaling: standard`). A constant coefficient (std below
    /// `standardFloor`) is divided by 1, as scikit-learn's StandardScaler does: it is only centred.
    case standard(mean: [Float], std: [Float])

    /// The smallest std `standard` divides by; a coefficient with less gets 1.
    public static let standardFloor: Float = 1e-6

    /// The scaling `method` fitted to the raw training features `x`, whose values are frames of
    /// `coefficients` values each (any leading shape, e.g. (W, F, C, 1) or (W, F, C)).
    public static func fitted(_ method: FeatureConfig.ScalingMethod, to x: Tensor,
                              coefficients: Int) -> FeatureScaling {
        switch method {
        case .minmax: minMax(fittedTo: x)
        case .standard: standard(fittedTo: x, coefficients: coefficients)
        }
    }

    /// Per-coefficient mean and std (ddof 0, two passes in Double; a std below `standardFloor`
    /// becomes 1). Empty x gives NaN means (`problem` then says so).
    ///
    ///     x (N * C values, value i of coefficient i % C) -> .standard(mean (C), std (C))
    public static func standard(fittedTo x: Tensor, coefficients C: Int) -> FeatureScaling {
        precondition(C >= 1 && x.count % C == 0, "standard scaling: \(x.count) values are not frames of \(C)")
        let n = Double(x.count / C)
        var sum = [Double](repeating: 0, count: C), squares = [Double](repeating: 0, count: C)
        x.data.withUnsafeBufferPointer { p in
            for i in p.indices { sum[i % C] += Double(p[i]) }
            for c in 0..<C { sum[c] /= n }
            for i in p.indices { let d = Double(p[i]) - sum[i % C]; squares[i % C] += d * d }
        }
        return .standard(mean: sum.map { Float($0) },
                         std: squares.map { squares in
                             let std = Float((squares / n).squareRoot())
                             return std < standardFloor ? 1 : std
                         })
    }

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
            // hi - lo must be finite too: (x - lo) / (hi - lo) made every input 0 for -3e38 ... 3e38
            lo.isFinite && hi.isFinite && hi > lo && (hi - lo).isFinite
                ? nil : "constant or not finite (min \(lo), max \(hi))"
        case let .standard(mean, std):
            !mean.isEmpty && mean.count == std.count && mean.allSatisfy(\.isFinite)
                && std.allSatisfy({ $0.isFinite && $0 >= Self.standardFloor })
                ? nil : "not finite or empty (\(mean.count) means, \(std.count) standard deviations)"
        }
    }

    /// Scales `x` in place (min/max: any shape, every value alike; standard: value i by coefficient i % C).
    public func apply(to x: inout Tensor) {
        x.data.withUnsafeMutableBufferPointer { apply(to: $0) }
    }

    /// `apply(to:)` on raw values that start at a frame boundary (one example's features, or many).
    ///
    ///     values (k * C) -> scaled in place
    public func apply(to p: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case let .minMax(lo, hi):
            let inv = 1 / (hi - lo)
            for i in p.indices { p[i] = (p[i] - lo) * inv }
        case let .standard(mean, std):
            let C = mean.count
            precondition(p.count % C == 0, "standard scaling of \(C) coefficients applied to \(p.count) values")
            for i in p.indices { p[i] = (p[i] - mean[i % C]) / std[i % C] }
        }
    }

    /// Coefficients per frame the scaling was fitted to (nil for the global min/max).
    public var coefficients: Int? {
        switch self {
        case .minMax: nil
        case let .standard(mean, _): mean.count
        }
    }

    // MARK: - Stored forms

    /// Model-file metadata entries: `feature_min` and `feature_max`, Swift's shortest round-trip
    /// text of each Float; for `standard`, `feature_scaling: standard` and `feature_mean` /
    /// `feature_std` as JSON lists of such texts (a file without `feature_scaling` is min/max).
    public var metadata: [String: String] {
        switch self {
        case let .minMax(lo, hi): ["feature_min": String(lo), "feature_max": String(hi)]
        case let .standard(mean, std):
            ["feature_scaling": "standard", "feature_mean": Self.list(mean), "feature_std": Self.list(std)]
        }
    }

    static func list(_ values: [Float]) -> String { "[" + values.map { String($0) }.joined(separator: ", ") + "]" }

    static func parseList(_ text: String) -> [Float]? {
        guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
        let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        if inner.isEmpty { return [] }
        let values = inner.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        return values.contains(nil) ? nil : values.map { $0! }
    }

    /// Feature-cache tensors: `min` and `max`, shape [1] each; `mean` and `std`, shape [C] each.
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

    /// Reads back what `metadata` wrote; `value` returns a key's text and throws when the key is
    /// missing; `method` is the stored `feature_scaling` entry (nil, as in files without it, or
    /// "minmax": min/max; "standard": mean and std).
    /// - Throws: what `value` throws, or `InvalidMetadata` when the values are not numbers, the
    ///   method is unknown, or `problem` is not nil.
    public init(metadata value: (String) throws -> String, method: String? = nil) throws {
        if method == FeatureConfig.ScalingMethod.standard.rawValue {
            guard let mean = Self.parseList(try value("feature_mean")),
                  let std = Self.parseList(try value("feature_std")) else {
                throw InvalidMetadata(description: Self.invalidStandard)
            }
            self = .standard(mean: mean, std: std)
            guard problem == nil else { throw InvalidMetadata(description: Self.invalidStandard) }
            return
        }
        guard method == nil || method == FeatureConfig.ScalingMethod.minmax.rawValue else {
            throw InvalidMetadata(description: "metadata feature_scaling '\(method!)' is not minmax or standard")
        }
        guard let lo = Float(try value("feature_min")), let hi = Float(try value("feature_max")) else {
            throw InvalidMetadata(description: Self.invalidMinMax)
        }
        self = .minMax(min: lo, max: hi)
        guard problem == nil else { throw InvalidMetadata(description: Self.invalidMinMax) }
    }

    static let invalidStandard = "metadata feature_mean/feature_std are not two equal-length lists of finite "
        + "numbers (std >= 1e-6)"
    static let invalidMinMax = "metadata feature_min/feature_max are not two finite numbers with min < max"
}
