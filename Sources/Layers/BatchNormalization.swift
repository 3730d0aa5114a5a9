import CSupport
import Foundation
import Tensor

/// Batch normalization over the last axis, Keras 3 `BatchNormalization` (axis -1).
///
/// Legend: N batch, C channels (the last axis), M rows = every position of every example
/// (N, N*T or N*H*W), mean_c / var_c statistics of channel c, xhat the normalized input.
///
///     x (N, ..., C) -> y (N, ..., C)      gamma, beta, moving_mean, moving_variance (C)
///     training:  mean_c = sum_m x[m, c] / M,  var_c = sum_m (x[m, c] - mean_c)^2 / M   (biased)
///                moving = moving * momentum + batch statistic * (1 - momentum)
///     inference: mean_c, var_c = moving_mean_c, moving_variance_c
///     xhat = (x - mean_c) / sqrt(var_c + epsilon),   y = gamma_c xhat + beta_c
///
/// Backward uses the statistics of the last forward pass: after a training pass the batch
/// statistics depend on x, so dx = gamma inv (dy - mean_m dy - xhat mean_m(dy xhat)) per channel;
/// after an inference pass the layer is a per-channel affine, dx = gamma inv dy. In both cases
/// dgamma = sum_m dy xhat and dbeta = sum_m dy. `scale: false` drops gamma (1), `center: false`
/// drops beta (0), as in Keras.
public final class BatchNormalization: NormalizingLayer, InferenceForward {
    public var name = "batch_normalization"
    public var kind: String { "BatchNormalization" }
    /// Weight of the old moving statistic in each update (Keras `momentum`, 0.99).
    public let momentum: Float
    /// Added to the variance before the square root (Keras `epsilon`, 1e-3).
    public let epsilon: Float
    /// gamma and beta, and whether each is learned (Keras `scale`, `center`; `NormalizingLayer` names them).
    public let weights: NormalizationWeights
    /// Moving mean of the batch means (C), initialised to zeros.
    public let movingMean = LayerState(name: "moving_mean", value: .empty)
    /// Moving mean of the batch (biased) variances (C), initialised to ones.
    public let movingVariance = LayerState(name: "moving_variance", value: .empty)

    public var state: [LayerState] { [movingMean, movingVariance] }

    private var output = Tensor.empty          // y (N, ..., C)
    private var normalized = Tensor.empty      // xhat (N, ..., C)
    private var inputGradient = Tensor.empty   // dx (N, ..., C)
    private var channels = ChannelBuffers(count: 0)   // per-channel statistics and scratch (C)
    private var batchStatistics = false        // whether the last forward normalized with batch statistics

    /// Shape: (N, ..., C) -> (N, ..., C).
    public init(momentum: Float = 0.99, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true) {
        self.momentum = momentum
        self.epsilon = epsilon
        weights = NormalizationWeights(center: center, scale: scale)
    }

    /// Any shape with a positive last axis passes through; throws for a bad momentum or epsilon.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard let c = inputShape.last, c > 0, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (BatchNormalization): input shape \(inputShape) needs a positive last axis")
        }
        guard momentum >= 0, momentum <= 1, epsilon > 0 else {
            throw ShapeError("\(name) (BatchNormalization): momentum \(momentum) must be in [0, 1] "
                             + "and epsilon \(epsilon) positive")
        }
        return inputShape
    }

    /// gamma ones, beta zeros, moving_mean zeros, moving_variance ones, each (C) (Keras initialisers).
    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        let c = try outputShape(for: inputShape).last!
        weights.build(channels: c)
        movingMean.value = Tensor(shape: [c], repeating: 0)
        movingVariance.value = Tensor(shape: [c], repeating: 1)
    }

    /// Training: normalizes with the batch statistics and updates the moving ones. Inference: the
    /// per-channel affine of the moving statistics. Shape: x (N, ..., C) -> y (N, ..., C), a reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let c = movingMean.value.count
        precondition(c > 0 && x.shape.last == c,
                     "\(name): input \(x.shape) does not end in \(c) channels (build first)")
        output.ensureShape(x.shape)             // each checked on its own: `infer` sizes `output` alone
        normalized.ensureShape(x.shape)
        if channels.count != c { channels = ChannelBuffers(count: c) }
        let rows = x.count / c
        batchStatistics = training
        if training {
            batchMoments(x, rows: rows)
            updateMovingStatistics()
        }
        let (gammaValues, betaValues) = (weights.effectiveGamma, weights.effectiveBeta)
        channels.withPointers { k in
            for j in 0..<c {
                if !training {
                    k.mean[j] = movingMean.value.data[j]
                    k.variance[j] = movingVariance.value.data[j]
                }
                k.invStd[j] = 1 / (k.variance[j] + epsilon).squareRoot()
                k.gamma[j] = gammaValues[j]
                k.beta[j] = betaValues[j]
            }
        }
        x.data.withUnsafeBufferPointer { xp in
            normalized.data.withUnsafeMutableBufferPointer { np in
                output.data.withUnsafeMutableBufferPointer { yp in
                    channels.withPointers { k in
                        // xhat (M, C) = (x - mean) * invStd; y = gamma * xhat + beta (CSupport, vectorised over C)
                        earmark_normalize_channels(xp.baseAddress!, rows, c, k.mean, k.invStd, k.gamma, k.beta,
                                                   np.baseAddress!, yp.baseAddress!)
                    }
                }
            }
        }
        return output
    }

    /// `infer(x, activation: .linear)`.
    public func infer(_ x: Tensor) -> Tensor { infer(x, activation: .linear) }

    /// The inference pass `Sequential.infer` runs (`InferenceForward`): the moving statistics folded
    /// into one affine map per channel, y = x * s + t with s = gamma / sqrt(var + eps) and
    /// t = beta - mean * s, in one pass (CSupport's `earmark_scale_channels`); nothing is kept for
    /// backward (no xhat), then `activation` applied in place (the plan's fusion of a following
    /// `Activation` layer). Equal to `forward(_:training: false)` up to float rounding.
    /// Shape: x (N, ..., C) -> y (N, ..., C), this layer's buffer.
    public func infer(_ x: Tensor, activation: Activation) -> Tensor {
        let c = movingMean.value.count
        precondition(c > 0 && x.shape.last == c, "\(name): input \(x.shape) does not end in \(c) channels (build first)")
        output.ensureShape(x.shape)
        let (gammaValues, betaValues) = (weights.effectiveGamma, weights.effectiveBeta)
        var scale = [Float](repeating: 0, count: c), shift = scale
        for j in 0..<c {
            scale[j] = gammaValues[j] / (movingVariance.value.data[j] + epsilon).squareRoot()
            shift[j] = betaValues[j] - movingMean.value.data[j] * scale[j]
        }
        x.data.withUnsafeBufferPointer { xp in
            output.data.withUnsafeMutableBufferPointer { yp in
                earmark_scale_channels(xp.baseAddress!, xp.count / c, c, scale, shift, yp.baseAddress!)
                activation.apply(yp.baseAddress!, rows: yp.count / c, columns: c)
            }
        }
        return output
    }

    /// moving = moving * momentum + batch * (1 - momentum), Keras 3's update, for mean and variance.
    private func updateMovingStatistics() {
        let keep = momentum, take = 1 - momentum, c = channels.count
        channels.withPointers { k in
            for j in 0..<c {
                movingMean.value.data[j] = movingMean.value.data[j] * keep + k.mean[j] * take
                movingVariance.value.data[j] = movingVariance.value.data[j] * keep + k.variance[j] * take
            }
        }
    }

    /// Per-channel mean and biased variance over the M rows into `channels`, in two passes
    /// accumulated in Double (CSupport's `earmark_channel_moments`, vectorised over the channels).
    /// Shape: x (M, C) viewed flat -> mean (C), variance (C).
    private func batchMoments(_ x: Tensor, rows: Int) {
        let c = channels.count
        x.data.withUnsafeBufferPointer { xp in
            channels.withPointers { k in
                earmark_channel_moments(xp.baseAddress!, rows, c, k.sums, k.squares, k.mean, k.variance)
            }
        }
    }

    /// dgamma += sum dy xhat, dbeta += sum dy; dx as in the type's legend for the last pass's mode.
    /// Shape: dy (N, ..., C) -> dx (N, ..., C).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape && channels.count > 0,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        let c = channels.count, rows = dy.count / c, batch = batchStatistics
        inputGradient.ensureShape(dy.shape)                  // sized on first use: not at inference
        dy.data.withUnsafeBufferPointer { dyp in
            normalized.data.withUnsafeBufferPointer { np in
                inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                    channels.withPointers { k in
                        // sums: sum_m dy, squares: sum_m dy xhat
                        earmark_channel_gradient_sums(dyp.baseAddress!, np.baseAddress!, rows, c, k.sums, k.squares)
                        // dx = gamma inv (dy - meanDy - xhat meanDyXhat); an inference pass has no mean terms
                        for j in 0..<c {
                            k.meanDy[j] = batch ? Float(k.sums[j] / Double(rows)) : 0
                            k.meanDyXhat[j] = batch ? Float(k.squares[j] / Double(rows)) : 0
                            k.gain[j] = k.gamma[j] * k.invStd[j]
                        }
                        earmark_normalization_input_gradient(dyp.baseAddress!, np.baseAddress!, rows, c, k.gain,
                                                             k.meanDy, k.meanDyXhat, dxp.baseAddress!)
                        if scale { for j in 0..<c { gamma.grad.data[j] += Float(k.squares[j]) } }
                        if center { for j in 0..<c { beta.grad.data[j] += Float(k.sums[j]) } }
                    }
                }
            }
        }
        return inputGradient
    }
}

/// Per-channel values of a `BatchNormalization` (C each), sized once: forward leaves the statistics
/// it normalized with, 1 / sqrt(var + epsilon) and the gamma and beta it used; backward writes its
/// per-channel coefficients. Two allocations (one Float, one Double block) for the layer's lifetime.
private struct ChannelBuffers {
    private var floats: [Float]                 // 8 blocks of C, in the order of `Pointers`' Float fields
    private var doubles: [Double]               // 2 blocks of C: sums, squares
    let count: Int

    init(count c: Int) {
        count = c
        floats = [Float](repeating: 0, count: 8 * c)
        doubles = [Double](repeating: 0, count: 2 * c)
    }

    /// Pointers to every buffer, valid inside `withPointers`.
    struct Pointers {
        let mean, variance, invStd, gamma, beta: UnsafeMutablePointer<Float>
        /// Backward: mean_m dy, mean_m (dy xhat) (zero after an inference pass), gamma * invStd.
        let meanDy, meanDyXhat, gain: UnsafeMutablePointer<Float>
        /// Double accumulators over the rows (forward: sum x, sum (x - mean)^2; backward: sum dy,
        /// sum dy xhat).
        let sums, squares: UnsafeMutablePointer<Double>
    }

    mutating func withPointers<R>(_ body: (Pointers) -> R) -> R {
        let c = count
        return floats.withUnsafeMutableBufferPointer { f in
            doubles.withUnsafeMutableBufferPointer { d in
                let f = f.baseAddress!, d = d.baseAddress!
                return body(Pointers(mean: f, variance: f + c, invStd: f + 2 * c, gamma: f + 3 * c, beta: f + 4 * c,
                                     meanDy: f + 5 * c, meanDyXhat: f + 6 * c, gain: f + 7 * c,
                                     sums: d, squares: d + c))
            }
        }
    }
}
