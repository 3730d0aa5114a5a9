import CSupport
import Foundation
import Tensor

/// Updates parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    /// Number of updates applied so far (Keras `iterations`).
    var iterations: Int { get }
    /// The learning rate of the next steps (`reduce_lr_on_plateau` may change it between epochs; with a
    /// `schedule` it is the rate of the last update).
    var learningRate: Float { get set }
    /// Keras's learning-rate schedule: when set, every update first sets `learningRate` to the
    /// schedule's rate at `iterations` (nil: the rate stays as set).
    var schedule: LearningRateSchedule? { get }
    /// Applies one update to every parameter from its `grad` (gradients are not cleared).
    func step(_ parameters: [Parameter])
    /// The optimizer's state for checkpoints, by name (e.g. `adam/m/3`), plus `iterations`.
    func state() -> [String: Tensor]
    /// Restores a state returned by `state()` for the same parameter list.
    /// - Throws: `ShapeError` when a slot is missing or has the wrong shape.
    func restore(_ state: [String: Tensor], for parameters: [Parameter]) throws
}

/// An optimizer whose update of an element depends only on that element's value, gradient and
/// state (and, when it clips by norm, on each parameter's gradient norm, known before the update), so
/// that disjoint element ranges can be updated on different threads (Pipeline's `TrainingEngine`).
/// `step` does the same update on the calling thread.
public protocol ElementwiseOptimizer: Optimizer {
    /// Whether the update needs parameters' summed squared gradients (`clipnorm`, `global_clipnorm`),
    /// which the engine supplies to `withUpdate`.
    var needsGradientNorms: Bool { get }
    /// Whether it needs every parameter's before it can update any (`global_clipnorm`): the update then
    /// cannot overlap the backward pass. (`clipnorm` needs only the parameter's own, final once every
    /// replica has finished its layer.)
    var needsEveryGradientNorm: Bool { get }
    /// Counts one step (Keras `iterations`) and sizes the state for `parameters`.
    func beginStep(_ parameters: [Parameter])
    /// Calls `body` with this step's update; the update holds pointers to the optimizer's state and is
    /// valid only during the call. Ranges given to it concurrently must not overlap. `sumOfSquares(i)`:
    /// parameter i's (summed) gradient's `GradientClipping.sumOfSquares`, asked for from the threads
    /// that update it, only once its gradient is final; required when `needsGradientNorms`.
    func withUpdate(_ parameters: [Parameter], sumOfSquares: (@Sendable (Int) -> Double)?,
                    _ body: (ElementwiseUpdate) -> Void)
}

/// One step's update of an `ElementwiseOptimizer`: `update(i, w, g, range)` updates elements `range`
/// of parameter `i` (value `w`, gradient `g`, both the whole parameter's storage);
/// `update.consuming(i, w, g0, g1, range)` updates them from g0 + g1 (g1 nil: g0) and leaves both zero.
public struct ElementwiseUpdate: @unchecked Sendable {
    public typealias Consuming = (Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                  UnsafeMutablePointer<Float>?, Range<Int>) -> Void
    let body: (Int, UnsafeMutablePointer<Float>, UnsafePointer<Float>, Range<Int>) -> Void
    let consumingBody: Consuming
    let prepareBody: (Int) -> Void
    init(_ body: @escaping (Int, UnsafeMutablePointer<Float>, UnsafePointer<Float>, Range<Int>) -> Void,
         consuming: @escaping Consuming, prepare: @escaping (Int) -> Void = { _ in }) {
        self.body = body
        consumingBody = consuming
        prepareBody = prepare
    }
    /// Takes what the update of parameter i needs from its whole gradient (its norm, when clipping by
    /// norm) while that gradient is still the replicas' untouched sum: call it before changing any
    /// element of parameter i's gradients (the caller that sums replicas into one of them in place).
    public func prepare(_ i: Int) { prepareBody(i) }
    public func callAsFunction(_ i: Int, _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                               _ range: Range<Int>) {
        body(i, w, g, range)
    }
    /// Updates elements `range` of parameter `i` from g0 + g1 (the sum rounded once; g1 nil: g0 alone)
    /// and sets those elements of g0 and g1 to zero: two replicas' gradients summed, used and cleared
    /// for the next step in one pass.
    public func consuming(_ i: Int, _ w: UnsafeMutablePointer<Float>, _ g0: UnsafeMutablePointer<Float>,
                          _ g1: UnsafeMutablePointer<Float>?, _ range: Range<Int>) {
        consumingBody(i, w, g0, g1, range)
    }
}

/// One tensor of optimizer state in a box of its own, so that the pointers to several of them can be
/// held at once (`Tensor.withStorage(of:_:_:)`; nested accesses to elements of one stored array would
/// overlap).
final class StateBuffer {
    var tensor: Tensor
    init(_ tensor: Tensor) { self.tensor = tensor }
}

/// Adam in Keras's form (docs/WORKFLOW.md §7.6), with Keras's decoupled `weight_decay` (AdamW):
///
///     alpha_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
///     m += (g - m) * (1 - beta1);  v += (g^2 - v) * (1 - beta2)
///     w -= w * weight_decay * lr                      (weight_decay > 0 only)
///     w -= alpha_t * m / (sqrt(v) + epsilon)
public final class Adam: ElementwiseOptimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    /// Decoupled weight decay per step, as a fraction of `learningRate` (Keras `weight_decay`; 0: none).
    public let weightDecay: Float
    /// Keras's `clipnorm` / `global_clipnorm` / `clipvalue`, applied by `step` and inside the update of
    /// `withUpdate` (nil: none).
    public let clipping: GradientClipping?
    public var needsGradientNorms: Bool { clipping?.needsNorms ?? false }
    public var needsEveryGradientNorm: Bool { clipping?.needsEveryNorm ?? false }
    public var schedule: LearningRateSchedule?
    public private(set) var iterations = 0
    private var m: [StateBuffer] = [], v: [StateBuffer] = []
    private var alpha: Float = 0

    /// `schedule`, when given, sets the rate of every update (its step-0 rate replaces `learningRate`).
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                weightDecay: Float = 0, clipping: GradientClipping? = nil, schedule: LearningRateSchedule? = nil) {
        precondition(weightDecay >= 0, "Adam: weight decay \(weightDecay)")
        self.learningRate = schedule?.rate(atStep: 0) ?? learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.clipping = clipping; self.schedule = schedule
    }

    /// One update of every parameter from its `grad` (clipped first, in place, when `clipping` is set).
    public func step(_ parameters: [Parameter]) {
        clipping?.apply(to: parameters)
        beginStep(parameters)
        let (alpha, b1, b2, eps, decay) = (alpha, 1 - beta1, 1 - beta2, epsilon, weightDecay)
        for (i, p) in parameters.enumerated() {
            p.value.data.withUnsafeMutableBufferPointer { w in
                p.grad.data.withUnsafeBufferPointer { g in
                    m[i].tensor.data.withUnsafeMutableBufferPointer { mm in
                        v[i].tensor.data.withUnsafeMutableBufferPointer { vv in
                            Adam.update(w: w.baseAddress!, g: g.baseAddress!, m: mm.baseAddress!, v: vv.baseAddress!,
                                        range: 0..<w.count, alpha: alpha, b1: b1, b2: b2, eps: eps, decay: decay,
                                        learningRate: learningRate, clip: .none)
                        }
                    }
                }
            }
        }
    }

    public func beginStep(_ parameters: [Parameter]) {
        if m.count != parameters.count {
            m = parameters.map { StateBuffer(Tensor(shape: $0.value.shape)) }
            v = parameters.map { StateBuffer(Tensor(shape: $0.value.shape)) }
        }
        for (i, p) in parameters.enumerated() {
            precondition(m[i].tensor.count == p.value.count, "Adam: parameter \(p.name) changed size")
        }
        if let schedule { learningRate = schedule.rate(atStep: iterations) }
        iterations += 1
        let t = Double(iterations)
        alpha = Float(Double(learningRate) * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
    }

    /// The update of `step` by element ranges, the clipping inside it: each element's gradient is
    /// clipped as `GradientClipping.apply` would leave it (from `sumOfSquares` for a norm), bit for bit.
    public func withUpdate(_ parameters: [Parameter], sumOfSquares: (@Sendable (Int) -> Double)? = nil,
                           _ body: (ElementwiseUpdate) -> Void) {
        precondition(!needsGradientNorms || sumOfSquares != nil,
                     "Adam.withUpdate: clipping by norm needs the parameters' sums of squares")
        let clip: (Int) -> ElementwiseClip = clipping.map { clipping in
            clipping.elementwise(count: parameters.count,
                                 sumOfSquares: sumOfSquares ?? { _ in preconditionFailure("no sums of squares") })
        } ?? { _ in .none }
        let (alpha, b1, b2, eps, decay, lr) = (alpha, 1 - beta1, 1 - beta2, epsilon, weightDecay, learningRate)
        Tensor.withStorage(of: m, \.tensor) { mp in
            Tensor.withStorage(of: v, \.tensor) { vp in
                body(ElementwiseUpdate({ i, w, g, range in
                    Adam.update(w: w, g: g, m: mp[i], v: vp[i], range: range, alpha: alpha, b1: b1, b2: b2, eps: eps,
                                decay: decay, learningRate: lr, clip: clip(i))
                }, consuming: { i, w, g0, g1, range in
                    let o = range.lowerBound, c = clip(i)
                    earmark_adam_update_consuming(w + o, g0 + o, g1.map { $0 + o }, mp[i] + o, vp[i] + o, range.count,
                                                  alpha, b1, b2, eps, decay, lr, c.mode, c.a, c.b)
                }, prepare: { i in _ = clip(i) }))
            }
        }
    }

    /// w, g, m, v: elements `range` of one parameter, one fused pass (b1 = 1 - beta1, b2 = 1 - beta2;
    /// `decay` the weight decay, 0 for none; `clip` the gradient's clipping), in CSupport's vectorised
    /// `earmark_adam_update`.
    @inline(__always)
    static func update(w: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m mm: UnsafeMutablePointer<Float>,
                       v vv: UnsafeMutablePointer<Float>, range: Range<Int>, alpha: Float, b1: Float, b2: Float,
                       eps: Float, decay: Float, learningRate: Float, clip: ElementwiseClip) {
        let o = range.lowerBound
        earmark_adam_update(w + o, g + o, mm + o, vv + o, range.count, alpha, b1, b2, eps, decay, learningRate,
                            clip.mode, clip.a, clip.b)
    }

    public func state() -> [String: Tensor] {
        var out: [String: Tensor] = ["adam/iterations": Tensor(shape: [1], data: [Float(iterations)])]
        for i in m.indices { out["adam/m/\(i)"] = m[i].tensor; out["adam/v/\(i)"] = v[i].tensor }
        return out
    }

    public func restore(_ state: [String: Tensor], for parameters: [Parameter]) throws {
        let count = try storedIterations(state, "adam/iterations")
        var newM: [StateBuffer] = [], newV: [StateBuffer] = []
        for (i, p) in parameters.enumerated() {
            guard let mi = state["adam/m/\(i)"], let vi = state["adam/v/\(i)"],
                  mi.shape == p.value.shape, vi.shape == p.value.shape else {
                throw ShapeError("optimizer state slot \(i) (\(p.name)) is missing or not of shape \(p.value.shape)")
            }
            // a NaN or negative second moment made the loss NaN at once, blamed on the learning rate
            guard mi.data.allSatisfy(\.isFinite), vi.data.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw ShapeError("optimizer state slot \(i) (\(p.name)) holds a value that is not finite, or a "
                                 + "negative second moment")
            }
            newM.append(StateBuffer(mi)); newV.append(StateBuffer(vi))
        }
        iterations = count; m = newM; v = newV
    }
}

/// Stochastic gradient descent with momentum, Keras form, with Keras's decoupled `weight_decay`:
///
///     w -= w * weight_decay * lr                                  (weight_decay > 0 only)
///     velocity = momentum * velocity - lr * g;  w += velocity      (nesterov: w += momentum * velocity - lr * g)
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    /// Decoupled weight decay per step, as a fraction of `learningRate` (Keras `weight_decay`; 0: none).
    public let weightDecay: Float
    /// Keras's `clipnorm` / `global_clipnorm` / `clipvalue`, applied by `step` (nil: none).
    public let clipping: GradientClipping?
    public var schedule: LearningRateSchedule?
    public private(set) var iterations = 0
    private var velocity: [Tensor] = []

    /// `schedule`, when given, sets the rate of every update (its step-0 rate replaces `learningRate`).
    public init(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0,
                clipping: GradientClipping? = nil, schedule: LearningRateSchedule? = nil) {
        precondition(weightDecay >= 0, "SGD: weight decay \(weightDecay)")
        self.learningRate = schedule?.rate(atStep: 0) ?? learningRate
        self.momentum = momentum; self.nesterov = nesterov
        self.weightDecay = weightDecay; self.clipping = clipping; self.schedule = schedule
    }

    /// One update of every parameter from its `grad` (clipped first, in place, when `clipping` is set).
    public func step(_ parameters: [Parameter]) {
        clipping?.apply(to: parameters)
        if velocity.count != parameters.count { velocity = parameters.map { Tensor(shape: $0.value.shape) } }
        if let schedule { learningRate = schedule.rate(atStep: iterations) }
        iterations += 1
        let (lr, mu, nesterov, decay) = (learningRate, momentum, nesterov, weightDecay)
        for (i, p) in parameters.enumerated() {
            p.value.data.withUnsafeMutableBufferPointer { w in
                p.grad.data.withUnsafeBufferPointer { g in
                    velocity[i].data.withUnsafeMutableBufferPointer { vel in
                        if decay != 0 { for j in 0..<w.count { w[j] = w[j] - w[j] * decay * lr } }
                        for j in 0..<w.count {
                            vel[j] = mu * vel[j] - lr * g[j]
                            w[j] += nesterov ? mu * vel[j] - lr * g[j] : vel[j]
                        }
                    }
                }
            }
        }
    }

    public func state() -> [String: Tensor] {
        var out: [String: Tensor] = ["sgd/iterations": Tensor(shape: [1], data: [Float(iterations)])]
        for i in velocity.indices { out["sgd/velocity/\(i)"] = velocity[i] }
        return out
    }

    public func restore(_ state: [String: Tensor], for parameters: [Parameter]) throws {
        let count = try storedIterations(state, "sgd/iterations")
        var newVelocity: [Tensor] = []
        for (i, p) in parameters.enumerated() {
            guard let vi = state["sgd/velocity/\(i)"], vi.shape == p.value.shape else {
                if momentum == 0 { newVelocity.append(Tensor(shape: p.value.shape)); continue }
                throw ShapeError("optimizer state slot \(i) (\(p.name)) is missing or not of shape \(p.value.shape)")
            }
            newVelocity.append(vi)
        }
        iterations = count; velocity = newVelocity
    }
}

/// The step count an optimizer's state stores as one float (`<name>/iterations`): a whole number
/// from 0 to 2^24, the last a float holds exactly. A damaged checkpoint's value (3e38, -1, NaN)
/// trapped converting to Int, or was read as "no iterations".
func storedIterations(_ state: [String: Tensor], _ key: String) throws -> Int {
    guard let t = state[key], t.count == 1 else { throw ShapeError("optimizer state has no \(key)") }
    let v = t.data[0]
    guard v.isFinite, v >= 0, v <= 16_777_216, v == v.rounded() else {
        throw ShapeError("optimizer state \(key) is \(v), not a step count (a whole number from 0 to 2^24)")
    }
    return Int(v)
}
