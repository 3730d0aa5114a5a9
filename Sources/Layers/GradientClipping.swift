import CSupport
import Foundation
import Tensor

/// Keras's gradient clipping (the optimizers' `clipnorm`, `global_clipnorm` and `clipvalue`), applied
/// to the step's gradients before the weight decay and the update:
///
///     norm(c):        each parameter's g -> g * c / max(||g||, c)
///     globalNorm(c):  every g -> g * c * min(1 / N, 1 / c),  N = sqrt(sum of every ||g||^2)
///     value(c):       each element clipped to [-c, c]
///
/// Norms are summed in Double in a fixed order (`sumOfSquares`; Keras sums float32 squares in its
/// backend's order; the two agree to float32 rounding).
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

    /// The squares of `values` added in Double, in CSupport's fixed order (`earmark_sum_of_squares`: 16
    /// lanes), which the training engine's fused update uses too.
    public static func sumOfSquares(_ values: [Float]) -> Double {
        values.withUnsafeBufferPointer { v in sumOfSquares(summing: [v.baseAddress!], count: v.count) }
    }

    /// `sumOfSquares` of the elementwise sum of `gradients` (`count` floats each), added in float in
    /// their order first (the training engine's replicas, whose sum is never stored).
    public static func sumOfSquares(summing gradients: [UnsafePointer<Float>], count: Int) -> Double {
        let sources = gradients.map { Optional($0) }
        return earmark_sum_of_squares(sources, Int32(sources.count), count)
    }

    /// Whether the clipping needs each parameter's gradient norm before any element is updated
    /// (`norm`, `globalNorm`), so that an update by element ranges cannot start before every gradient
    /// is final.
    public var needsNorms: Bool {
        if case .value = self { return false }
        return true
    }

    /// Whether clipping any one parameter needs every parameter's norm (`globalNorm`): no update can
    /// start before every gradient is final.
    public var needsEveryNorm: Bool {
        if case .globalNorm = self { return true }
        return false
    }

    /// The clipping of parameter i (of `count`) as one operation on its elements (CSupport's Adam
    /// kernels): `apply(to:)`'s result, rounded the same way. `sumOfSquares(i)` gives parameter i's
    /// `sumOfSquares` of its gradient; it is asked for every parameter here for `globalNorm`, for
    /// parameter i whenever its clip is asked for `norm` (so a parameter's norm can be taken as soon
    /// as its own gradient is final), never for `value`.
    public func elementwise(count: Int, sumOfSquares: @escaping (Int) -> Double) -> (Int) -> ElementwiseClip {
        switch self {
        case .norm(let c):
            return { i in ElementwiseClip(mode: 2, a: c, b: max(Float(sumOfSquares(i).squareRoot()), c)) }
        case .globalNorm(let c):
            let total = Float((0..<count).map(sumOfSquares).reduce(0, +).squareRoot())
            let scale = total.isFinite ? c * min(1 / total, 1 / c) : .nan
            let clip = ElementwiseClip(mode: 2, a: scale, b: 1)
            return { _ in clip }
        case .value(let c):
            let clip = ElementwiseClip(mode: 1, a: c, b: 1)
            return { _ in clip }
        }
    }
}

/// One parameter's clipping as CSupport's Adam kernels apply it to each gradient element: mode 0 none,
/// 1 clip to [-a, a], 2 g * a / b.
public struct ElementwiseClip: Equatable, Sendable {
    public var mode: Int32
    public var a: Float
    public var b: Float
    public static let none = ElementwiseClip(mode: 0, a: 0, b: 1)
}
