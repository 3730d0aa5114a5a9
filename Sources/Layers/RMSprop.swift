import CSupport
import Foundation
import Tensor

/// RMSprop, Keras 3 form, with Keras's decoupled `weight_decay`, gradient clipping and learning-rate
/// schedule. Per element, with rate lr:
///
///     w -= w * weight_decay * lr                                     (weight_decay > 0 only)
///     v = rho * v + (1 - rho) * g^2
///     centered:  a = rho * a + (1 - rho) * g;  d = v - a^2 + epsilon    else  d = v + epsilon
///     increment = lr * g / sqrt(d)
///     momentum > 0:  m = momentum * m + increment;  w -= m              else  w -= increment
///
/// (epsilon inside the square root, as Keras 3 computes it.) The update runs in `step`, after the
/// replicas' gradients are summed, like `SGD`'s (not overlapped with the backward pass as Adam's), in
/// CSupport's vectorised `earmark_rmsprop_update`.
public final class RMSprop: Optimizer {
    public var learningRate: Float
    /// Decay of the running mean of squared gradients (Keras `rho`).
    public let rho: Float
    /// Momentum of the increments (Keras `momentum`; 0: none).
    public let momentum: Float
    public let epsilon: Float
    /// Whether the squared gradients are centred by their running mean (Keras `centered`).
    public let centered: Bool
    /// Decoupled weight decay per step, as a fraction of `learningRate` (Keras `weight_decay`; 0: none).
    public let weightDecay: Float
    /// Keras's `clipnorm` / `global_clipnorm` / `clipvalue`, applied by `step` (nil: none).
    public let clipping: GradientClipping?
    public var schedule: LearningRateSchedule?
    public private(set) var iterations = 0
    private var velocity: [StateBuffer] = []          // v, per parameter
    private var increments: [StateBuffer] = []        // m, per parameter (momentum > 0 only)
    private var averageGradients: [StateBuffer] = []  // a, per parameter (centered only)

    /// Keras's defaults: learning rate 0.001, rho 0.9, no momentum, epsilon 1e-7, not centred.
    /// `schedule`, when given, sets the rate of every update (its step-0 rate replaces `learningRate`).
    public init(learningRate: Float = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7,
                centered: Bool = false, weightDecay: Float = 0, clipping: GradientClipping? = nil,
                schedule: LearningRateSchedule? = nil) {
        precondition((0..<1).contains(rho) && (0..<1).contains(momentum) && epsilon > 0 && weightDecay >= 0,
                     "RMSprop: rho \(rho), momentum \(momentum), epsilon \(epsilon), weight decay \(weightDecay)")
        self.learningRate = schedule?.rate(atStep: 0) ?? learningRate
        self.rho = rho; self.momentum = momentum; self.epsilon = epsilon; self.centered = centered
        self.weightDecay = weightDecay; self.clipping = clipping; self.schedule = schedule
    }

    /// The slots `momentum` and `centered` use, each parameter's shape: Keras's names within its state.
    private var slotNames: [String] {
        ["velocity"] + (momentum > 0 ? ["momentum"] : []) + (centered ? ["average_gradient"] : [])
    }

    /// One update of every parameter from its `grad` (clipped first, in place, when `clipping` is set).
    public func step(_ parameters: [Parameter]) {
        clipping?.apply(to: parameters)
        if velocity.count != parameters.count {
            func zeros(_ used: Bool) -> [StateBuffer] {
                used ? parameters.map { StateBuffer(Tensor(shape: $0.value.shape)) } : []
            }
            (velocity, increments, averageGradients) = (zeros(true), zeros(momentum > 0), zeros(centered))
        }
        if let schedule { learningRate = schedule.rate(atStep: iterations) }
        iterations += 1
        let (lr, rho, mu, eps, decay, centered) = (learningRate, rho, momentum, epsilon, weightDecay, centered)
        // stand-ins for the slots the settings do not use (two: both are accessed at once); the kernel
        // is given nil for them
        let (noIncrements, noAverages) = (StateBuffer(Tensor(shape: [1])), StateBuffer(Tensor(shape: [1])))
        for (i, p) in parameters.enumerated() {
            let m = mu > 0 ? increments[i] : noIncrements, a = centered ? averageGradients[i] : noAverages
            p.value.data.withUnsafeMutableBufferPointer { w in
                p.grad.data.withUnsafeBufferPointer { g in
                    velocity[i].tensor.data.withUnsafeMutableBufferPointer { v in
                        m.tensor.data.withUnsafeMutableBufferPointer { mp in
                            a.tensor.data.withUnsafeMutableBufferPointer { ap in
                                earmark_rmsprop_update(w.baseAddress!, g.baseAddress!, v.baseAddress!,
                                                       mu > 0 ? mp.baseAddress! : nil,
                                                       centered ? ap.baseAddress! : nil, w.count, lr, rho, mu,
                                                       eps, decay)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `rmsprop/iterations` and, per parameter i, `rmsprop/velocity/i` (then `rmsprop/momentum/i` with
    /// momentum, `rmsprop/average_gradient/i` when centred).
    public func state() -> [String: Tensor] {
        var out: [String: Tensor] = ["rmsprop/iterations": Tensor(shape: [1], data: [Float(iterations)])]
        for i in velocity.indices {
            out["rmsprop/velocity/\(i)"] = velocity[i].tensor
            if momentum > 0 { out["rmsprop/momentum/\(i)"] = increments[i].tensor }
            if centered { out["rmsprop/average_gradient/\(i)"] = averageGradients[i].tensor }
        }
        return out
    }

    public func restore(_ state: [String: Tensor], for parameters: [Parameter]) throws {
        let count = try storedIterations(state, "rmsprop/iterations")
        var slots: [String: [StateBuffer]] = [:]
        for name in slotNames {
            slots[name] = try parameters.enumerated().map { i, p in
                guard let t = state["rmsprop/\(name)/\(i)"], t.shape == p.value.shape else {
                    throw ShapeError("optimizer state slot rmsprop/\(name)/\(i) (\(p.name)) is missing or not of "
                                     + "shape \(p.value.shape)")
                }
                return StateBuffer(t)
            }
        }
        iterations = count
        velocity = slots["velocity"]!
        increments = slots["momentum"] ?? []
        averageGradients = slots["average_gradient"] ?? []
    }
}
