import Foundation
import Tensor

/// Keras's gradient clipping (the optimizers' `clipnorm`, `global_clipnorm` and `clipvalue`), applied
/// to the step's gradients before the weight decay and the update:
///
///     norm(c):        each parameter's g -> g * c / max(||g||, c)
///     globalNorm(c):  every g -> g * c * min(1 / N, 1 / c),  N = sqrt(sum of every ||g||^2)
///     value(c):       each element clipped to [-c, c]
///
/// Norms are summed in Double (Keras sums float32 squares in its backend's order; the two agree to
/// float32 rounding).
public enum GradientClipping: Equatable, Sendable {
    case norm(Float)
    case globalNorm(Float)
    case value(Float)

    /// Clips the `grad` of every parameter in place.
    public func apply(to parameters: [Parameter]) {
        switch self {
        case .norm(let c):
            for p in parameters {
                let norm = Float(GradientClipping.sumOfSquares(p.grad.data).squareRoot())
                let divisor = max(norm, c)
                p.grad.data.withUnsafeMutableBufferPointer { g in
                    for j in g.indices { g[j] = g[j] * c / divisor }
                }
            }
        case .globalNorm(let c):
            let total = Float(parameters.map { GradientClipping.sumOfSquares($0.grad.data) }.reduce(0, +).squareRoot())
            // Keras: clip_norm * min(1 / N, 1 / clip_norm), NaN when N is not finite
            let scale = total.isFinite ? c * min(1 / total, 1 / c) : .nan
            for p in parameters {
                p.grad.data.withUnsafeMutableBufferPointer { g in
                    for j in g.indices { g[j] = g[j] * scale }
                }
            }
        case .value(let c):
            for p in parameters {
                p.grad.data.withUnsafeMutableBufferPointer { g in
                    for j in g.indices { g[j] = min(max(g[j], -c), c) }
                }
            }
        }
    }

    static func sumOfSquares(_ values: [Float]) -> Double {
        values.reduce(0.0) { $0 + Double($1) * Double($1) }
    }
}
