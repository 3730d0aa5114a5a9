import Layers

/// `training.learning_rate_schedule`: one of Keras's learning-rate schedules, its initial rate the
/// section's `learning_rate` (docs/FORMATS.md §3.5). The rate changes before every update, not every
/// epoch, as in Keras.
public struct ScheduleSetting: Equatable, Sendable {
    /// The schedule's kinds, by their config names (Keras's class names in snake case).
    public enum Kind: String, CaseIterable, Sendable {
        case cosineDecay = "cosine_decay"
        case exponentialDecay = "exponential_decay"
        case inverseTimeDecay = "inverse_time_decay"
        case polynomialDecay = "polynomial_decay"
        case piecewiseConstantDecay = "piecewise_constant_decay"

        /// The keys of this kind's mapping besides `kind`.
        var keys: [String] {
            switch self {
            case .cosineDecay: return ["decay_steps", "alpha", "warmup_target", "warmup_steps"]
            case .exponentialDecay, .inverseTimeDecay: return ["decay_steps", "decay_rate", "staircase"]
            case .polynomialDecay: return ["decay_steps", "end_learning_rate", "power", "cycle"]
            case .piecewiseConstantDecay: return ["boundaries", "values"]
            }
        }
    }

    /// The schedule as configured; when `overWholeRun`, its decay length is a placeholder that
    /// `schedule(epochs:stepsPerEpoch:)` replaces.
    public var configured: LearningRateSchedule
    /// `decay_steps` was left out: the schedule decays over the run's planned updates (after the
    /// warmup, for a cosine decay with one).
    public var overWholeRun: Bool

    public init(_ configured: LearningRateSchedule, overWholeRun: Bool = false) {
        self.configured = configured
        self.overWholeRun = overWholeRun
    }

    /// The configured schedule's kind.
    public var kind: Kind {
        switch configured {
        case .cosineDecay: return .cosineDecay
        case .exponentialDecay: return .exponentialDecay
        case .inverseTimeDecay: return .inverseTimeDecay
        case .polynomialDecay: return .polynomialDecay
        case .piecewiseConstantDecay: return .piecewiseConstantDecay
        }
    }

    /// The schedule of a run of `epochs` epochs of `stepsPerEpoch` updates each.
    public func schedule(epochs: Int, stepsPerEpoch: Int) -> LearningRateSchedule {
        guard overWholeRun else { return configured }
        var steps = epochs * stepsPerEpoch
        if case let .cosineDecay(_, _, _, target, warmup) = configured, target != nil { steps -= warmup }
        return configured.decaying(over: max(1, steps))
    }

    /// The mapping as `yaml()` prints it: every key of the kind, defaults filled in, `decay_steps`
    /// left out when the schedule spans the whole run.
    func yamlMapping() -> String {
        let decay = { (steps: Int) in self.overWholeRun ? "" : "decay_steps: \(steps), " }
        let entries: String
        switch configured {
        case let .cosineDecay(_, steps, alpha, target, warmup):
            entries = "kind: cosine_decay, " + decay(steps) + "alpha: \(alpha)"
                + (target.map { ", warmup_target: \($0), warmup_steps: \(warmup)" } ?? "")
        case let .exponentialDecay(_, steps, rate, staircase):
            entries = "kind: exponential_decay, " + decay(steps) + "decay_rate: \(rate), staircase: \(staircase)"
        case let .inverseTimeDecay(_, steps, rate, staircase):
            entries = "kind: inverse_time_decay, " + decay(steps) + "decay_rate: \(rate), staircase: \(staircase)"
        case let .polynomialDecay(_, steps, end, power, cycle):
            entries = "kind: polynomial_decay, " + decay(steps)
                + "end_learning_rate: \(end), power: \(power), cycle: \(cycle)"
        case let .piecewiseConstantDecay(boundaries, values):
            entries = "kind: piecewise_constant_decay, boundaries: [\(boundaries.map(String.init).joined(separator: ", "))], "
                + "values: [\(values.map { "\($0)" }.joined(separator: ", "))]"
        }
        return "{" + entries + "}"
    }
}

extension ExperimentConfig {
    /// `learning_rate_schedule`, its initial rate `learningRate`. A piecewise schedule's first value is
    /// the initial rate: it becomes `learningRate`, and a `learning_rate` key (`learningRateNode`) that
    /// differs from it is an error.
    static func decodeSchedule(_ node: ConfigNode, learningRate: inout Double,
                               learningRateNode: ConfigNode?) throws -> ScheduleSetting {
        guard node.isMapping else { throw node.error("must be a mapping {kind: ..., ...}") }
        guard let kindNode = node.peek("kind") else {
            throw node.error("needs kind: one of "
                             + ScheduleSetting.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let kind = try kindNode.choice(ScheduleSetting.Kind.self, among: ScheduleSetting.Kind.allCases)
        let m = try node.mapping(allowed: ["kind"] + kind.keys)
        let initial = Float(learningRate)
        let decaySteps = try m["decay_steps"]?.int(min: 1, max: 1_000_000_000)
        let steps = decaySteps ?? 1, whole = decaySteps == nil
        func required(_ key: String) throws -> ConfigNode {
            guard let v = m[key] else { throw node.error("kind \(kind.rawValue) needs \(key)") }
            return v
        }
        switch kind {
        case .cosineDecay:
            let alpha = Float(try m["alpha"]?.double(min: 0, max: 1) ?? 0)
            let target = try m["warmup_target"].map { Float(try $0.double(min: 0, max: 10, minExclusive: true)) }
            let warmup = try m["warmup_steps"]?.int(min: 1, max: 1_000_000_000)
            if (target == nil) != (warmup == nil) {
                throw node.error("warmup_target and warmup_steps go together (the rate rises from learning_rate "
                                 + "to warmup_target over warmup_steps updates)")
            }
            return ScheduleSetting(.cosineDecay(initial: initial, decaySteps: steps, alpha: alpha, warmupTarget: target,
                                                warmupSteps: warmup ?? 0), overWholeRun: whole)
        case .exponentialDecay, .inverseTimeDecay:
            let rate = Float(try required("decay_rate").double(min: 0, max: kind == .exponentialDecay ? 1 : 1e6,
                                                               minExclusive: true))
            let staircase = try m["staircase"]?.bool() ?? false
            return ScheduleSetting(kind == .exponentialDecay
                ? .exponentialDecay(initial: initial, decaySteps: steps, decayRate: rate, staircase: staircase)
                : .inverseTimeDecay(initial: initial, decaySteps: steps, decayRate: rate, staircase: staircase),
                overWholeRun: whole)
        case .polynomialDecay:
            let end = Float(try m["end_learning_rate"]?.double(min: 0, max: 10) ?? 0.0001)
            let power = Float(try m["power"]?.double(min: 0, max: 100, minExclusive: true) ?? 1)
            return ScheduleSetting(.polynomialDecay(initial: initial, decaySteps: steps, end: end, power: power,
                                                    cycle: try m["cycle"]?.bool() ?? false), overWholeRun: whole)
        case .piecewiseConstantDecay:
            let boundaries = try required("boundaries").sequence().map { try $0.int(min: 0, max: 1_000_000_000) }
            let valueNodes = try required("values").sequence()
            let rates = try valueNodes.map { try $0.double(min: 0, max: 10, minExclusive: true) }
            let values = rates.map { Float($0) }
            guard !boundaries.isEmpty, zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw try required("boundaries").error("must be one or more increasing step numbers")
            }
            guard values.count == boundaries.count + 1 else {
                throw try required("values").error("must hold one rate more than boundaries (\(boundaries.count + 1), "
                                                   + "not \(values.count))")
            }
            if let learningRateNode, learningRate != rates[0] {
                throw learningRateNode.error("is \(learningRate), but learning_rate_schedule's first value is \(rates[0]) "
                                             + "(leave learning_rate out: the schedule's values are the rates)")
            }
            learningRate = rates[0]
            return ScheduleSetting(.piecewiseConstantDecay(boundaries: boundaries, values: values))
        }
    }
}
