import CSupport
import Foundation
import Tensor

/// Nadam (Adam with Nesterov momentum), Keras 3 form, with Keras's decoupled `weight_decay`, gradient
/// clipping and learning-rate schedule. At update t (from 1), with rate lr, in float32 as Keras:
///
///     u_t = beta_1 (1 - 0.5 * 0.96^t),  u_{t+1} = beta_1 (1 - 0.5 * 0.96^(t+1))
///     U_t = u_1 u_2 ... u_t  (kept across updates: `u_product`),  U_{t+1} = U_t u_{t+1}
///     w -= w * weight_decay * lr                                        (weight_decay > 0 only)
///     m += (g - m) (1 - beta_1);   v += (g^2 - v) (1 - beta_2)
///     m_hat = u_{t+1} m / (1 - U_{t+1}) + (1 - u_t) g / (1 - U_t);   v_hat = v / (1 - beta_2^t)
///     w -= m_hat lr / (sqrt(v_hat) + epsilon)
///
/// The per-element part is CSupport's vectorised `earmark_nadam_update`. Like RMSprop's and SGD's, the
/// update runs in `step`, after the replicas' gradients are summed (not overlapped with the backward
/// pass as Adam's).
public final class Nadam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// Decoupled weight decay per step, as a fraction of `learningRate` (Keras `weight_decay`; 0: none).
    public let weightDecay: Float
    /// Keras's `clipnorm` / `global_clipnorm` / `clipvalue`, applied by `step` (nil: none).
    public let clipping: GradientClipping?
    public var schedule: LearningRateSchedule?
    public private(set) var iterations = 0
    /// U_t, the product of the momentum schedule's factors so far (Keras's `_u_product`), 1 at the start.
    public private(set) var uProduct: Float = 1
    private var m: [StateBuffer] = [], v: [StateBuffer] = []

    /// Keras's defaults: learning rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7. `schedule`, when
    /// given, sets the rate of every update (its step-0 rate replaces `learningRate`).
    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                weightDecay: Float = 0, clipping: GradientClipping? = nil, schedule: LearningRateSchedule? = nil) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2) && epsilon > 0 && weightDecay >= 0,
                     "Nadam: beta_1 \(beta1), beta_2 \(beta2), epsilon \(epsilon), weight decay \(weightDecay)")
        self.learningRate = schedule?.rate(atStep: 0) ?? learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.clipping = clipping; self.schedule = schedule
    }

    /// beta_1 (1 - 0.5 * 0.96^t), in float32 as Keras computes it.
    private func momentumFactor(_ t: Int) -> Float {
        beta1 * (1 - 0.5 * Foundation.pow(Float(0.96), Float(t)))
    }

    /// One update of every parameter from its `grad` (clipped first, in place, when `clipping` is set).
    public func step(_ parameters: [Parameter]) {
        clipping?.apply(to: parameters)
        if m.count != parameters.count {
            m = parameters.map { StateBuffer(Tensor(shape: $0.value.shape)) }
            v = parameters.map { StateBuffer(Tensor(shape: $0.value.shape)) }
        }
        if let schedule { learningRate = schedule.rate(atStep: iterations) }
        let t = iterations + 1
        let u = momentumFactor(t), uNext = momentumFactor(t + 1)
        uProduct *= u                                  // Keras updates its _u_product before the variables
        let uProductNext = uProduct * uNext
        let bias2 = 1 - Foundation.pow(beta2, Float(t))
        iterations = t
        for (i, p) in parameters.enumerated() {
            p.value.data.withUnsafeMutableBufferPointer { w in
                p.grad.data.withUnsafeBufferPointer { g in
                    m[i].tensor.data.withUnsafeMutableBufferPointer { mp in
                        v[i].tensor.data.withUnsafeMutableBufferPointer { vp in
                            earmark_nadam_update(w.baseAddress!, g.baseAddress!, mp.baseAddress!, vp.baseAddress!,
                                                 w.count, learningRate, beta1, beta2, epsilon, weightDecay, uNext,
                                                 1 - uProductNext, 1 - u, 1 - uProduct, bias2)
                        }
                    }
                }
            }
        }
    }

    /// `nadam/iterations`, `nadam/u_product` and, per parameter i, `nadam/m/i` and `nadam/v/i`.
    public func state() -> [String: Tensor] {
        var out: [String: Tensor] = ["nadam/iterations": Tensor(shape: [1], data: [Float(iterations)]),
                                     "nadam/u_product": Tensor(shape: [1], data: [uProduct])]
        for i in m.indices {
            out["nadam/m/\(i)"] = m[i].tensor
            out["nadam/v/\(i)"] = v[i].tensor
        }
        return out
    }

    public func restore(_ state: [String: Tensor], for parameters: [Parameter]) throws {
        let count = try storedIterations(state, "nadam/iterations")
        guard let up = state["nadam/u_product"], up.count == 1, up.data[0].isFinite else {
            throw ShapeError("optimizer state has no finite nadam/u_product")
        }
        func slot(_ name: String) throws -> [StateBuffer] {
            try parameters.enumerated().map { i, p in
                guard let t = state["nadam/\(name)/\(i)"], t.shape == p.value.shape else {
                    throw ShapeError("optimizer state slot nadam/\(name)/\(i) (\(p.name)) is missing or not of "
                                     + "shape \(p.value.shape)")
                }
                return StateBuffer(t)
            }
        }
        (m, v) = (try slot("m"), try slot("v"))
        iterations = count
        uProduct = up.data[0]
    }
}
