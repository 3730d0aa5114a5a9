import Foundation
import Tensor

/// Keras `LayerNormalization` over the last axis (the default `axis=-1`, `rms_scaling=False`): every
/// example's row of C features is standardised by its own mean and variance, so training and
/// inference compute the same thing and nothing depends on the other rows of the batch.
///
/// Legend: N batch, C the last axis, R = N x (the other axes) rows of C.
///
///     x (N, ..., C) -> y (N, ..., C)          gamma (C), beta (C)
///     mean_r = sum_c x / C,  var_r = sum_c (x - mean_r)^2 / C  (biased),  inv_r = 1 / sqrt(var_r + epsilon)
///     xhat = (x - mean_r) inv_r,   y = gamma xhat + beta
///     backward: dxhat = dy gamma;  dx = inv_r (dxhat - mean_c(dxhat) - xhat mean_c(dxhat xhat))
///               dgamma = sum_r dy xhat,   dbeta = sum_r dy
///
/// Row statistics are summed in Double. gamma starts at ones, beta at zeros (Keras's initialisers);
/// `center: false` drops beta, `scale: false` drops gamma, as Keras does.
public final class LayerNormalization: Layer {
    public var name = "layer_normalization"
    public var kind: String { "LayerNormalization" }
    /// Added to the variance before the square root (Keras `epsilon`, 0.001).
    public let epsilon: Float
    /// Whether the layer learns the offset `beta`.
    public let center: Bool
    /// Whether the layer learns the scale `gamma`.
    public let scale: Bool
    /// (C), Keras weight `gamma`.
    public let gamma = Parameter(name: "gamma", value: .empty)
    /// (C), Keras weight `beta`.
    public let beta = Parameter(name: "beta", value: .empty)
    public var parameters: [Parameter] { (scale ? [gamma] : []) + (center ? [beta] : []) }

    private var output = Tensor.empty          // y (N, ..., C)
    private var normalized: [Float] = []       // xhat (R x C), for backward
    private var inverseDeviations: [Float] = []  // inv_r (R)
    private var inputGradient = Tensor.empty   // dx (N, ..., C)

    /// Shape: (N, ..., C) -> the same.
    public init(epsilon: Float = 0.001, center: Bool = true, scale: Bool = true) {
        precondition(epsilon > 0, "LayerNormalization: epsilon \(epsilon)")
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
    }

    /// The input shape itself; throws for an empty or non-positive shape.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (LayerNormalization): input shape \(inputShape) needs at least one axis, "
                             + "all positive")
        }
        return inputShape
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        let c = try outputShape(for: inputShape).last!
        gamma.initialise(Tensor(shape: [c], repeating: 1))
        beta.initialise(Tensor(shape: [c], repeating: 0))
    }

    /// Shape: x (N, ..., C) -> y (N, ..., C), this layer's reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank >= 2 && x.count > 0, "\(name) (LayerNormalization): input \(x.shape), expected (N, ..., C)")
        let c = x.shape[x.rank - 1], rows = x.count / c
        output.ensureShape(x.shape)
        if normalized.count != x.count { normalized = [Float](repeating: 0, count: x.count) }
        if inverseDeviations.count != rows { inverseDeviations = [Float](repeating: 0, count: rows) }
        let (eps, useGamma, useBeta) = (Double(epsilon), scale, center)
        x.data.withUnsafeBufferPointer { xp in
            output.data.withUnsafeMutableBufferPointer { yp in
                normalized.withUnsafeMutableBufferPointer { hp in
                    inverseDeviations.withUnsafeMutableBufferPointer { ip in
                        gamma.value.data.withUnsafeBufferPointer { g in
                            beta.value.data.withUnsafeBufferPointer { b in
                                for r in 0..<rows {
                                    let row = xp.baseAddress! + r * c
                                    var sum = 0.0
                                    for j in 0..<c { sum += Double(row[j]) }
                                    let mean = sum / Double(c)
                                    var squares = 0.0
                                    for j in 0..<c { let d = Double(row[j]) - mean; squares += d * d }
                                    let inv = 1 / (squares / Double(c) + eps).squareRoot()
                                    ip[r] = Float(inv)
                                    for j in 0..<c {
                                        let h = Float((Double(row[j]) - mean) * inv)
                                        hp[r * c + j] = h
                                        yp[r * c + j] = (useGamma ? g[j] * h : h) + (useBeta ? b[j] : 0)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Shape: dy (N, ..., C) -> dx (N, ..., C); adds into gamma's and beta's gradients.
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape, "\(name) (LayerNormalization): output gradient \(dy.shape), "
                     + "expected \(output.shape)")
        let c = dy.shape[dy.rank - 1], rows = dy.count / c
        inputGradient.ensureShape(dy.shape)
        let useGamma = scale
        dy.data.withUnsafeBufferPointer { dyp in
            inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                normalized.withUnsafeBufferPointer { hp in
                    inverseDeviations.withUnsafeBufferPointer { ip in
                        gamma.value.data.withUnsafeBufferPointer { g in
                            gamma.grad.data.withUnsafeMutableBufferPointer { dg in
                                beta.grad.data.withUnsafeMutableBufferPointer { db in
                                    for r in 0..<rows {
                                        let o = r * c
                                        var sumD = 0.0, sumDH = 0.0
                                        for j in 0..<c {
                                            let d = useGamma ? dyp[o + j] * g[j] : dyp[o + j]   // dxhat
                                            sumD += Double(d)
                                            sumDH += Double(d) * Double(hp[o + j])
                                            if useGamma { dg[j] += dyp[o + j] * hp[o + j] }
                                            if center { db[j] += dyp[o + j] }
                                        }
                                        let (meanD, meanDH) = (Float(sumD / Double(c)), Float(sumDH / Double(c)))
                                        for j in 0..<c {
                                            let d = useGamma ? dyp[o + j] * g[j] : dyp[o + j]
                                            dxp[o + j] = ip[r] * (d - meanD - hp[o + j] * meanDH)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}
