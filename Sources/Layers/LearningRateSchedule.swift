import Foundation

/// Keras 3's learning-rate schedules (`keras.optimizers.schedules`): the rate of each update as a
/// function of the update's index. An optimizer with a schedule evaluates it before every update at
/// its `iterations` (the updates already applied: the first update is step 0), as Keras's
/// `optimizer.learning_rate` does, in float32 as Keras does; the weight decay uses the same rate.
///
///     cosineDecay:      s' = min(s, decaySteps); lr = initial * ((1 - alpha) * 0.5 (1 + cos(pi s' / decaySteps)) + alpha)
///                       with warmup: s < warmupSteps: lr = initial + (warmupTarget - initial) * s / warmupSteps,
///                       then the cosine from warmupTarget over s - warmupSteps
///     exponentialDecay: lr = initial * decayRate ^ (s / decaySteps)         (staircase: floor of the exponent)
///     inverseTimeDecay: lr = initial / (1 + decayRate * s / decaySteps)     (staircase: floor of s / decaySteps)
///     polynomialDecay:  lr = (initial - end) * (1 - s' / D) ^ power + end, s' = min(s, decaySteps), D = decaySteps
///                       (cycle: s' = s and D = decaySteps * max(1, ceil(s / decaySteps)))
///     piecewiseConstantDecay: values[0] while s <= boundaries[0], values[i] while
///                       boundaries[i-1] < s <= boundaries[i], the last value after the last boundary
public enum LearningRateSchedule: Equatable, Sendable {
    case cosineDecay(initial: Float, decaySteps: Int, alpha: Float, warmupTarget: Float?, warmupSteps: Int)
    case exponentialDecay(initial: Float, decaySteps: Int, decayRate: Float, staircase: Bool)
    case inverseTimeDecay(initial: Float, decaySteps: Int, decayRate: Float, staircase: Bool)
    case polynomialDecay(initial: Float, decaySteps: Int, end: Float, power: Float, cycle: Bool)
    /// `values` has one more element than `boundaries`, which are increasing.
    case piecewiseConstantDecay(boundaries: [Int], values: [Float])

    /// The learning rate of update `step` (0-based: the optimizer's `iterations` before the update).
    public func rate(atStep step: Int) -> Float {
        let s = Float(step)
        switch self {
        case let .cosineDecay(initial, decaySteps, alpha, warmupTarget, warmupSteps):
            let d = Float(decaySteps)
            guard let target = warmupTarget else {
                return Self.cosine(min(s, d), over: d, from: initial, alpha: alpha)
            }
            let w = Float(warmupSteps), clamped = min(s, d + w)
            if clamped < w { return (target - initial) * (clamped / w) + initial }
            return Self.cosine(clamped - w, over: d, from: target, alpha: alpha)
        case let .exponentialDecay(initial, decaySteps, decayRate, staircase):
            var p = s / Float(decaySteps)
            if staircase { p = p.rounded(.down) }
            return initial * powf(decayRate, p)
        case let .inverseTimeDecay(initial, decaySteps, decayRate, staircase):
            var p = s / Float(decaySteps)
            if staircase { p = p.rounded(.down) }
            return initial / (1 + decayRate * p)
        case let .polynomialDecay(initial, decaySteps, end, power, cycle):
            var d = Float(decaySteps), sr = s
            if cycle {
                d *= s == 0 ? 1 : (s / Float(decaySteps)).rounded(.up)
            } else {
                sr = min(s, d)
            }
            return (initial - end) * powf(1 - sr / d, power) + end
        case let .piecewiseConstantDecay(boundaries, values):
            let i = boundaries.firstIndex { step <= $0 } ?? boundaries.count
            return values[i]
        }
    }

    /// Keras's `_decay_function` of CosineDecay: `from` scaled by the cosine of `s / d` of a half turn,
    /// lifted to `alpha` of it at the end.
    private static func cosine(_ s: Float, over d: Float, from rate: Float, alpha: Float) -> Float {
        let decayed = 0.5 * (1 + cosf(Float.pi * (s / d)))
        return rate * ((1 - alpha) * decayed + alpha)
    }

    /// The same schedule decaying over `steps` updates (the piecewise schedule, which has no decay
    /// length, unchanged).
    public func decaying(over steps: Int) -> LearningRateSchedule {
        precondition(steps > 0, "LearningRateSchedule: decay over \(steps) steps")
        switch self {
        case let .cosineDecay(initial, _, alpha, target, warmup):
            return .cosineDecay(initial: initial, decaySteps: steps, alpha: alpha, warmupTarget: target,
                                warmupSteps: warmup)
        case let .exponentialDecay(initial, _, rate, staircase):
            return .exponentialDecay(initial: initial, decaySteps: steps, decayRate: rate, staircase: staircase)
        case let .inverseTimeDecay(initial, _, rate, staircase):
            return .inverseTimeDecay(initial: initial, decaySteps: steps, decayRate: rate, staircase: staircase)
        case let .polynomialDecay(initial, _, end, power, cycle):
            return .polynomialDecay(initial: initial, decaySteps: steps, end: end, power: power, cycle: cycle)
        case .piecewiseConstantDecay:
            return self
        }
    }
}
