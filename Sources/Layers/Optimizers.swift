import Foundation
import Tensor

/// Updates parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    /// Number of updates applied so far (Keras `iterations`).
    var iterations: Int { get }
    /// Applies one update to every parameter from its `grad` (gradients are not cleared).
    func step(_ parameters: [Parameter])
    /// The optimizer's state for checkpoints, by name (e.g. `adam/m/3`), plus `iterations`.
    func state() -> [String: Tensor]
    /// Restores a state returned by `state()` for the same parameter list.
    /// - Throws: `ShapeError` when a slot is missing or has the wrong shape.
    func restore(_ state: [String: Tensor], for parameters: [Parameter]) throws
}

/// Adam in Keras's form (REFERENCE.md 5):
///
///     alpha_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
///     m += (g - m) * (1 - beta1);  v += (g^2 - v) * (1 - beta2)
///     w -= alpha_t * m / (sqrt(v) + epsilon)
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    public private(set) var iterations = 0
    private var m: [Tensor] = [], v: [Tensor] = []

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
    }

    public func step(_ parameters: [Parameter]) {
        if m.count != parameters.count {
            m = parameters.map { Tensor(shape: $0.value.shape) }
            v = parameters.map { Tensor(shape: $0.value.shape) }
        }
        iterations += 1
        let t = Double(iterations)
        let alpha = Float(Double(learningRate) * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
        let (b1, b2, eps) = (1 - beta1, 1 - beta2, epsilon)
        for (i, p) in parameters.enumerated() {
            precondition(m[i].count == p.value.count, "Adam: parameter \(p.name) changed size")
            // w, g, m, v all (count): one fused pass
            p.value.data.withUnsafeMutableBufferPointer { w in
                p.grad.data.withUnsafeBufferPointer { g in
                    m[i].data.withUnsafeMutableBufferPointer { mm in
                        v[i].data.withUnsafeMutableBufferPointer { vv in
                            for j in 0..<w.count {
                                let gj = g[j]
                                mm[j] += (gj - mm[j]) * b1
                                vv[j] += (gj * gj - vv[j]) * b2
                                w[j] -= alpha * mm[j] / (vv[j].squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }

    public func state() -> [String: Tensor] {
        var out: [String: Tensor] = ["adam/iterations": Tensor(shape: [1], data: [Float(iterations)])]
        for i in m.indices { out["adam/m/\(i)"] = m[i]; out["adam/v/\(i)"] = v[i] }
        return out
    }

    public func restore(_ state: [String: Tensor], for parameters: [Parameter]) throws {
        guard let it = state["adam/iterations"], it.count == 1, it.data[0] >= 0 else {
            throw ShapeError("optimizer state has no adam/iterations")
        }
        var newM: [Tensor] = [], newV: [Tensor] = []
        for (i, p) in parameters.enumerated() {
            guard let mi = state["adam/m/\(i)"], let vi = state["adam/v/\(i)"],
                  mi.shape == p.value.shape, vi.shape == p.value.shape else {
                throw ShapeError("optimizer state slot \(i) (\(p.name)) is missing or not of shape \(p.value.shape)")
            }
            newM.append(mi); newV.append(vi)
        }
        iterations = Int(it.data[0]); m = newM; v = newV
    }
}

/// Stochastic gradient descent with momentum, Keras form:
///
///     velocity = momentum * velocity - lr * g;  w += velocity      (nesterov: w += momentum * velocity - lr * g)
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    public private(set) var iterations = 0
    private var velocity: [Tensor] = []

    public init(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false) {
        self.learningRate = learningRate; self.momentum = momentum; self.nesterov = nesterov
    }

    public func step(_ parameters: [Parameter]) {
        if velocity.count != parameters.count { velocity = parameters.map { Tensor(shape: $0.value.shape) } }
        iterations += 1
        let (lr, mu, nesterov) = (learningRate, momentum, nesterov)
        for (i, p) in parameters.enumerated() {
            p.value.data.withUnsafeMutableBufferPointer { w in
                p.grad.data.withUnsafeBufferPointer { g in
                    velocity[i].data.withUnsafeMutableBufferPointer { vel in
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
        guard let it = state["sgd/iterations"], it.count == 1 else { throw ShapeError("optimizer state has no sgd/iterations") }
        var newVelocity: [Tensor] = []
        for (i, p) in parameters.enumerated() {
            guard let vi = state["sgd/velocity/\(i)"], vi.shape == p.value.shape else {
                if momentum == 0 { newVelocity.append(Tensor(shape: p.value.shape)); continue }
                throw ShapeError("optimizer state slot \(i) (\(p.name)) is missing or not of shape \(p.value.shape)")
            }
            newVelocity.append(vi)
        }
        iterations = Int(it.data[0]); velocity = newVelocity
    }
}
