import Foundation
import Tensor

/// Categorical cross-entropy on softmax probabilities with per-class weights, Keras semantics.
///
///     loss = (1/N) * sum_n w[y_n] * -log(clip(p[n, y_n], 1e-7, 1 - 1e-7))
///
/// (Keras's `sum_over_batch_size`: weighted sum divided by the batch size, not by the weights.)
/// The fused gradient with respect to the softmax pre-activation z is
///
///     dz[n, k] = w[y_n] * (p[n, k] - onehot(y_n)[k]) / N
///
/// which equals Keras's gradient except where a probability is clipped (p < 1e-7), where Keras's
/// clip has zero gradient and this one keeps pulling: training then still makes progress.
///
/// With `labelSmoothing` s > 0 (Keras's `CategoricalCrossentropy(label_smoothing=s)`) the target row is
/// t = onehot(y_n) (1 - s) + s / K, and the weight is still the label's (Keras's class weight of the
/// sample):
///
///     loss = (1/N) * sum_n w[y_n] * sum_k t[n, k] * -log(clip(p[n, k], 1e-7, 1 - 1e-7))
///     dz[n, k] = w[y_n] * (p[n, k] - t[n, k]) / N
public struct SoftmaxCrossEntropy: Sendable {
    /// Keras's `epsilon()`, the clip applied to probabilities inside the log.
    public static let epsilon: Float = 1e-7
    /// Weight of each class (Earmark uses the balanced weights n / (k * count_c), see
    /// Pipeline's `WindowSampler.classWeights`); nil means all 1.
    public var classWeights: [Float]?
    /// Keras's `label_smoothing` in [0, 1): the share of each target moved evenly over the K classes.
    public var labelSmoothing: Float

    public init(classWeights: [Float]? = nil, labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing < 1, "SoftmaxCrossEntropy: label smoothing \(labelSmoothing)")
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
    }

    /// Loss value, number of correct argmax predictions, and the fused gradient written into `dz`.
    ///
    ///     probabilities (N, K), labels (N) in 0..<K -> dz (N, K)
    public func evaluate(probabilities p: Tensor, labels: [Int32],
                         preActivationGradient dz: inout Tensor) -> (loss: Double, correct: Int) {
        let n = p.shape[0], k = p.shape[1]
        precondition(p.rank == 2 && labels.count == n,
                     "SoftmaxCrossEntropy: probabilities \(p.shape) with \(labels.count) labels")
        if let w = classWeights {
            precondition(w.count == k, "SoftmaxCrossEntropy: \(w.count) class weights for \(k) classes")
        }
        dz.ensureShape([n, k])
        var total = 0.0
        var correct = 0
        let invN = 1 / Float(n)
        // smoothed targets: `spread` for every class, `spread + 1 - s` for the label
        let s = labelSmoothing, spread = s / Float(k)
        p.data.withUnsafeBufferPointer { pp in
            dz.data.withUnsafeMutableBufferPointer { gp in
                for r in 0..<n {
                    let label = Int(labels[r])
                    precondition(label >= 0 && label < k, "SoftmaxCrossEntropy: label \(label) outside 0..<\(k)")
                    let w = classWeights?[label] ?? 1
                    let row = pp.baseAddress! + r * k, g = gp.baseAddress! + r * k
                    var best = 0
                    if s == 0 {
                        let clipped = min(max(row[label], Self.epsilon), 1 - Self.epsilon)
                        total += Double(w) * -Foundation.log(Double(clipped))
                        for j in 0..<k {
                            g[j] = w * row[j] * invN
                            if row[j] > row[best] { best = j }
                        }
                        g[label] -= w * invN
                    } else {
                        var rowLoss = 0.0
                        for j in 0..<k {
                            let target = j == label ? spread + (1 - s) : spread
                            let clipped = min(max(row[j], Self.epsilon), 1 - Self.epsilon)
                            rowLoss += Double(target) * -Foundation.log(Double(clipped))
                            g[j] = w * (row[j] - target) * invN
                            if row[j] > row[best] { best = j }
                        }
                        total += Double(w) * rowLoss
                    }
                    if best == label { correct += 1 }
                }
            }
        }
        return (total / Double(n), correct)
    }

    /// Loss on soft targets (rows of t sum to 1, e.g. mixup's mixed one-hot rows), the number of
    /// rows whose argmax prediction equals `labels`, and the fused gradient written into `dz`:
    ///
    ///     loss = (1/N) * sum_n sum_k w[k] * t[n, k] * -log(clip(p[n, k], 1e-7, 1 - 1e-7))
    ///     dz[n, k] = (W_n * p[n, k] - w[k] * t[n, k]) / N,  W_n = sum_k w[k] * t[n, k]
    ///
    /// With one-hot rows of `labels` this is the integer-label `evaluate`, bit for bit. With
    /// `labelSmoothing` s the targets are smoothed first, t (1 - s) + s / K (as Keras smooths whatever
    /// targets it is given), and weighted class by class as above.
    ///
    ///     probabilities (N, K), targets (N, K), labels (N) in 0..<K -> dz (N, K)
    public func evaluate(probabilities p: Tensor, targets t: Tensor, labels: [Int32],
                         preActivationGradient dz: inout Tensor) -> (loss: Double, correct: Int) {
        let n = p.shape[0], k = p.shape[1]
        precondition(p.rank == 2 && t.shape == p.shape && labels.count == n,
                     "SoftmaxCrossEntropy: probabilities \(p.shape) with targets \(t.shape), \(labels.count) labels")
        if let w = classWeights {
            precondition(w.count == k, "SoftmaxCrossEntropy: \(w.count) class weights for \(k) classes")
        }
        dz.ensureShape([n, k])
        var total = 0.0
        var correct = 0
        let invN = 1 / Float(n)
        let s = labelSmoothing, spread = s / Float(k)
        p.data.withUnsafeBufferPointer { pp in
            t.data.withUnsafeBufferPointer { tp in
                dz.data.withUnsafeMutableBufferPointer { gp in
                    for r in 0..<n {
                        let row = pp.baseAddress! + r * k, target = tp.baseAddress! + r * k
                        let g = gp.baseAddress! + r * k
                        var rowWeight: Float = 0, best = 0
                        let smoothed = { (j: Int) in s == 0 ? target[j] : target[j] * (1 - s) + spread }
                        for j in 0..<k where smoothed(j) != 0 {
                            let w = classWeights?[j] ?? 1, t = smoothed(j)
                            rowWeight += w * t
                            let clipped = min(max(row[j], Self.epsilon), 1 - Self.epsilon)
                            total += Double(w * t) * -Foundation.log(Double(clipped))
                        }
                        for j in 0..<k {
                            g[j] = rowWeight * row[j] * invN
                            if row[j] > row[best] { best = j }
                        }
                        for j in 0..<k where smoothed(j) != 0 { g[j] -= (classWeights?[j] ?? 1) * smoothed(j) * invN }
                        if best == Int(labels[r]) { correct += 1 }
                    }
                }
            }
        }
        return (total / Double(n), correct)
    }

    /// Loss only (no gradient), for evaluation.
    public func loss(probabilities p: Tensor, labels: [Int32]) -> Double {
        var scratch = Tensor.empty
        return evaluate(probabilities: p, labels: labels, preActivationGradient: &scratch).loss
    }
}
