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
public final class LayerNormalization: NormalizingLayer {
    public var name = "layer_normalization"
    public var kind: String { "LayerNormalization" }
    /// Added to the variance before the square root (Keras `epsilon`, 0.001).
    public let epsilon: Float
    /// gamma and beta, and whether each is learned (Keras `scale`, `center`; `NormalizingLayer` names them).
    public let weights: NormalizationWeights

    private var output = Tensor.empty          // y (N, ..., C)
    private var kept: [Float] = []             // xhat (R x C), then inv_r (R): what backward reads
    private var inputGradient = Tensor.empty   // dx (N, ..., C)

    /// Shape: (N, ..., C) -> the same.
    public init(epsilon: Float = 0.001, center: Bool = true, scale: Bool = true) {
        precondition(epsilon > 0, "LayerNormalization: epsilon \(epsilon)")
        self.epsilon = epsilon
        weights = NormalizationWeights(center: center, scale: scale)
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
        weights.build(channels: try outputShape(for: inputShape).last!)
    }

    /// Shape: x (N, ..., C) -> y (N, ..., C), this layer's reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank >= 2 && x.count > 0, "\(name) (LayerNormalization): input \(x.shape), expected (N, ..., C)")
        let c = x.shape[x.rank - 1], rows = x.count / c
        output.ensureShape(x.shape)
        if kept.count != x.count + rows { kept = [Float](repeating: 0, count: x.count + rows) }
        let (gammaValues, betaValues, eps) = (weights.effectiveGamma, weights.effectiveBeta, Double(epsilon))
        x.data.withUnsafeBufferPointer { xp in
            output.data.withUnsafeMutableBufferPointer { yp in
                kept.withUnsafeMutableBufferPointer { kp in
                    let (xhat, inv) = (kp.baseAddress!, kp.baseAddress! + x.count)
                    for r in 0..<rows {
                        let row = xp.baseAddress! + r * c
                        var sum = 0.0
                        for j in 0..<c { sum += Double(row[j]) }
                        let mean = sum / Double(c)
                        var squares = 0.0
                        for j in 0..<c { let d = Double(row[j]) - mean; squares += d * d }
                        let inverse = 1 / (squares / Double(c) + eps).squareRoot()
                        inv[r] = Float(inverse)
                        for j in 0..<c {
                            let h = Float((Double(row[j]) - mean) * inverse)
                            xhat[r * c + j] = h
                            yp[r * c + j] = gammaValues[j] * h + betaValues[j]
                        }
                    }
                }
            }
        }
        return output
    }

    /// Shape: dy (N, ..., C) -> dx (N, ..., C); adds into gamma's and beta's gradients (those learned).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape, "\(name) (LayerNormalization): output gradient \(dy.shape), "
                     + "expected \(output.shape)")
        let c = dy.shape[dy.rank - 1], rows = dy.count / c
        inputGradient.ensureShape(dy.shape)
        let gammaValues = weights.effectiveGamma
        var gammaSums = [Double](repeating: 0, count: c), betaSums = [Double](repeating: 0, count: c)
        dy.data.withUnsafeBufferPointer { dyp in
            inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                kept.withUnsafeBufferPointer { kp in
                    let (xhat, inv) = (kp.baseAddress!, kp.baseAddress! + dy.count)
                    for r in 0..<rows {
                        let o = r * c
                        var sumD = 0.0, sumDH = 0.0          // sum_c dxhat, sum_c dxhat xhat
                        for j in 0..<c {
                            let d = Double(dyp[o + j] * gammaValues[j])
                            sumD += d
                            sumDH += d * Double(xhat[o + j])
                            gammaSums[j] += Double(dyp[o + j] * xhat[o + j])
                            betaSums[j] += Double(dyp[o + j])
                        }
                        let (meanD, meanDH) = (Float(sumD / Double(c)), Float(sumDH / Double(c)))
                        for j in 0..<c {
                            dxp[o + j] = inv[r] * (dyp[o + j] * gammaValues[j] - meanD - xhat[o + j] * meanDH)
                        }
                    }
                }
            }
        }
        if scale { for j in 0..<c { gamma.grad.data[j] += Float(gammaSums[j]) } }
        if center { for j in 0..<c { beta.grad.data[j] += Float(betaSums[j]) } }
        return inputGradient
    }
}
